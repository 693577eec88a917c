// The account section of the options page: server choice, the two sign-in paths, verification,
// device name and sign-out, and host access for a self-hosted server (see hostAccess.ts for why it
// is asked in steps). All state comes from the background; no secret ever reaches this page.
import { checkTypedAddress } from '../account/secureUrl.ts';
import { browser } from '../browser/api.ts';
import { t, tCount } from '../i18n/i18n.ts';
import type { AccountView, ServerChoice } from '../shared/account.ts';
import { send } from '../ui/client.ts';
import { hostList, originsToRequest } from './hostAccess.ts';

const DEFAULT_SERVER = 'https://accounts.firefox.com';

const el = <T extends HTMLElement>(id: string): T => {
  const node = document.getElementById(id);
  if (!node) throw new Error(`options: missing #${id}`);
  return node as T;
};
const message = (e: unknown): string => {
  const words = (e as { userMessage?: unknown } | null)?.userMessage;
  if (typeof words === 'string') return words;
  return e instanceof Error ? e.message : String(e);
};

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
const accessPanel = el<HTMLDivElement>('host-access');
const accessText = el<HTMLParagraphElement>('host-access-text');
const allowAccess = el<HTMLButtonElement>('allow-access');

function showError(text: string | null): void {
  errorEl.hidden = text === null;
  errorEl.textContent = text ?? '';
}

let current: AccountView | null = null;

/** The hosts the background last reported for a server choice (discovery, sign-in, storage node). */
let known: { server: string; hosts: string[] } | null = null;
/** The match patterns the "Allow access" button asks for. */
let accessNeeded: string[] = [];

const serverKey = (s: ServerChoice): string => `${s.accountsUrl} ${s.tokenServerUrl ?? ''}`;

/** Of `hosts`, the patterns neither the install nor an earlier grant covers. */
async function missingAccess(hosts: readonly string[]): Promise<string[]> {
  const missing: string[] = [];
  for (const pattern of originsToRequest(hosts)) {
    if (!(await browser.permissions.contains({ origins: [pattern] }))) missing.push(pattern);
  }
  return missing;
}

function showAccessPanel(missing: string[], signedIn: boolean): void {
  accessNeeded = missing;
  accessPanel.hidden = missing.length === 0;
  allowAccess.hidden = missing.length === 0;
  if (missing.length === 0) return;
  accessText.textContent = tCount(signedIn ? 'optionsAccessSignedIn' : 'optionsAccessSignedOut', missing.length, hostList(missing));
}

/** Shows the "Allow access" panel when a host this server uses is not reachable yet. */
async function refreshAccess(view: AccountView): Promise<string[]> {
  const hosts = known && known.server === serverKey(view.server) ? known.hosts : [];
  const missing = await missingAccess(hosts);
  if (current === view) showAccessPanel(missing, view.state === 'signed-in');
  return missing;
}

export function renderAccount(view: AccountView): void {
  current = view;
  if (view.hosts) known = { server: serverKey(view.server), hosts: view.hosts };
  void refreshAccess(view).catch(() => undefined);
  if (view.state === 'signed-out' && view.notice) showError(view.notice);
  for (const [state, panel] of Object.entries(panels)) panel.hidden = state !== view.state;
  el('account').textContent =
    view.state === 'signed-in' ? t('accountSignedInAs', view.email)
      : view.state === 'needs-verification' ? t('accountConfirmSignIn', view.email)
        : view.state === 'web-pending' ? t('accountSigningIn') : t('accountNotSignedIn');
  if (document.activeElement !== serverInput) serverInput.value = view.server.accountsUrl;
  if (document.activeElement !== tokenInput) tokenInput.value = view.server.tokenServerUrl ?? '';
  if (view.state === 'needs-verification') {
    el('verify-help').textContent = view.method === 'totp-2fa'
      ? t('optionsVerifyTotp')
      : t('optionsVerifyEmail', view.email);
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

/**
 * Saves the server choice before a sign-in. Asks first for host access to every host of the
 * server known so far (the addresses typed in, plus what the background reported earlier); once
 * discovery names hosts that are still out of reach, stops with the "Allow access" panel shown.
 */
async function saveServer(): Promise<void> {
  const accountsUrl = serverInput.value.trim() || DEFAULT_SERVER;
  const tokenServerUrl = tokenInput.value.trim() || null;
  // Plain http:// to another computer is refused in words before any permission prompt.
  checkTypedAddress(accountsUrl, 'Sync server');
  if (tokenServerUrl) checkTypedAddress(tokenServerUrl, 'token server');
  const typedKey = serverKey({ accountsUrl, tokenServerUrl });
  const learned = known && known.server === typedKey ? known.hosts : [];
  const origins = originsToRequest([accountsUrl, ...(tokenServerUrl ? [tokenServerUrl] : []), ...learned]);
  // Must be the first await in the click handler: the browser only asks during a user gesture.
  if (origins.length > 0 && !(await browser.permissions.request({ origins }))) {
    throw new Error(t('optionsAccessRefused', hostList(origins)));
  }
  const view = await send({ type: 'setServer', accountsUrl, tokenServerUrl });
  renderAccount(view);
  const missing = await refreshAccess(view);
  if (missing.length > 0) {
    throw new Error(t('optionsAccessMore', hostList(missing)));
  }
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
    el('verify-help').textContent = t('optionsCodeResent');
  }));
  allowAccess.addEventListener('click', () => act(allowAccess, async () => {
    const origins = accessNeeded;
    // The first await of the click handler, as the browser requires.
    if (!(await browser.permissions.request({ origins }))) {
      throw new Error(t('optionsAccessDenied', hostList(origins)));
    }
    allowAccess.hidden = true;
    accessNeeded = [];
    if (current?.state === 'signed-in') {
      accessText.textContent = t('optionsAccessGrantedSignedIn');
      await send({ type: 'syncNow' });
    } else {
      accessText.textContent = t('optionsAccessGrantedSignedOut');
    }
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
      el('device-result').textContent = t('optionsDeviceSaved');
    });
  });
}

export async function loadAccount(): Promise<void> {
  renderAccount(await send({ type: 'getAccount' }));
}
