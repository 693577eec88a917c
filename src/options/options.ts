import { localizePage, t, tCount } from '../i18n/i18n.ts';
import { formatLogEntry } from '../shared/logEntry.ts';
import type { StatusView } from '../shared/status.ts';
import { onStatusChanged, send } from '../ui/client.ts';
import { statusLine } from '../ui/format.ts';
import { syncRefreshGate } from '../ui/syncRefresh.ts';
import { initAccountSection, loadAccount } from './account.ts';
import { initBookmarksSection, loadBookmarks } from './bookmarks.ts';
import { initHistorySection, renderHistorySettings } from './history.ts';
import type { Settings } from '../shared/settings.ts';

// Before anything renders: the markup's words in the browser's language.
localizePage(document);

const el = <T extends HTMLElement>(id: string): T => {
  const node = document.getElementById(id);
  if (!node) throw new Error(`options: missing #${id}`);
  return node as T;
};

const intervalInput = el<HTMLInputElement>('interval');
// The page fills the field from the background once it answers; what the person typed before that wins.
// A field the person is in is never filled either: filling it between their select-all and their
// typing turned "17" into "1017" (seen in CI).
let intervalTyped = false;
intervalInput.addEventListener('input', () => {
  intervalTyped = true;
});
const intervalResult = el<HTMLParagraphElement>('interval-result');
const logArea = el<HTMLTextAreaElement>('log');
const logResult = el<HTMLSpanElement>('log-result');

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

function renderStatus(s: StatusView): void {
  el('status').textContent = statusLine(s);
  el('version').textContent = s.extensionVersion;
}

async function loadLog(): Promise<void> {
  const entries = await send({ type: 'getLogs', limit: 500 });
  logArea.value = entries.map(formatLogEntry).join('\n');
  logArea.scrollTop = logArea.scrollHeight;
}

el<HTMLFormElement>('schedule-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  try {
    const saved = await send({ type: 'updateSettings', patch: { syncIntervalMinutes: Number(intervalInput.value) } });
    intervalInput.value = String(saved.syncIntervalMinutes);
    intervalResult.className = '';
    intervalResult.textContent = tCount('optionsIntervalSaved', saved.syncIntervalMinutes);
  } catch (e) {
    intervalResult.className = 'error';
    intervalResult.textContent = message(e);
  }
});

// "Sync automatically": disabled until the saved setting is shown, so a click is never overwritten by the load.
const autoSyncBox = el<HTMLInputElement>('auto-sync');
const autoSyncResult = el<HTMLParagraphElement>('auto-sync-result');
function renderAutoSync(settings: Settings): void {
  autoSyncBox.checked = settings.autoSync;
  autoSyncBox.disabled = false;
}
autoSyncBox.addEventListener('change', async () => {
  const wanted = autoSyncBox.checked;
  try {
    const saved = await send({ type: 'updateSettings', patch: { autoSync: wanted } });
    autoSyncBox.checked = saved.autoSync;
    autoSyncResult.className = '';
    autoSyncResult.textContent = t(saved.autoSync ? 'optionsAutoSyncSavedOn' : 'optionsAutoSyncSavedOff');
  } catch (e) {
    autoSyncBox.checked = !wanted;
    autoSyncResult.className = 'error';
    autoSyncResult.textContent = message(e);
  }
});

el<HTMLButtonElement>('refresh-log').addEventListener('click', () => {
  loadLog().catch((e: unknown) => (logResult.textContent = message(e)));
});

el<HTMLButtonElement>('copy-log').addEventListener('click', async () => {
  try {
    await navigator.clipboard.writeText(logArea.value);
    logResult.textContent = t('optionsLogCopied');
  } catch {
    // Clipboard access can be refused (e.g. page not focused); selecting lets the person copy by hand.
    logArea.select();
    logResult.textContent = t('optionsLogCopyByHand');
  }
});

el<HTMLButtonElement>('clear-log').addEventListener('click', async () => {
  try {
    const { cleared } = await send({ type: 'clearLogs' });
    logArea.value = '';
    logResult.textContent = tCount('optionsLogCleared', cleared);
  } catch (e) {
    logResult.textContent = message(e);
  }
});

let accountSignedIn: boolean | null = null;
// The log during a sync: its first lines, then every 2 s, then all of it when it ends.
const logDue = syncRefreshGate(2_000);
onStatusChanged((s) => {
  renderStatus(s);
  if (logDue(s)) void loadLog().catch(() => undefined);
  // Sign-in completes in the background (web flow in another tab): re-read the account view.
  // A sync's progress broadcasts do not change it; its end may (device name, engines).
  if (!s.syncing || s.signedIn !== accountSignedIn) {
    accountSignedIn = s.signedIn;
    void loadAccount().catch(() => undefined);
  }
  if (!s.syncing) void loadBookmarks().catch(() => undefined);
});
initAccountSection();
initBookmarksSection();
initHistorySection();

async function init(): Promise<void> {
  const [settings, status] = await Promise.all([send({ type: 'getSettings' }), send({ type: 'getStatus' })]);
  if (!intervalTyped && document.activeElement !== intervalInput) intervalInput.value = String(settings.syncIntervalMinutes);
  renderHistorySettings(settings);
  renderAutoSync(settings);
  renderStatus(status);
  await loadAccount();
  await loadBookmarks();
  await loadLog();
}

init().catch((e: unknown) => {
  el('status').textContent = message(e);
});
