// Account-level setup, run at the start of every sync: from info/collections to a verified
// meta/global and crypto/keys ("Ready"), using the cache when nothing changed on the server.
// The rules (second seed; protocol.md §7; architecture.md data-safety rules):
// - cached meta/global and keys are reused while info/collections shows the same timestamps;
// - a changed global syncID resets every engine; a changed collection key resets that engine (a changed
//   engine syncID is the per-collection state machine's: ../engine/collectionState.ts);
// - storage version newer than ours: stop, never wipe;
// - crypto/keys that fail HMAC: stop (the account key changed), never wipe;
// - fresh start (wipe + new meta/global + new keys) only when the server has no usable meta/global
//   or keys AND holds no data a person would miss. Joining an account never wipes Firefox's data.
import { RecordCryptoError, decryptCryptoKeys, encryptCryptoKeys, type CollectionKeys } from '../crypto/records.ts';
import { keyBundleFromBase64Pair, keyBundleToBase64Pair, randomKeyBundle, type KeyBundle } from '../crypto/keyBundle.ts';
import type { Logger } from '../../log/logger.ts';
import { BadResponseError } from '../errors.ts';
import type { StorageClient } from '../storage/client.ts';
import type { ServerTimestamp } from '../storage/types.ts';
import { keysToStored, type GlobalState, type GlobalStatePersistence } from './globalState.ts';
import type { EngineDescriptor } from '../engine/contract.ts';
import { freshMetaGlobal, newSyncId, parseMetaGlobal, type MetaGlobal } from './metaGlobal.ts';
import {
  KeysUndecryptableError, ServerDataIncompleteError, SetupRaceError, StorageVersionTooNewError,
} from './setupErrors.ts';

/** What setup needs from the storage client. */
export type SetupStorage = Pick<StorageClient, 'getInfoCollections' | 'getRecord' | 'putRecord' | 'deleteAll'>;

export interface SetupInput {
  storage: SetupStorage;
  persistence: GlobalStatePersistence;
  /** Forget an engine's association and server-derived state (the account-level sync owns how). */
  resetEngine(name: string): Promise<void>;
  /** Forget the setup and every engine's association (after a fresh start). */
  resetAll(): Promise<void>;
  /** Root key bundle from kSync. */
  root: KeyBundle;
  /** Engines this client knows (engines/registry.ts), in sync order. */
  ourEngines: readonly EngineDescriptor[];
  /** The person's engine choices not yet written to meta/global (engine → enabled). */
  pendingEngineChoices: Readonly<Record<string, boolean>>;
  log: Logger;
}

export interface ReadyState {
  meta: MetaGlobal;
  metaModified: ServerTimestamp;
  keys: CollectionKeys;
  info: Record<string, ServerTimestamp>;
  /** Our engines that are enabled account-wide (in meta/global and not declined). */
  enabledEngines: string[];
  declined: string[];
  /** Engine choices that were written to meta/global in this run (the caller clears them). */
  appliedChoices: Record<string, boolean>;
}

/** Collections whose loss nobody would notice: they are rebuilt by every client on its next sync. */
const REBUILT_BY_CLIENTS = new Set(['meta', 'crypto', 'clients', 'tabs']);

const MAX_RESTARTS = 3;

