import { openDB } from 'idb';
import { DB_NAME, DB_VERSION, MIGRATIONS, type SyncbridgeDB, type SyncbridgeSchema } from './schema.ts';

/**
 * Opens (creating or migrating) the database. `name` is injectable so tests get isolated databases.
 * Another context holding an older version open is asked to close by idb's `blocking` callback.
 * Migrations run one after the other in the upgrade transaction (a step that moves data finishes
 * before the next starts); a failing step aborts the upgrade, leaving the profile at its old version.
 */
export async function openDatabase(name: string = DB_NAME): Promise<SyncbridgeDB> {
  let failure: unknown = null;
  const db = await openDB<SyncbridgeSchema>(name, DB_VERSION, {
    async upgrade(database, oldVersion, _newVersion, tx) {
      try {
        for (let v = oldVersion; v < DB_VERSION; v++) {
          const step = MIGRATIONS[v];
          if (!step) throw new Error(`No migration from database version ${v}`);
          await step(database, tx);
        }
      } catch (e) {
        failure = e;
        tx.done.catch(() => undefined); // the abort below rejects it; openDB reports the failure
        try {
          tx.abort();
        } catch {
          // already aborted by the failed request
        }
      }
    },
    blocking() {
      // A newer version of the extension wants to upgrade: let it.
      db.close();
    },
  }).catch((e: unknown) => {
    throw failure ?? e;
  });
  return db;
}
