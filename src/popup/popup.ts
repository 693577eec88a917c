import { browser } from '../browser/api.ts';
import type { StatusView } from '../shared/status.ts';
import { onStatusChanged, send } from '../ui/client.ts';
import { relativeTime, statusLine } from '../ui/format.ts';

const el = <T extends HTMLElement>(id: string): T => {
  const node = document.getElementById(id);
  if (!node) throw new Error(`popup: missing #${id}`);
  return node as T;
};

const accountEl = el<HTMLParagraphElement>('account');
const statusEl = el<HTMLParagraphElement>('status');
const nextEl = el<HTMLParagraphElement>('next-sync');
const errorEl = el<HTMLParagraphElement>('error');
const syncButton = el<HTMLButtonElement>('sync-now');

function render(s: StatusView): void {
  accountEl.textContent = s.signedIn ? `Signed in as ${s.accountEmail}` : 'Not signed in';
  statusEl.textContent = statusLine(s);
  nextEl.textContent = s.nextSyncAt ? `Next automatic sync ${relativeTime(s.nextSyncAt)}.` : '';
  syncButton.disabled = s.syncing;
  syncButton.textContent = s.syncing ? 'Syncing…' : 'Sync now';
}

function showError(message: string | null): void {
  errorEl.hidden = message === null;
  errorEl.textContent = message ?? '';
}

async function refresh(): Promise<void> {
  try {
    render(await send({ type: 'getStatus' }));
    showError(null);
  } catch (e) {
    showError(e instanceof Error ? e.message : String(e));
  }
}

syncButton.addEventListener('click', async () => {
  syncButton.disabled = true;
  try {
    const r = await send({ type: 'syncNow' });
    if (r.outcome === 'backing-off') showError(`The server asked Syncbridge to wait until ${new Date(r.until).toLocaleTimeString()}.`);
    else showError(null);
  } catch (e) {
    showError(e instanceof Error ? e.message : String(e));
  }
  await refresh();
});

el<HTMLButtonElement>('open-settings').addEventListener('click', () => {
  void browser.runtime.openOptionsPage();
  window.close();
});

onStatusChanged(render);
void refresh();
