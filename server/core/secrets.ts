// Server secrets for minting Hawk tokens. Random per start; persisted with --data so tokens survive
// a restart (clients would otherwise just see one 401 and fetch a new token).
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { readJsonIfExists, writeJsonAtomic } from './atomicFile.ts';

export interface ServerSecrets {
  /** Signs token ids (tokenlib "signing secret"). */
  signing: Buffer;
  /** Derives per-token Hawk keys (tokenlib "master secret"). */
  master: Buffer;
}

export function loadOrCreateSecrets(dataDir: string | null): ServerSecrets {
  const file = dataDir ? join(dataDir, 'secrets.json') : null;
  if (file) {
    const saved = readJsonIfExists(file) as { signing?: string; master?: string } | undefined;
    if (saved?.signing && saved.master) {
      return { signing: Buffer.from(saved.signing, 'hex'), master: Buffer.from(saved.master, 'hex') };
    }
  }
  const secrets = { signing: randomBytes(32), master: randomBytes(32) };
  if (file) writeJsonAtomic(file, { signing: secrets.signing.toString('hex'), master: secrets.master.toString('hex') });
  return secrets;
}
