// The account section of the options page: server choice, the two sign-in paths, verification,
// device name and sign-out. All state comes from the background; no secret ever reaches this page.
import { browser } from '../browser/api.ts';
import type { AccountView } from '../shared/account.ts';
import { send } from '../ui/client.ts';

const DEFAULT_SERVER = 'https://accounts.firefox.com';
/** Hosts the manifest already grants; anything else needs the optional permission first. */
const GRANTED_HOSTS = [/^https:\/\/([a-z0-9-]+\.)*firefox\.com$/, /^https:\/\/([a-z0-9-]+\.)*services\.mozilla\.com$/, /^http:\/\/(127\.0\.0\.1|localhost)(:\d+)?$/];

const el = <T extends HTMLElement>(id: string): T => {
  const node = document.getElementById(id);
  if (!node) throw new Error(`options: missing #${id}`);
  return node as T;
};
const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

const panels = {
  'signed-out': el<HTMLDivElement>('signed-out'),
  'web-pending': el<HTMLDivElement>('web-pending'),
  'needs-verification': el<HTMLFormElement>('verify-form'),
  'signed-in': el<HTMLDivElement>('signed-in'),
};
const errorEl = el<HTMLParagraphElement>('account-error');
const serverInput = el<HTMLInputElement>('server-url');
const tokenInput = el<HTMLInputElement>('token-server-url');
const passwordForm = el<HTMLFormElement>('password-form');
const signInButton = el<HTMLButtonElement>('sign-in');
const showPassword = el<HTMLAnchorElement>('show-password');

function showError(text: string | null): void {
  errorEl.hidden = text === null;
  errorEl.textContent = text ?? '';
}

let current: AccountView | null = null;

export function renderAccount(view: AccountView): void {
  current = view;
  for (const [state, panel] of Object.entries(panels)) panel.hidden = state !== view.state;
  el('account').textContent =
    view.state === 'signed-in' ? `Signed in as ${view.email}`
      : view.state === 'needs-verification' ? `Confirm the sign-in of ${view.email}`
        : view.state === 'web-pending' ? 'Signing in…' : 'Not signed in';
  if (document.activeElement !== serverInput) serverInput.value = view.server.accountsUrl;
  if (document.activeElement !== tokenInput) tokenInput.value = view.server.tokenServerUrl ?? '';
  if (view.state === 'needs-verification') {
    el('verify-help').textContent = view.method === 'totp-2fa'
      ? 'Enter the 6-digit code from your authenticator app.'
      : `Enter the verification code Mozilla sent to ${view.email}.`;
    el<HTMLButtonElement>('resend-code').hidden = view.method === 'totp-2fa';
    el<HTMLInputElement>('code').focus();
  }
  if (view.state === 'signed-in') {
    const name = el<HTMLInputElement>('device-name');
    if (document.activeElement !== name) name.value = view.deviceName;
  }
  if (view.state !== 'signed-out') setPasswordFormOpen(false);
}

function setPasswordFormOpen(open: boolean): void {
  passwordForm.hidden = !open;
  signInButton.hidden = open;
  showPassword.hidden = open;
  if (open) el<HTMLInputElement>('email').focus();
}

function originsToRequest(urls: string[]): string[] {
  const out: string[] = [];
  for (const u of urls) {
    try {
      const origin = new URL(u).origin;
      if (!GRANTED_HOSTS.some((re) => re.test(origin))) out.push(`${origin}/*`);
    } catch {
      // An invalid URL is reported by the background with a specific message.
    }
  }
  return out;
}

/** Saves the server choice; asks for host access first when it is not Mozilla's or this machine. */
async function saveServer(): Promise<void> {
  const accountsUrl = serverInput.value.trim() || DEFAULT_SERVER;
  const tokenServerUrl = tokenInput.value.trim() || null;
  const origins = originsToRequest([accountsUrl, ...(tokenServerUrl ? [tokenServerUrl] : [])]);
  // Must be the first await in the click handler: the browser only asks during a user gesture.
  if (origins.length > 0 && !(await browser.permissions.request({ origins }))) {
    throw new Error(`Syncbridge needs permission to reach ${origins.map((o) => o.replace('/*', '')).join(' and ')} to use that server.`);
  }
  if (current && current.server.accountsUrl === accountsUrl && current.server.tokenServerUrl === tokenServerUrl) return;
  renderAccount(await send({ type: 'setServer', accountsUrl, tokenServerUrl }));
}

async function act(button: HTMLButtonElement | null, fn: () => Promise<void>): Promise<void> {
  if (button) button.disabled = true;
  showError(null);
  try {
    await fn();
  } catch (e) {
    showError(message(e));
  } finally {
    if (button) button.disabled = false;
  }
}

export function initAccountSection(): void {
  signInButton.addEventListener('click', () => act(signInButton, async () => {
    await saveServer();
    await send({ type: 'startWebSignIn' });
    renderAccount(await send({ type: 'getAccount' }));
  }));
  showPassword.addEventListener('click', (ev) => {
    ev.preventDefault();
    setPasswordFormOpen(true);
  });
  el('password-cancel').addEventListener('click', () => setPasswordFormOpen(false));
  passwordForm.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const button = el<HTMLButtonElement>('password-submit');
    void act(button, async () => {
      await saveServer();
      const passwordInput = el<HTMLInputElement>('password');
      const view = await send({ type: 'passwordSignIn', email: el<HTMLInputElement>('email').value.trim(), password: passwordInput.value });
      passwordInput.value = '';
      renderAccount(view);
    });
  });
  el<HTMLFormElement>('verify-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    void act(el<HTMLButtonElement>('verify-submit'), async () => {
      const code = el<HTMLInputElement>('code');
      renderAccount(await send({ type: 'verifyCode', code: code.value.trim() }));
      code.value = '';
    });
  });
  el<HTMLButtonElement>('resend-code').addEventListener('click', (ev) => act(ev.currentTarget as HTMLButtonElement, async () => {
    await send({ type: 'resendCode' });
    showError(null);
    el('verify-help').textContent = 'A new code is on its way. Enter it below.';
  }));
  for (const id of ['verify-cancel', 'web-cancel']) {
    el(id).addEventListener('click', () => act(null, async () => renderAccount(await send({ type: 'cancelSignIn' }))));
  }
  el<HTMLButtonElement>('sign-out').addEventListener('click', (ev) => act(ev.currentTarget as HTMLButtonElement, async () => {
    renderAccount(await send({ type: 'signOut' }));
  }));
  el<HTMLFormElement>('device-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    void act(null, async () => {
      renderAccount(await send({ type: 'setDeviceName', name: el<HTMLInputElement>('device-name').value }));
      el('device-result').textContent = 'Saved. Other devices see the new name after the next sync.';
    });
  });
}

export async function loadAccount(): Promise<void> {
  renderAccount(await send({ type: 'getAccount' }));
}
