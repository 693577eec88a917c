// Typed errors of the Sync protocol core. Every error carries a `kind` the scheduler and UI switch
// on, and a `userMessage` in plain words (what happened, what to do next); `message` is for logs.
// Browser-free: no chrome/browser APIs (the messages come through i18n.ts, which needs none).
import { t, tCount, type MessageKey } from '../i18n/i18n.ts';

export type SyncErrorKind =
  | 'network'
  | 'auth'
  | 'server-busy'
  | 'conflict'
  | 'bad-response'
  | 'bad-record'
  | 'user-action-needed'
  | 'cancelled';

export abstract class SyncError extends Error {
  abstract readonly kind: SyncErrorKind;
  readonly userMessage: string;

  constructor(message: string, userMessage: string, options?: { cause?: unknown }) {
    super(message, options);
    this.userMessage = userMessage;
  }
}

/** The request never got a complete answer: offline, DNS, refused, reset, timed out, cut mid-body. */
export class NetworkError extends SyncError {
  override name = 'NetworkError';
  readonly kind = 'network' as const;
  readonly timedOut: boolean;

  constructor(message: string, opts: { timedOut?: boolean; cause?: unknown } = {}) {
    super(
      message,
      opts.timedOut
        ? t('errorSyncTimeout')
        : t('errorSyncNetwork'),
      { cause: opts.cause },
    );
    this.timedOut = opts.timedOut ?? false;
  }
}

export type AuthErrorReason =
  /** Storage kept answering 401 after a fresh token. */
  | 'storage-unauthorized'
  /** Token server: the OAuth access token is bad or expired (refresh it and retry once). */
  | 'invalid-credentials'
  /** Token server: X-KeyID missing or garbled. */
  | 'invalid-key-id'
  /** Token server: generation went backwards. */
  | 'invalid-generation'
  /** A fresh token points at a different storage node: local sync state must be reset. */
  | 'node-reassigned'
  | 'unauthorized';

/** 401-class failures. The caller gets a new token (or a new OAuth token); see `reason`. */
export class AuthError extends SyncError {
  override name = 'AuthError';
  readonly kind = 'auth' as const;
  readonly reason: AuthErrorReason;
  readonly status: number;

  constructor(
    message: string,
    opts: { reason?: AuthErrorReason; status?: number; userMessage?: string; cause?: unknown } = {},
  ) {
    super(
      message,
      opts.userMessage ?? t('errorSyncAuth'),
      { cause: opts.cause },
    );
    this.reason = opts.reason ?? 'unauthorized';
    this.status = opts.status ?? 401;
  }
}

/** Token server 401 `invalid-credentials`: the OAuth access token was refused. */
export class InvalidCredentialsError extends AuthError {
  override name = 'InvalidCredentialsError';
  constructor(message: string, opts: { cause?: unknown } = {}) {
    super(message, {
      reason: 'invalid-credentials',
      userMessage: t('errorSyncInvalidCredentials'),
      ...opts,
    });
  }
}

/** Token server 401 `invalid-generation`: the account was changed (password reset) after this sign-in. */
export class InvalidGenerationError extends AuthError {
  override name = 'InvalidGenerationError';
  constructor(message: string, opts: { cause?: unknown } = {}) {
    super(message, {
      reason: 'invalid-generation',
      userMessage: t('errorSyncInvalidGeneration'),
      ...opts,
    });
  }
}

/** A fresh token names a different storage node: everything synced must be set up again there. */
export class NodeReassignedError extends AuthError {
  override name = 'NodeReassignedError';
  constructor(
    readonly previousEndpoint: string,
    readonly newEndpoint: string,
  ) {
    super(`storage node changed from ${previousEndpoint} to ${newEndpoint}`, {
      reason: 'node-reassigned',
      userMessage: t('errorSyncNodeReassigned'),
    });
  }
}

/** 503 / 409 / other 5xx, or a token server in maintenance: wait `retryAfterMs` (if known) and retry. */
export class ServerBusyError extends SyncError {
  override name = 'ServerBusyError';
  readonly kind = 'server-busy' as const;
  readonly status: number;
  /** From Retry-After; null when the server gave none. */
  readonly retryAfterMs: number | null;

  constructor(message: string, opts: { status: number; retryAfterMs: number | null; cause?: unknown }) {
    const wait = opts.retryAfterMs !== null ? describeWait(opts.retryAfterMs) : t('waitLittleWhile');
    super(message, t('errorSyncServerBusy', wait), { cause: opts.cause });
    this.status = opts.status;
    this.retryAfterMs = opts.retryAfterMs;
  }
}

/** 412: someone else wrote since our snapshot. The caller re-downloads, re-merges and retries. */
export class ConflictError extends SyncError {
  override name = 'ConflictError';
  readonly kind = 'conflict' as const;
  /** The resource's X-Last-Modified from the 412, when the server sent one. */
  readonly lastModified: string | null;

  constructor(message: string, opts: { lastModified?: string | null } = {}) {
    super(message, t('errorSyncConflict'));
    this.lastModified = opts.lastModified ?? null;
  }
}

/** The server answered something we cannot use: malformed JSON, wrong shape, unexpected status. */
export class BadResponseError extends SyncError {
  override name = 'BadResponseError';
  readonly kind = 'bad-response' as const;
  readonly status: number | null;
  /** Weave error code from a 400 body (e.g. 17 size limit), when there was one. */
  readonly code: number | null;

