// Typed account errors with a plain-words message for the person signing in.
// errno numbers are Mozilla's (mozilla/fxa packages/fxa-auth-server lib/error.js ERRNO and the OAuth
// server's OAUTH_ERRNO); protocol.md §1.4, §1.5, §10.
import { t, tCount, type MessageKey } from '../i18n/i18n.ts';

export type AccountErrorKind =
  | 'wrong-password'
  | 'unknown-account'
  | 'email-case'
  | 'secondary-email'
  | 'unverified'
  | 'invalid-code'
  | 'throttled'
  | 'blocked'
  | 'bot-challenge'
  | 'totp-required'
  | 'session-expired'
  | 'invalid-grant'
  | 'state-mismatch'
  | 'sign-in-cancelled'
  | 'server-unreachable'
  | 'server-error'
  | 'not-an-accounts-server'
  /** Plain http:// to a server that is not on this computer (the error carries specific words). */
  | 'insecure-server'
  | 'bad-response';

/** Auth-server errno values we react to (lib/error.js ERRNO). */
export const FXA_ERRNO = {
  ACCOUNT_UNKNOWN: 102,
  INCORRECT_PASSWORD: 103,
  ACCOUNT_UNVERIFIED: 104,
  INVALID_VERIFICATION_CODE: 105,
  INVALID_PARAMETER: 107,
  INVALID_REQUEST_SIGNATURE: 109,
  INVALID_TOKEN: 110,
  INVALID_TIMESTAMP: 111,
  THROTTLED: 114,
  INVALID_NONCE: 115,
  INCORRECT_EMAIL_CASE: 120,
  REQUEST_BLOCKED: 125,
  ACCOUNT_RESET: 126,
  INVALID_UNBLOCK_CODE: 127,
  SESSION_UNVERIFIED: 138,
  LOGIN_WITH_SECONDARY_EMAIL: 142,
  INVALID_SIGNIN_CODE: 146,
  LOGIN_WITH_INVALID_EMAIL: 149,
  INVALID_TOKEN_VERIFICATION_CODE: 152,
  EXPIRED_TOKEN_VERIFICATION_CODE: 153,
  TOTP_REQUIRED: 160,
  STALE_AUTH_AT: 164,
  INVALID_EXPIRED_OTP_CODE: 183,
  SERVER_BUSY: 201,
} as const;

/** OAuth-server errno values (OAUTH_ERRNO); the auth server's /v1/oauth/* routes still emit these. */
export const OAUTH_ERRNO = {
  UNKNOWN_CLIENT: 101,
  INCORRECT_REDIRECT: 103,
  INVALID_ASSERTION: 104,
  UNKNOWN_CODE: 105,
  INCORRECT_CODE: 106,
  EXPIRED_CODE: 107,
  INVALID_TOKEN: 108,
  INVALID_SCOPES: 114,
  EXPIRED_TOKEN: 115,
  INCORRECT_CODE_CHALLENGE: 117,
  MISSING_PKCE_PARAMETERS: 118,
  STALE_AUTH_AT: 119,
  UNKNOWN_TOKEN: 122,
} as const;

export interface AccountErrorDetails {
  status?: number;
  errno?: number;
  /** Seconds to wait before retrying (throttled). */
  retryAfter?: number;
  /** The address the server knows the account by (errno 120 and friends). */
  email?: string;
  /** Server message, for logs; never shown as the user message. */
  serverMessage?: string;
  /** How the server wants a blocked sign-in confirmed (errno 125). */
  verificationMethod?: string;
  cause?: unknown;
}

function waitWords(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds) || seconds <= 0) return t('waitFewMinutes');
  if (seconds < 90) return tCount('waitSeconds', Math.ceil(seconds));
  return tCount('waitMinutes', Math.ceil(seconds / 60));
}

const USER_MESSAGES: Record<Exclude<AccountErrorKind, 'throttled' | 'server-error'>, MessageKey> = {
  'wrong-password': 'errorWrongPassword',
  'unknown-account': 'errorUnknownAccount',
  'email-case': 'errorEmailCase',
  'secondary-email': 'errorSecondaryEmail',
  'unverified': 'errorUnverified',
  'invalid-code': 'errorInvalidCode',
  'blocked': 'errorBlocked',
  'bot-challenge': 'errorBotChallenge',
  'totp-required': 'errorTotpRequired',
  'session-expired': 'errorSessionExpired',
  'invalid-grant': 'errorInvalidGrant',
  'state-mismatch': 'errorStateMismatch',
  'sign-in-cancelled': 'errorSignInCancelled',
  'server-unreachable': 'errorServerUnreachable',
  'not-an-accounts-server': 'errorNotAccountsServer',
  'insecure-server': 'errorInsecureServer',
  'bad-response': 'errorBadResponse',
};

function defaultUserMessage(kind: AccountErrorKind, d: AccountErrorDetails): string {
  if (kind === 'throttled') return t('errorThrottled', waitWords(d.retryAfter));
  if (kind === 'server-error') return t('errorServerError', waitWords(d.retryAfter));
  return t(USER_MESSAGES[kind]);
}

export class AccountError extends Error {
  override name = 'AccountError';
  readonly kind: AccountErrorKind;
  readonly userMessage: string;
  readonly status: number | undefined;
  readonly errno: number | undefined;
  readonly retryAfter: number | undefined;
  readonly email: string | undefined;
  readonly verificationMethod: string | undefined;

