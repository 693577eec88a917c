// The per-collection state machine, in one place. For each engine at each sync, from meta/global
// and the persisted association:
//   - not in meta/global, or declined            → off (nothing is fetched or sent)
//   - meta/global's engine version > ours         → skipped, with a message (never write an older format)
//   - meta/global's syncID ≠ the one we know      → reset (forget server state, keep local data), then sync
//   - otherwise                                   → sync from the last-sync time
// The account-wide checks come before any engine, in ../setup/globalSetup.ts: a storage version
// from the future stops the whole sync; a new global syncID or a changed collection key resets.
import { t } from '../../i18n/i18n.ts';
import { engineInSentence } from '../../i18n/engineNames.ts';
import type { MetaGlobal } from '../setup/metaGlobal.ts';
import type { EngineAssociation } from './contract.ts';

export type CollectionDecision =
  | { action: 'off' }
  | { action: 'skip'; reason: 'newer-version'; serverVersion: number; message: string }
  | { action: 'sync'; syncID: string; reset: boolean };

export function decideCollection(
  engine: { collection: string; version: number },
  meta: Pick<MetaGlobal, 'engines' | 'declined'>,
  association: EngineAssociation,
): CollectionDecision {
  const entry = meta.engines[engine.collection];
  if (!entry || meta.declined.includes(engine.collection)) return { action: 'off' };
  if (entry.version > engine.version) {
    return {
      action: 'skip', reason: 'newer-version', serverVersion: entry.version,
      message: t('statusEngineSkipped', engineInSentence(engine.collection)),
    };
  }
  return { action: 'sync', syncID: entry.syncID, reset: association.syncID !== null && association.syncID !== entry.syncID };
}
