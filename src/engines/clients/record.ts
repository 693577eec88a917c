// The clients collection record (protocol.md §6.4): how this browser appears in Firefox's device
// list and Synced Tabs. Unknown fields of our own record on the server are kept when we rewrite it.

export const CLIENTS_TTL_SECONDS = 15_552_000; // 180 days, as Firefox
/** Re-upload our record at least this often so it never expires (Firefox: CLIENTS_TTL_REFRESH). */
export const CLIENT_RECORD_REFRESH_MS = 7 * 24 * 3600 * 1000;

export interface ClientCommand {
  command: string;
  args: unknown[];
  flowID?: string;
  [unknown: string]: unknown;
}

export interface ClientRecord {
  id: string;
  name: string;
  type: string;
  commands: ClientCommand[];
  version?: string;
  protocols?: string[];
  os?: string;
  application?: string;
  appPackage?: string;
  formfactor?: string;
  device?: string;
  fxaDeviceId?: string;
  [unknown: string]: unknown;
}

export interface OurClientInfo {
  id: string;
  name: string;
  version: string;
  os: string;
  application: string;
  fxaDeviceId: string | null;
}

/** Parses a decrypted clients record; null when it is not one (skipped, never fatal). */
export function parseClientRecord(clear: unknown): ClientRecord | null {
  if (typeof clear !== 'object' || clear === null) return null;
  const r = clear as Record<string, unknown>;
  if (typeof r['id'] !== 'string' || typeof r['name'] !== 'string') return null;
  const commands = Array.isArray(r['commands'])
    ? r['commands'].filter((c): c is ClientCommand =>
      typeof c === 'object' && c !== null && typeof (c as { command?: unknown }).command === 'string')
      .map((c) => ({ ...c, args: Array.isArray(c.args) ? c.args : [] }))
    : [];
  return { ...r, id: r['id'], name: r['name'], type: typeof r['type'] === 'string' ? r['type'] : 'desktop', commands } as ClientRecord;
}

/** Our record as we upload it: server-side extras kept, our fields current, handled commands gone. */
export function buildOurRecord(info: OurClientInfo, onServer: ClientRecord | null, remainingCommands: ClientCommand[]): ClientRecord {
  const rec: ClientRecord = {
    ...(onServer ?? {}),
    id: info.id,
    name: info.name,
    type: 'desktop',
    commands: remainingCommands,
    version: info.version,
    protocols: ['1.5'],
    os: info.os,
    application: info.application,
    formfactor: 'desktop',
  };
  if (info.fxaDeviceId) rec.fxaDeviceId = info.fxaDeviceId;
  else delete rec.fxaDeviceId;
  return rec;
}

/** True when the server copy differs from what we would upload in a field we own. */
export function ourRecordNeedsUpload(server: ClientRecord | null, wanted: ClientRecord): boolean {
  if (!server) return true;
  const keys: Array<keyof ClientRecord> = ['name', 'type', 'version', 'os', 'application', 'formfactor', 'fxaDeviceId'];
  if (keys.some((k) => server[k] !== wanted[k])) return true;
  if (JSON.stringify(server.protocols ?? []) !== JSON.stringify(wanted.protocols)) return true;
  return JSON.stringify(server.commands) !== JSON.stringify(wanted.commands);
}