export async function runGlobalSetup(input: SetupInput): Promise<ReadyState> {
  const { storage, persistence, log } = input;
  for (let attempt = 0; attempt < MAX_RESTARTS; attempt++) {
    const infoResult = await storage.getInfoCollections();
    if (infoResult.status !== 'ok') throw new BadResponseError('info/collections answered 304 to an unconditional request');
    const info = infoResult.collections;
    const storageModified = infoResult.lastModified ?? '0';
    const cached = await persistence.loadGlobal();
    const state: GlobalState = { ...cached, infoCollections: info };

    // meta/global
    if (info['meta'] === undefined) {
      await freshStartOrRefuse(input, info, storageModified, 'meta/global');
      continue;
    }
    if (!state.metaGlobal || state.metaModified !== info['meta']) {
      const bso = await storage.getRecord('meta', 'global');
      if (!bso) {
        await freshStartOrRefuse(input, info, storageModified, 'meta/global');
        continue;
      }
      const parsed = parseMetaGlobal(bso.payload);
      if (!parsed.ok) {
        if (parsed.reason === 'newer-storage-version') throw new StorageVersionTooNewError(parsed.storageVersion);
        log.warn('meta/global is not usable', { reason: parsed.reason });
        await freshStartOrRefuse(input, info, storageModified, 'meta/global');
        continue;
      }
      await adoptMetaGlobal(input, state, parsed.meta);
      state.metaGlobal = parsed.meta;
      state.metaModified = bso.modified;
    }
    const meta = structuredClone(state.metaGlobal) as MetaGlobal;

    // Engine elections: the person's choices go to meta/global; everyone else's come back from it.
    const { changed, applied } = applyEngineChoices(meta, input.ourEngines, input.pendingEngineChoices);
    if (changed) {
      try {
        state.metaModified = await storage.putRecord('meta', { id: 'global', payload: JSON.stringify(meta) }, { ifUnmodifiedSince: state.metaModified! });
        state.metaGlobal = meta;
        log.info('Updated engine choices in meta/global', { applied });
      } catch (e) {
        if (isConflict(e)) {
          log.info('meta/global changed on the server while we updated it; starting setup again');
          await persistence.saveGlobal({ ...state, metaGlobal: null, metaModified: null });
          continue;
        }
        throw e;
      }
    }

    // crypto/keys
    if (info['crypto'] === undefined) {
      await freshStartOrRefuse(input, info, storageModified, 'crypto/keys');
      continue;
    }
    let keys: CollectionKeys;
    if (!state.keys || state.keysModified !== info['crypto']) {
      const bso = await storage.getRecord('crypto', 'keys');
      if (!bso) {
        await freshStartOrRefuse(input, info, storageModified, 'crypto/keys');
        continue;
      }
      try {
        keys = await decryptCryptoKeys(bso.payload, input.root);
      } catch (e) {
        if (e instanceof RecordCryptoError) throw new KeysUndecryptableError(e.message);
        throw e;
      }
      if (state.keys) await resetEnginesWhoseKeyChanged(input, state.keys, keys);
      state.keys = keysToStored(keys, keyBundleToBase64Pair);
      state.keysModified = bso.modified;
    } else {
      keys = storedToKeys(state.keys);
    }

    await persistence.saveGlobal(state);
    const declined = [...(state.metaGlobal?.declined ?? [])];
    return {
      meta: state.metaGlobal!,
      metaModified: state.metaModified!,
      keys,
      info,
      enabledEngines: input.ourEngines.map((e) => e.name).filter((e) => state.metaGlobal!.engines[e] !== undefined && !declined.includes(e)),
      declined,
      appliedChoices: applied,
    };
  }
  throw new SetupRaceError();
}

function isConflict(e: unknown): boolean {
  return typeof e === 'object' && e !== null && (e as { kind?: unknown }).kind === 'conflict';
}

function storedToKeys(k: NonNullable<GlobalState['keys']>): CollectionKeys {
  const collections: Record<string, KeyBundle> = {};
  for (const [name, pair] of Object.entries(k.collections)) collections[name] = keyBundleFromBase64Pair(pair);
  return { default: keyBundleFromBase64Pair(k.default), collections };
}

/** A new meta/global: a changed global syncID resets everything (engine syncIDs: collectionState.ts). */
async function adoptMetaGlobal(input: SetupInput, state: GlobalState, meta: MetaGlobal): Promise<void> {
  if (state.metaGlobal && state.metaGlobal.syncID !== meta.syncID) {
    input.log.info('The account was reset by another device (new global syncID); every engine starts over');
    for (const e of input.ourEngines) await input.resetEngine(e.name);
    state.keys = null;
    state.keysModified = null;
  }
}

