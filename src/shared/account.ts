// What pages may know about the account. Secrets (tokens, keys) never appear here: pages get
// these views from the background, never the stored account itself.

export type AccountView = (
  /** `notice`: why the person is signed out when they may expect otherwise (e.g. a sign-in that expired). */
  | { state: 'signed-out'; server: ServerChoice; notice?: string }
  | { state: 'web-pending'; server: ServerChoice }
  | { state: 'needs-verification'; server: ServerChoice; email: string; method: 'email-otp' | 'totp-2fa' | 'email' | 'email-2fa' | 'email-captcha' }
  | { state: 'signed-in'; server: ServerChoice; email: string; deviceName: string }
) & {
  /**
   * Origins sign-in and sync reach for this server, when known (after discovery, during a sign-in,
   * signed in; with the storage node once the token server named it). The options page asks for
   * host access to those the manifest does not grant.
   */
  hosts?: string[];
};

export interface ServerChoice {
  /** Accounts server, e.g. https://accounts.firefox.com */
  accountsUrl: string;
  /** Token server override for self-hosted storage, or null to use the accounts server's. */
  tokenServerUrl: string | null;
}

export interface EnginesView {
  /** The engines a person can switch, in sync order, with their labels (from the engine registry). */
  engines: Array<{ name: string; label: string; enabled: boolean }>;
  /** Choices not yet written to the account (they go out with the next sync). */
  pending: string[];
}

export interface DeviceView {
  id: string;
  name: string;
  type: string;
  os: string | null;
  /** ms since epoch of its last upload to the clients collection. */
  lastSeenAt: number;
}

/** What the bookmarks engine waits for the person to decide, and the snapshots they can restore. */
export interface BookmarksView {
  pending:
    | { kind: 'first-sync'; local: number; remote: number }
    | { kind: 'large-deletion'; deletions: number; localItems: number }
    /** This browser's changes would delete many of the account's bookmarks; `emptiedRoots` in words ("Bookmarks Toolbar"). */
    | { kind: 'large-remote-deletion'; deletions: number; remoteItems: number; emptiedRoots: string[] }
    | null;
  /** `local`: this browser's tree (Restore); `account`: the account's records (Put back in my account). */
  snapshots: Array<{ id: number; time: number; reason: string; count: number; kind: 'local' | 'account' }>;
  /** The account copy the next sync puts back ("Put back in my account"), if one waits. */
  accountRestore: { id: number } | null;
  /** Problems with this browser's bookmark roots (Chromium account/local roots, Chrome Sync), in words. */
  rootProblems: string[];
}

export type FirstSyncChoiceView = 'merge' | 'take-remote' | 'keep-local';
