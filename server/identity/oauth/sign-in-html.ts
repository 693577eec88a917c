// HTML of the OAuth sign-in page: plain, accessible forms (labelled fields, role="alert" errors),
// no JavaScript, so any browser or test driver can complete it.
import type { ServerResponse } from '../../core/http.ts';
import { escapeHtml } from '../util/encoding.ts';

export const PARAMS = ['client_id', 'redirect_uri', 'state', 'scope', 'code_challenge', 'code_challenge_method', 'keys_jwk', 'access_type', 'response_type', 'action', 'email'] as const;
export type Params = Partial<Record<(typeof PARAMS)[number], string>>;

export interface ValidRequest {
  params: Params;
  clientId: string;
  clientName: string;
  redirectUri: string;
  scope: string[];
}

export function html(status: number, body: string, headers: Record<string, string> = {}): ServerResponse {
  return {
    status,
    headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', 'x-frame-options': 'DENY', ...headers },
    body,
  };
}

function page(title: string, content: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
body{font-family:system-ui,sans-serif;margin:0;background:#f9f9fb;color:#15141a}
main{max-width:26rem;margin:3rem auto;padding:2rem;background:#fff;border-radius:8px;box-shadow:0 1px 4px rgba(0,0,0,.15)}
label{display:block;margin-top:1rem;font-weight:600}
input{display:block;width:100%;box-sizing:border-box;margin-top:.25rem;padding:.6rem;font-size:1rem;border:1px solid #8f8f9d;border-radius:4px}
input:focus{outline:2px solid #0060df;outline-offset:1px}
button{margin-top:1.5rem;width:100%;padding:.7rem;font-size:1rem;font-weight:600;color:#fff;background:#0060df;border:0;border-radius:4px;cursor:pointer}
button:focus{outline:2px solid #15141a;outline-offset:2px}
[role=alert]{margin-top:1rem;padding:.75rem;border-radius:4px;background:#fde8ea;color:#a4000f;border:1px solid #a4000f}
</style>
</head>
<body>
<main>
${content}
</main>
</body>
</html>
`;
}

function hiddenFields(params: Params): string {
  return PARAMS.filter((k) => k !== 'email' && params[k] !== undefined)
    .map((k) => `<input type="hidden" name="${k}" value="${escapeHtml(params[k] ?? '')}">`)
    .join('\n');
}

function alertBox(message: string | null): string {
  return message ? `<p role="alert" id="signin-error">${escapeHtml(message)}</p>` : '';
}

export function signInForm(req: ValidRequest, error: string | null, email: string): string {
  return page(
    'Sign in – Mozilla account',
    `<h1>Sign in</h1>
<p>Continue to ${escapeHtml(req.clientName)} with your Mozilla account.</p>
${alertBox(error)}
<form method="post" action="/authorization">
${hiddenFields(req.params)}
<label for="email">Email</label>
<input id="email" name="email" type="email" autocomplete="username" required value="${escapeHtml(email)}"${error ? ' aria-describedby="signin-error"' : ''}>
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required${error ? ' aria-describedby="signin-error" autofocus' : ''}>
<button type="submit">Sign in</button>
</form>`,
  );
}

export function codeForm(req: ValidRequest, pendingId: string, step: 'totp' | 'email', error: string | null): string {
  const label = step === 'totp' ? 'Authentication code' : 'Confirmation code';
  const hint =
    step === 'totp'
      ? 'Enter the 6-digit code from your authentication app.'
      : 'We emailed you a 6-digit confirmation code. Enter it to finish signing in.';
  return page(
    `${label} – Mozilla account`,
    `<h1>${escapeHtml(label)}</h1>
<p id="code-hint">${escapeHtml(hint)}</p>
${alertBox(error)}
<form method="post" action="/authorization">
${hiddenFields(req.params)}
<input type="hidden" name="signin_token" value="${escapeHtml(pendingId)}">
<label for="code">${escapeHtml(label)}</label>
<input id="code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}" required aria-describedby="code-hint${error ? ' signin-error' : ''}">
<button type="submit">Confirm</button>
</form>`,
  );
}

export function errorPage(message: string): ServerResponse {
  return html(400, page('Error – Mozilla account', `<h1>Bad request</h1>\n${alertBox(message)}`));
}