  constructor(message: string, opts: { status?: number | null; code?: number | null; userMessage?: string; cause?: unknown } = {}) {
    super(
      message,
      opts.userMessage ?? t('errorSyncBadResponse'),
      { cause: opts.cause },
    );
    this.status = opts.status ?? null;
    this.code = opts.code ?? null;
  }
}

/**
 * Storage 403 that is not a quota error (Weave code 14) and not a clock-skew reject: the server,
 * or something in front of it, refused the request. Retried later like other bad responses.
 */
export class ServerRefusedError extends BadResponseError {
  override name = 'ServerRefusedError';
  constructor(message: string, opts: { status?: number; code?: number | null; cause?: unknown } = {}) {
    super(message, {
      status: opts.status ?? 403,
      code: opts.code ?? null,
      userMessage: t('errorSyncRefused'),
      cause: opts.cause,
    });
  }
}

export type RecordErrorReason =
  /** HMAC mismatch: wrong key (stale account key) or a tampered record. */
  | 'hmac'
  /** Payload or cleartext is not the expected format (bad JSON, bad padding, missing fields). */
  | 'format'
  /** Cleartext id differs from the BSO id (payload swapped between records). */
  | 'id-mismatch'
  /** Upload: the record is larger than the server accepts, so it was not sent. */
  | 'too-large'
  /** Upload: the server refused it (its reason is in the message). */
  | 'rejected';

/** One record failed; never fatal to the other records of a batch. */
export class RecordError extends SyncError {
  override name = 'RecordError';
  readonly kind = 'bad-record' as const;
  readonly recordId: string;
  readonly reason: RecordErrorReason;

  constructor(message: string, opts: { recordId: string; reason: RecordErrorReason; cause?: unknown }) {
    super(
      message,
      opts.reason === 'too-large' ? t('errorSyncRecordTooLarge') : t('errorSyncRecordUnreadable'),
      { cause: opts.cause },
    );
    this.recordId = opts.recordId;
    this.reason = opts.reason;
  }
}

export type UserActionReason =
  /** Token server invalid-client-state / invalid-keysChangedAt: the account key we hold is stale. */
  | 'stale-keys'
  /** Token server 403 new-users-disabled. */
  | 'new-users-disabled'
  /** Storage 400 code 16 or a hard-eol alert: this client version is no longer accepted. */
  | 'client-upgrade'
  /** Storage 513: the service was decommissioned. */
  | 'service-ended'
  /** Storage 400 or 403 whose body is the Weave code 14: over quota. */
  | 'over-quota'
  /** A first sync with data on both sides: merge, or take one side? */
  | 'first-sync-choice'
  /** Applying the server's changes would delete many items here: approve first. */
  | 'large-deletion'
  /** This browser's changes would delete many of the account's items on the server: approve or keep them first. */
  | 'large-remote-deletion';

const USER_ACTION_MESSAGES: Record<UserActionReason, MessageKey> = {
  'stale-keys': 'errorSyncStaleKeys',
  'new-users-disabled': 'errorSyncNewUsersDisabled',
  'client-upgrade': 'errorSyncClientUpgrade',
  'service-ended': 'errorSyncServiceEnded',
  'over-quota': 'errorSyncOverQuota',
  'first-sync-choice': 'errorSyncFirstSyncChoice',
  'large-deletion': 'errorSyncLargeDeletion',
  'large-remote-deletion': 'errorSyncLargeRemoteDeletion',
};

/** Sync cannot continue until the person does something; retrying alone will not help. */
export class UserActionNeededError extends SyncError {
  override name = 'UserActionNeededError';
  readonly kind = 'user-action-needed' as const;
  readonly reason: UserActionReason;

  constructor(message: string, opts: { reason: UserActionReason; userMessage?: string; cause?: unknown }) {
    super(message, opts.userMessage ?? t(USER_ACTION_MESSAGES[opts.reason]), { cause: opts.cause });
    this.reason = opts.reason;
  }
}

/** Token server 401 invalid-client-state / invalid-keysChangedAt: re-login and re-derive keys. */
export class StaleKeysError extends UserActionNeededError {
  override name = 'StaleKeysError';
  /** The token server's `status` string. */
  readonly serverStatus: string;
  constructor(message: string, serverStatus: string) {
    super(message, { reason: 'stale-keys' });
    this.serverStatus = serverStatus;
  }
}

function describeWait(ms: number): string {
  const s = Math.ceil(ms / 1000);
  if (s < 90) return tCount('waitSeconds', s);
  const m = Math.ceil(s / 60);
  if (m < 90) return tCount('waitMinutes', m);
  return tCount('waitHours', Math.ceil(m / 60));
}

export function isSyncError(e: unknown): e is SyncError {
  return e instanceof SyncError;
}

/** Words for the person, for any thrown value (scheduler `describeError`). */
export function describeSyncError(e: unknown): string {
  if (e instanceof SyncError) return e.userMessage;
  return t('errorSyncUnexpected');
}

/** The run was stopped on purpose (the person signed out): not a failure, nothing to retry. */
export class SyncCancelledError extends SyncError {
  override name = 'SyncCancelledError';
  readonly kind = 'cancelled' as const;

  constructor(message = 'sync cancelled') {
    super(message, t('errorSyncCancelled'));
  }
}
