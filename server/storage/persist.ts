// --data persistence: one JSON snapshot per user, written atomically after every write and
// loaded at start. Open batches are not persisted (they are short-lived upload state).
import { existsSync, readdirSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { readJsonIfExists, writeJsonAtomic } from '../core/atomicFile.ts';
import { newUser, type BsoRecord, type UserState } from './model.ts';

interface Snapshot {
  uid: string;
  tombstone: number;
  lastWrite: number;
  collections: Record<string, { modified: number; bsos: BsoRecord[] }>;
}

export class StoragePersistence {
  private readonly dir: string;

  constructor(dataDir: string) {
    this.dir = join(dataDir, 'storage');
  }

  private file(uid: string): string {
    return join(this.dir, `${uid}.json`);
  }

  save(uid: string, user: UserState): void {
    const collections: Snapshot['collections'] = {};
    for (const [name, c] of user.collections) collections[name] = { modified: c.modified, bsos: [...c.bsos.values()] };
    const snap: Snapshot = { uid, tombstone: user.tombstone, lastWrite: user.lastWrite, collections };
    writeJsonAtomic(this.file(uid), snap);
  }

  remove(uid: string): void {
    const f = this.file(uid);
    if (existsSync(f)) unlinkSync(f);
  }

  loadAll(): Map<string, UserState> {
    const users = new Map<string, UserState>();
    if (!existsSync(this.dir)) return users;
    for (const name of readdirSync(this.dir)) {
      if (!/^[0-9]+\.json$/.test(name)) continue;
      const snap = readJsonIfExists(join(this.dir, name)) as Snapshot | undefined;
      if (!snap) continue;
      const user = newUser();
      user.tombstone = snap.tombstone;
      user.lastWrite = snap.lastWrite;
      for (const [coll, c] of Object.entries(snap.collections)) {
        user.collections.set(coll, { modified: c.modified, bsos: new Map(c.bsos.map((b) => [b.id, b])) });
      }
      users.set(snap.uid, user);
    }
    return users;
  }
}
