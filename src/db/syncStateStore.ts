// Sole owner of the `syncState` store (and of clearing an engine's part of `mirror` on reset).
import { EMPTY_GLOBAL_STATE, type EngineState, type GlobalState, type SyncStatePersistence } from '../sync/setup/globalState.ts';
import type { SyncbridgeDB } from './schema.ts';

const GLOBAL = 'global';
const engineKey = (name: string): string => `engine:${name}`;
const EMPTY_ENGINE: EngineState = { syncID: null, lastSync: 0 };

export class SyncStateStore implements SyncStatePersistence {
  constructor(private readonly db: SyncbridgeDB) {}

  async loadGlobal(): Promise<GlobalState> {
    return { ...EMPTY_GLOBAL_STATE, ...((await this.db.get('syncState', GLOBAL)) as Partial<GlobalState> | undefined) };
  }

  async saveGlobal(state: GlobalState): Promise<void> {
    await this.db.put('syncState', state, GLOBAL);
  }

  async loadEngine(name: string): Promise<EngineState> {
    return { ...EMPTY_ENGINE, ...((await this.db.get('syncState', engineKey(name))) as Partial<EngineState> | undefined) };
  }

  async saveEngine(name: string, state: EngineState): Promise<void> {
    await this.db.put('syncState', state, engineKey(name));
  }

  /** Engine state and its mirror go together, in one transaction. */
  async resetEngine(name: string): Promise<void> {
    const tx = this.db.transaction(['syncState', 'mirror'], 'readwrite');
    await tx.objectStore('syncState').delete(engineKey(name));
    const mirror = tx.objectStore('mirror');
    let cursor = await mirror.index('byCollection').openKeyCursor(IDBKeyRange.only(name));
    while (cursor) {
      await mirror.delete(cursor.primaryKey);
      cursor = await cursor.continue();
    }
    await tx.done;
  }

  async resetAll(): Promise<void> {
    const tx = this.db.transaction(['syncState', 'mirror'], 'readwrite');
    await tx.objectStore('syncState').clear();
    await tx.objectStore('mirror').clear();
    await tx.done;
  }
}