function applyEngineChoices(
  meta: MetaGlobal, ourEngines: readonly EngineDescriptor[], choices: Readonly<Record<string, boolean>>,
): { changed: boolean; applied: Record<string, boolean> } {
  let changed = false;
  const applied: Record<string, boolean> = {};
  for (const [engine, enabled] of Object.entries(choices)) {
    const ours = ourEngines.find((e) => e.name === engine);
    if (!ours || ours.label === undefined) continue; // only engines with a switch are a person's choice
    const isEnabled = meta.engines[engine] !== undefined && !meta.declined.includes(engine);
    applied[engine] = enabled;
    if (enabled === isEnabled) continue;
    changed = true;
    if (enabled) {
      meta.declined = meta.declined.filter((d) => d !== engine);
      meta.engines[engine] ??= { version: ours.version, syncID: newSyncId() };
    } else {
      // As Firefox does when an engine is declined: remove it from engines, list it as declined.
      delete meta.engines[engine];
      if (!meta.declined.includes(engine)) meta.declined.push(engine);
    }
  }
  // Engines without a switch (clients) must always be there; other devices cannot see us otherwise.
  for (const e of ourEngines) {
    if (e.label !== undefined || meta.engines[e.name]) continue;
    meta.engines[e.name] = { version: e.version, syncID: newSyncId() };
    meta.declined = meta.declined.filter((d) => d !== e.name);
    changed = true;
  }
  return { changed, applied };
}

async function resetEnginesWhoseKeyChanged(input: SetupInput, old: NonNullable<GlobalState['keys']>, now: CollectionKeys): Promise<void> {
  const nowStored = keysToStored(now, keyBundleToBase64Pair)!;
  const sameDefault = old.default.join() === nowStored.default.join();
  for (const { name: e } of input.ourEngines) {
    const before = (old.collections[e] ?? (sameDefault ? null : old.default))?.join() ?? nowStored.default.join();
    const after = (nowStored.collections[e] ?? nowStored.default).join();
    if (before !== after) {
      input.log.info('The key for an engine changed; it starts over', { engine: e });
      await input.resetEngine(e);
    }
  }
}

async function freshStartOrRefuse(
  input: SetupInput, info: Record<string, ServerTimestamp>, storageModified: ServerTimestamp, missing: 'meta/global' | 'crypto/keys',
): Promise<void> {
  const precious = Object.keys(info).filter((c) => !REBUILT_BY_CLIENTS.has(c));
  if (precious.length > 0) throw new ServerDataIncompleteError(missing, precious);
  const { storage, persistence, log } = input;
  log.warn('Starting the Sync account afresh: the server has no usable setup and no data to lose', { missing });
  try {
    // Guarded: if anyone wrote since we looked, their data is not ours to delete.
    await storage.deleteAll({ ifUnmodifiedSince: storageModified });
  } catch (e) {
    if (!isConflict(e)) throw e;
    log.info('Another device wrote while we prepared a fresh start; looking again');
    return;
  }
  const declined = Object.entries(input.pendingEngineChoices).filter(([, on]) => !on).map(([e]) => e);
  const meta = freshMetaGlobal(declined);
  try {
    await storage.putRecord('meta', { id: 'global', payload: JSON.stringify(meta) }, { ifUnmodifiedSince: '0' });
    const payload = await encryptCryptoKeys(randomKeyBundle(), {}, input.root);
    await storage.putRecord('crypto', { id: 'keys', payload }, { ifUnmodifiedSince: '0' });
  } catch (e) {
    // Another client set the account up at the same moment: the next pass adopts its records.
    if (!isConflict(e)) throw e;
    log.info('Another device set up the account first; using its setup');
  }
  await input.resetAll();
}
