import { browser } from '../browser/api.ts';
import { formatDateTime, formatNumber, localizePage, t } from '../i18n/i18n.ts';
import { engineInSentence } from '../i18n/engineNames.ts';
import type { StatusView } from '../shared/status.ts';
import type { DeviceView, EnginesView } from '../shared/account.ts';
import { onStatusChanged, send } from '../ui/client.ts';
import { deviceTypeLabel, lastUsedText, relativeTime, statusLine } from '../ui/format.ts';
import { HISTORY_PAGE } from '../ui/pages.ts';
import { mountRemoteTabsList } from '../ui/remoteTabsList.ts';
import { mountSendTab } from './sendTab.ts';
import { mountSearch } from './search.ts';

// Before anything renders: the markup's words in the browser's language.
localizePage(document);

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
const historyButton = el<HTMLButtonElement>('open-history');

const enginesFieldset = el<HTMLFieldSetElement>('engines');
const enginesNote = el<HTMLParagraphElement>('engines-note');

const switches = el<HTMLDivElement>('engine-switches');

/** One labelled checkbox per switchable engine, in the registry's order; made once, then updated. */
function engineBox(name: string, label: string): HTMLInputElement {
  const existing = document.getElementById(`engine-${name}`);
  if (existing) return existing as HTMLInputElement;
  const box = document.createElement('input');
  box.type = 'checkbox';
  box.id = `engine-${name}`;
  box.dataset['engine'] = name;
  box.addEventListener('change', async () => {
    try {
      renderEngines(await send({ type: 'setEngine', engine: name, enabled: box.checked }), true);
    } catch (e) {
      box.checked = !box.checked;
      showError(e instanceof Error ? e.message : String(e));
    }
  });
  const wrap = document.createElement('label');
  wrap.append(box, ` ${label}`);
  switches.append(wrap);
  return box;
}

function renderEngines(v: EnginesView, signedIn: boolean): void {
  enginesFieldset.disabled = !signedIn;
  for (const e of v.engines) engineBox(e.name, e.label).checked = e.enabled;
  enginesNote.hidden = v.pending.length === 0;
  enginesNote.textContent = v.pending.length > 0 ? t('popupEnginesPending') : '';
}

function renderDevices(devices: DeviceView[]): void {
  el('devices-section').hidden = devices.length === 0;
  const list = el<HTMLUListElement>('devices');
  const now = Date.now();
  list.replaceChildren(...devices.map((d) => {
    const li = document.createElement('li');
    const name = document.createElement('span');
    name.className = 'device-name';
    name.textContent = d.name;
    const about = document.createElement('span');
    about.className = 'device-about muted';
    about.textContent = t('popupDeviceAbout', deviceTypeLabel(d.type), lastUsedText(d.lastSeenAt, now));
    li.append(name, about);
    return li;
  }));
}

// ---- Tabs from other devices --------------------------------------------------------------------

const tabsSection = el<HTMLElement>('tabs-section');
const remoteTabs = mountRemoteTabsList(el('remote-tabs'), {
  idPrefix: 'remote-tabs',
  open: async (url) => {
    await browser.tabs.create({ url });
    window.close();
  },
});

let tabsLoads = 0;
async function loadRemoteTabs(): Promise<void> {
  // Broadcasts come in bursts; only the answer to the latest request is shown.
  const mine = ++tabsLoads;
  remoteTabs.loading();
  try {
    const view = await send({ type: 'getRemoteTabs' });
    if (mine === tabsLoads) remoteTabs.show(view);
  } catch (e) {
    if (mine === tabsLoads) remoteTabs.error(e instanceof Error ? e.message : String(e));
  }
}

// ---- Search across everything synced ----------------------------------------------------------------

const search = mountSearch({
  section: el('search-section'),
  input: el('search-input'),
  list: el('search-results'),
  message: el('search-message'),
  error: el('search-error'),
}, {
  search: async (query) => (await send({ type: 'search', query })).results,
  open: async (url) => {
    await browser.tabs.create({ url });
    window.close();
  },
});

