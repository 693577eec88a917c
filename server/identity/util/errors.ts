// FxA error responses: `{code, errno, error, message, info, ...extra}` with Mozilla's errno numbers
// (mozilla/fxa packages/fxa-auth-server/lib/error.js; OAuth ones from lib/oauth/error.js).
const INFO = 'https://mozilla.github.io/ecosystem-platform/api#section/Response-format';

export class FxaError extends Error {
  constructor(
    readonly status: number,
    readonly errno: number,
    readonly errorName: string,
    message: string,
    readonly extra: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  body(): Record<string, unknown> {
    return { code: this.status, errno: this.errno, error: this.errorName, message: this.message, info: INFO, ...this.extra };
  }
}

const bad = (errno: number, message: string, extra?: Record<string, unknown>) =>
  new FxaError(400, errno, 'Bad Request', message, extra);
const unauthorized = (errno: number, message: string, extra?: Record<string, unknown>) =>
  new FxaError(401, errno, 'Unauthorized', message, extra);

export const errors = {
  accountExists: (email: string) => bad(101, 'Account already exists', { email }),
  unknownAccount: (email: string) => bad(102, 'Unknown account', { email }),
  incorrectPassword: (email: string) => bad(103, 'Incorrect password', { email }),
  incorrectEmailCase: (email: string) => bad(120, 'Incorrect email case', { email }),
  unverifiedAccount: () => bad(104, 'Unverified account'),
  invalidJson: () => bad(106, 'Invalid JSON in request body'),
  invalidParameter: (detail: string) =>
    bad(107, 'Invalid parameter in request body', { validation: { source: 'payload', keys: [detail] } }),
  missingParameter: (param: string) => bad(108, `Missing parameter in request body: ${param}`, { param }),
  invalidSignature: (message = 'Invalid request signature') => unauthorized(109, message),
  invalidToken: (message = 'Invalid authentication token in request signature') => unauthorized(110, message),
  invalidTimestamp: (serverTime: number) =>
    unauthorized(111, 'Invalid timestamp in request signature', { serverTime }),
  invalidNonce: () => unauthorized(115, 'Invalid nonce in request signature'),
  tooManyRequests: (retryAfter: number) =>
    new FxaError(429, 114, 'Too Many Requests', 'Client has sent too many requests', { retryAfter }, {
      'retry-after': String(retryAfter),
    }),
  requestBlocked: () =>
    new FxaError(400, 125, 'Request blocked', 'The request was blocked for security reasons', {
      verificationMethod: 'email-captcha',
      verificationReason: 'login',
    }),
  invalidUnblockCode: () => bad(127, 'Invalid unblock code'),
  unknownDevice: () => bad(123, 'Unknown device'),
  unverifiedSession: () => bad(138, 'Unverified session'),
  unavailableDeviceCommand: () => bad(157, 'Unavailable device command.'),
  totpRequired: () => bad(160, 'This request requires two step authentication enabled on your account.'),
  unknownClientId: (clientId: string) => bad(162, 'Unknown client_id', { clientId }),
  invalidOrExpiredOtpCode: () => bad(183, 'Invalid or expired verification code'),
  notFound: () => new FxaError(404, 999, 'Not Found', 'Not Found'),
  // OAuth-server errors keep their own numbering, as Mozilla's OAuth routes still emit them.
  oauthUnknownClient: (clientId: string) => bad(101, 'Unknown client', { clientId }),
  oauthIncorrectRedirect: (redirectUri: string) => bad(103, 'Incorrect redirect_uri', { redirectUri }),
  oauthInvalidAssertion: () => new FxaError(401, 104, 'Bad Request', 'Invalid assertion'),
  oauthUnknownCode: (code: string) => bad(105, 'Unknown code', { requestCode: code }),
  oauthMismatchCode: (code: string, clientId: string) => bad(106, 'Incorrect code', { requestCode: code, client: clientId }),
  oauthExpiredCode: (code: string, expiredAt: number) => bad(107, 'Expired code', { requestCode: code, expiredAt }),
  oauthInvalidToken: () => bad(108, 'Invalid token'),
  oauthInvalidRequestParameter: (detail: string) => bad(109, 'Invalid request parameter', { validation: detail }),
  oauthInvalidResponseType: () => bad(110, 'Invalid response_type'),
  oauthInvalidScopes: (invalidScopes: string[]) =>
    new FxaError(400, 114, 'Invalid scopes', 'Requested scopes are not allowed', { invalidScopes }),
  oauthMismatchCodeChallenge: (pkceHashValue: string | undefined) =>
    bad(117, 'Incorrect code_challenge', { requestCodeChallenge: pkceHashValue }),
  oauthMissingPkce: () => new FxaError(400, 118, 'PKCE parameters missing', 'Public clients require PKCE OAuth parameters'),
  oauthInvalidGrantType: () => bad(121, 'Invalid grant_type'),
};