  constructor(kind: AccountErrorKind, details: AccountErrorDetails = {}, userMessage?: string) {
    const where = [
      details.status !== undefined ? `HTTP ${details.status}` : '',
      details.errno !== undefined ? `errno ${details.errno}` : '',
    ].filter(Boolean).join(', ');
    super(`${kind}${where ? ` (${where})` : ''}${details.serverMessage ? `: ${details.serverMessage}` : ''}`, {
      cause: details.cause,
    });
    this.kind = kind;
    this.userMessage = userMessage ?? defaultUserMessage(kind, details);
    this.status = details.status;
    this.errno = details.errno;
    this.retryAfter = details.retryAfter;
    this.email = details.email;
    this.verificationMethod = details.verificationMethod;
  }
}

export function isAccountError(err: unknown, kind?: AccountErrorKind): err is AccountError {
  return err instanceof AccountError && (kind === undefined || err.kind === kind);
}

/** Which API answered: the OAuth token/destroy routes use their own errno numbering. */
export type ErrnoSpace = 'auth' | 'oauth';

/** The JSON error body FxA sends: `{code, errno, error, message, info, ...extra}`. */
export interface FxaErrorBody {
  code?: unknown;
  errno?: unknown;
  error?: unknown;
  message?: unknown;
  retryAfter?: unknown;
  email?: unknown;
  verificationMethod?: unknown;
}

function numberOrUndefined(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return undefined;
}

/** Maps an FxA JSON error response to an AccountError. */
export function errorFromFxaResponse(
  status: number,
  body: FxaErrorBody,
  space: ErrnoSpace,
  retryAfterHeader: string | null,
): AccountError {
  const errno = numberOrUndefined(body.errno);
  const retryAfter = numberOrUndefined(body.retryAfter) ?? numberOrUndefined(retryAfterHeader);
  const details: AccountErrorDetails = { status };
  if (errno !== undefined) details.errno = errno;
  if (retryAfter !== undefined) details.retryAfter = retryAfter;
  if (typeof body.email === 'string') details.email = body.email;
  if (typeof body.message === 'string') details.serverMessage = body.message;
  if (typeof body.verificationMethod === 'string') details.verificationMethod = body.verificationMethod;

  if (space === 'oauth') {
    switch (errno) {
      case OAUTH_ERRNO.UNKNOWN_CODE:
      case OAUTH_ERRNO.INCORRECT_CODE:
      case OAUTH_ERRNO.EXPIRED_CODE:
      case OAUTH_ERRNO.INVALID_TOKEN:
      case OAUTH_ERRNO.EXPIRED_TOKEN:
      case OAUTH_ERRNO.INCORRECT_CODE_CHALLENGE:
      case OAUTH_ERRNO.MISSING_PKCE_PARAMETERS:
      case OAUTH_ERRNO.STALE_AUTH_AT:
      case OAUTH_ERRNO.UNKNOWN_TOKEN:
        return new AccountError('invalid-grant', details);
      case OAUTH_ERRNO.INVALID_ASSERTION:
        // The session behind an fxa-credentials grant is not (yet) verified.
        return new AccountError('unverified', details);
      default:
        // Auth-server errnos can also come back from /v1/oauth/* (e.g. 110 for a bad refresh token).
        if (errno === FXA_ERRNO.INVALID_TOKEN) return new AccountError('invalid-grant', details);
        // OAuth errno 114 is "invalid scopes", so only the HTTP status says "throttled" here.
        if (status === 429) return new AccountError('throttled', details);
        if (status >= 500) return new AccountError('server-error', details);
        return new AccountError('bad-response', details);
    }
  }

  switch (errno) {
    case FXA_ERRNO.INCORRECT_PASSWORD:
      return new AccountError('wrong-password', details);
    case FXA_ERRNO.ACCOUNT_UNKNOWN:
      return new AccountError('unknown-account', details);
    case FXA_ERRNO.INCORRECT_EMAIL_CASE:
      return new AccountError('email-case', details);
    case FXA_ERRNO.LOGIN_WITH_SECONDARY_EMAIL:
    case FXA_ERRNO.LOGIN_WITH_INVALID_EMAIL:
      return new AccountError('secondary-email', details);
    case FXA_ERRNO.ACCOUNT_UNVERIFIED:
    case FXA_ERRNO.SESSION_UNVERIFIED:
      return new AccountError('unverified', details);
    case FXA_ERRNO.INVALID_VERIFICATION_CODE:
    case FXA_ERRNO.INVALID_UNBLOCK_CODE:
    case FXA_ERRNO.INVALID_SIGNIN_CODE:
    case FXA_ERRNO.INVALID_TOKEN_VERIFICATION_CODE:
    case FXA_ERRNO.EXPIRED_TOKEN_VERIFICATION_CODE:
    case FXA_ERRNO.INVALID_EXPIRED_OTP_CODE:
      return new AccountError('invalid-code', details);
    case FXA_ERRNO.THROTTLED:
      return new AccountError('throttled', details);
    case FXA_ERRNO.REQUEST_BLOCKED:
      return new AccountError('blocked', details);
    case FXA_ERRNO.TOTP_REQUIRED:
      return new AccountError('totp-required', details);
    case FXA_ERRNO.INVALID_TOKEN:
    case FXA_ERRNO.STALE_AUTH_AT:
    case FXA_ERRNO.ACCOUNT_RESET:
      return new AccountError('session-expired', details);
    case FXA_ERRNO.SERVER_BUSY:
      return new AccountError('server-error', details);
    default:
      if (status === 429) return new AccountError('throttled', details);
      if (status >= 500) return new AccountError('server-error', details);
      return new AccountError('bad-response', details);
  }
}
