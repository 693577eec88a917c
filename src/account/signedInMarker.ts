// A note, kept outside IndexedDB, that this browser is signed in to an account. Browsers have been
// seen to discard an extension's IndexedDB after an unclean exit (about once in a hundred kills in
// Chromium): Syncbridge then starts signed out with an empty database while the browser still holds
// the synced bookmarks. With this note it can say what happened, and a sign-in to the same account
// merges with this browser's bookmarks at once (they were synced with it) instead of asking.
// The note holds no secret: the account's uid and e-mail.
import { t } from '../i18n/i18n.ts';

export interface SignedInNote {
  uid: string;
  email: string;
}

export interface SignedInMarker {
  read(): Promise<SignedInNote | null>;
  write(note: SignedInNote): Promise<void>;
  clear(): Promise<void>;
}

export class MemorySignedInMarker implements SignedInMarker {
  note: SignedInNote | null = null;
  async read(): Promise<SignedInNote | null> {
    return this.note;
  }
  async write(note: SignedInNote): Promise<void> {
    this.note = { ...note };
  }
  async clear(): Promise<void> {
    this.note = null;
  }
}

export const LOST_DATA_NOTICE = t('accountDataLost');
