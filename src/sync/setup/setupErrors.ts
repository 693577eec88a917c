// Reasons the account-level setup stops instead of syncing. Each one leaves the server untouched
// and tells the person what happened and what to do.
import { SyncError } from '../errors.ts';

export class StorageVersionTooNewError extends SyncError {
  override name = 'StorageVersionTooNewError';
  readonly kind = 'user-action-needed' as const;
  constructor(readonly storageVersion: number) {
    super(
      `meta/global storageVersion ${storageVersion} is newer than supported`,
      'Your Firefox Sync data uses a newer format than this version of Syncbridge understands. Update Syncbridge; nothing was changed.',
    );
  }
}

export class KeysUndecryptableError extends SyncError {
  override name = 'KeysUndecryptableError';
  readonly kind = 'user-action-needed' as const;
  constructor(detail: string) {
    super(
      `crypto/keys could not be decrypted: ${detail}`,
      'Syncbridge cannot read your Sync data with the keys it has: your Mozilla account password or keys probably changed. Sign out and sign in again; nothing was deleted.',
    );
  }
}

export class ServerDataIncompleteError extends SyncError {
  override name = 'ServerDataIncompleteError';
  readonly kind = 'user-action-needed' as const;
  constructor(missing: 'meta/global' | 'crypto/keys', collectionsWithData: readonly string[]) {
    super(
      `${missing} is missing or unusable while the server holds data in ${collectionsWithData.join(', ')}`,
      `Your Sync account has data but its ${missing === 'meta/global' ? 'settings record' : 'key record'} is missing or damaged. Syncbridge will not reset it and risk your data: sync once from Firefox to repair it, then try again.`,
    );
  }
}

export class SetupRaceError extends SyncError {
  override name = 'SetupRaceError';
  readonly kind = 'conflict' as const;
  constructor() {
    super(
      'setup restarted too many times in one run',
      'Another device was changing your Sync account at the same moment. Syncbridge will try again shortly.',
    );
  }
}