// ---- Send this tab to… ----------------------------------------------------------------------------

const sendTab = mountSendTab({
  section: el('send-section'),
  button: el('send-tab'),
  menu: el('send-targets'),
  hint: el('send-hint'),
  result: el('send-result'),
});

let tabsSignedIn: boolean | null = null;
/** Other devices' tabs and the send targets: re-read on sign-in and when a sync ends. */
function refreshRemoteTabs(s: StatusView): void {
  tabsSection.hidden = !s.signedIn;
  // Progress broadcasts during a sync change nothing here; the lists are re-read once it ends or on sign-in.
  if (!s.signedIn || (s.syncing && tabsSignedIn === true)) {
    if (!s.signedIn && tabsSignedIn !== false) sendTab.refresh(false);
    tabsSignedIn = s.signedIn;
    return;
  }
  tabsSignedIn = true;
  void loadRemoteTabs();
  sendTab.refresh(true);
}

async function refreshAccountParts(signedIn: boolean): Promise<void> {
  renderEngines(await send({ type: 'getEngines' }), signedIn);
  renderDevices(signedIn ? await send({ type: 'getDevices' }) : []);
}

let partsSignedIn: boolean | null = null;
function render(s: StatusView): void {
  // Progress broadcasts during a sync change neither the switches nor the devices (and reading them
  // for each step slowed that sync): re-read once it ends, or on sign-in and sign-out.
  if (!s.syncing || s.signedIn !== partsSignedIn) {
    partsSignedIn = s.signedIn;
    void refreshAccountParts(s.signedIn).catch((e: unknown) => showError(e instanceof Error ? e.message : String(e)));
  }
  accountEl.textContent = s.signedIn ? t('accountSignedInAs', s.accountEmail ?? '') : t('accountNotSignedIn');
  if (!s.signedIn && s.accountNotice) showError(s.accountNotice);
  statusEl.textContent = statusLine(s);
  nextEl.textContent = s.nextSyncAt ? t('popupNextSync', relativeTime(s.nextSyncAt)) : '';
  const bar = el<HTMLProgressElement>('progress');
  const barText = el<HTMLParagraphElement>('progress-text');
  const p = s.progress;
  bar.hidden = barText.hidden = p === null || p.total === 0;
  if (p && p.total > 0) {
    bar.max = p.total;
    bar.value = Math.min(p.done, p.total);
    const key = ({ download: 'progressDownload', merge: 'progressMerge', apply: 'progressApply', upload: 'progressUpload' } as const)[p.step];
    barText.textContent = t(key, engineInSentence(p.engine), formatNumber(p.done), formatNumber(p.total));
  }
  historyButton.hidden = !s.signedIn;
  search.show(s.signedIn);
  refreshRemoteTabs(s);
  syncButton.disabled = s.syncing;
  syncButton.textContent = s.syncing ? t('statusSyncing') : t('popupSyncNow');
}

function showError(message: string | null): void {
  errorEl.hidden = message === null;
  errorEl.textContent = message ?? '';
}

async function refresh(): Promise<void> {
  try {
    const status = await send({ type: 'getStatus' });
    showError(null);
    render(status);
  } catch (e) {
    showError(e instanceof Error ? e.message : String(e));
  }
}

syncButton.addEventListener('click', async () => {
  syncButton.disabled = true;
  try {
    const r = await send({ type: 'syncNow' });
    if (r.outcome === 'backing-off') showError(t('popupBackoffUntil', formatDateTime(r.until, { timeStyle: 'short' })));
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

historyButton.addEventListener('click', async () => {
  try {
    await browser.tabs.create({ url: browser.runtime.getURL(HISTORY_PAGE) });
    window.close();
  } catch (e) {
    showError(e instanceof Error ? e.message : String(e));
  }
});

onStatusChanged(render);
void refresh();
