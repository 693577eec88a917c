// --data persistence for the identity services: one JSON snapshot (`identity.json`), written
// atomically after every handled request and loaded at start, so accounts, tokens, devices and
// token-server bookkeeping survive a restart just like the storage snapshots do.
import { join } from 'node:path';
import { readJsonIfExists, writeJsonAtomic } from '../core/atomicFile.ts';
import type { IdentityState } from './state.ts';

const VERSION = 1;

interface Snapshot {
  version: number;
  metricsSecret: Buffer;
  accounts: IdentityState['accounts'] extends Map<string, infer V> ? V[] : never;
  sessions: IdentityState['sessions'] extends Map<string, infer V> ? V[] : never;
  keyFetchTokens: IdentityState['keyFetchTokens'] extends Map<string, infer V> ? V[] : never;
  accessTokens: IdentityState['accessTokens'] extends Map<string, infer V> ? V[] : never;
  refreshTokens: IdentityState['refreshTokens'] extends Map<string, infer V> ? V[] : never;
  codes: IdentityState['codes'] extends Map<string, infer V> ? V[] : never;
  devices: IdentityState['devices'] extends Map<string, infer V> ? V[] : never;
  commands: IdentityState['commands'];
  nextCommandIndex: number;
  outbox: IdentityState['outbox'];
  tokenserverUsers: Array<Omit<IdentityState['tokenserverUsers'] extends Map<string, infer V> ? V : never, 'oldClientStates'> & { oldClientStates: string[] }>;
}

/** Buffers serialize as {type:'Buffer', data:[…]} (Buffer#toJSON); this turns them back. */
function reviveBuffers(_key: string, value: unknown): unknown {
  if (typeof value === 'object' && value !== null) {
    const v = value as { type?: unknown; data?: unknown };
    if (v.type === 'Buffer' && Array.isArray(v.data)) return Buffer.from(v.data as number[]);
  }
  return value;
}

export function identityFile(dataDir: string): string {
  return join(dataDir, 'identity.json');
}

export function saveState(state: IdentityState, file: string): void {
  const snapshot: Snapshot = {
    version: VERSION,
    metricsSecret: state.metricsSecret,
    accounts: [...state.accounts.values()],
    sessions: [...state.sessions.values()],
    keyFetchTokens: [...state.keyFetchTokens.values()],
    accessTokens: [...state.accessTokens.values()],
    refreshTokens: [...state.refreshTokens.values()],
    codes: [...state.codes.values()],
    devices: [...state.devices.values()],
    commands: state.commands,
    nextCommandIndex: state.nextCommandIndex,
    outbox: state.outbox.slice(-200),
    tokenserverUsers: [...state.tokenserverUsers.values()].map((u) => ({ ...u, oldClientStates: [...u.oldClientStates] })),
  };
  writeJsonAtomic(file, snapshot);
}

export function loadState(state: IdentityState, file: string): boolean {
  const raw = readJsonIfExists(file);
  if (raw === undefined) return false;
  const snap = JSON.parse(JSON.stringify(raw), reviveBuffers) as Snapshot;
  if (snap.version !== VERSION) throw new Error(`${file}: unsupported identity snapshot version ${String(snap.version)}`);
  state.metricsSecret = snap.metricsSecret;
  for (const a of snap.accounts) state.accounts.set(a.uid, a);
  for (const s of snap.sessions) state.sessions.set(s.id, s);
  for (const k of snap.keyFetchTokens) state.keyFetchTokens.set(k.id, k);
  for (const t of snap.accessTokens) state.accessTokens.set(t.token, t);
  for (const r of snap.refreshTokens) state.refreshTokens.set(r.id, r);
  for (const c of snap.codes) state.codes.set(c.code, c);
  for (const d of snap.devices) state.devices.set(d.id, d);
  state.commands = snap.commands;
  state.nextCommandIndex = snap.nextCommandIndex;
  state.outbox = snap.outbox;
  for (const u of snap.tokenserverUsers) state.tokenserverUsers.set(u.fxaUid, { ...u, oldClientStates: new Set(u.oldClientStates) });
  return true;
}
