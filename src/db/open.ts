import { openDB } from 'idb';
import { DB_NAME, DB_VERSION, MIGRATIONS, type SyncbridgeDB, type SyncbridgeSchema } from './schema.ts';

/**
 * Opens (creating or migrating) the database. `name` is injectable so tests get isolated databases.
 * Another context holding an older version open is asked to close by idb's `blocking` callback.
 */
export async function openDatabase(name: string = DB_NAME): Promise<SyncbridgeDB> {
  const db = await openDB<SyncbridgeSchema>(name, DB_VERSION, {
    upgrade(database, oldVersion, _newVersion, tx) {
      for (let v = oldVersion; v < DB_VERSION; v++) {
        const step = MIGRATIONS[v];
        if (!step) throw new Error(`No migration from database version ${v}`);
        step(database, tx);
      }
    },
    blocking() {
      // A newer version of the extension wants to upgrade: let it.
      db.close();
    },
  });
  return db;
}
