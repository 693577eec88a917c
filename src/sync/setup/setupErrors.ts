// Reasons the account-level setup stops instead of syncing. Each one leaves the server untouched
// and tells the person what happened and what to do.
import { t } from '../../i18n/i18n.ts';
import { SyncError } from '../errors.ts';

export class StorageVersionTooNewError extends SyncError {
  override name = 'StorageVersionTooNewError';
  readonly kind = 'user-action-needed' as const;
  constructor(readonly storageVersion: number) {
    super(
      `meta/global storageVersion ${storageVersion} is newer than supported`,
      t('errorStorageVersionTooNew'),
    );
  }
}

export class KeysUndecryptableError extends SyncError {
  override name = 'KeysUndecryptableError';
  readonly kind = 'user-action-needed' as const;
  constructor(detail: string) {
    super(
      `crypto/keys could not be decrypted: ${detail}`,
      t('errorKeysUndecryptable'),
    );
  }
}

export class ServerDataIncompleteError extends SyncError {
  override name = 'ServerDataIncompleteError';
  readonly kind = 'user-action-needed' as const;
  constructor(missing: 'meta/global' | 'crypto/keys', collectionsWithData: readonly string[]) {
    super(
      `${missing} is missing or unusable while the server holds data in ${collectionsWithData.join(', ')}`,
      t(missing === 'meta/global' ? 'errorServerSettingsMissing' : 'errorServerKeysMissing'),
    );
  }
}

export class SetupRaceError extends SyncError {
  override name = 'SetupRaceError';
  readonly kind = 'conflict' as const;
  constructor() {
    super(
      'setup restarted too many times in one run',
      t('errorSetupRace'),
    );
  }
}
