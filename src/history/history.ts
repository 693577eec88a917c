// "History from other devices": Chromium cannot add other devices' visits to its own history with
// their real times, so they are listed here. The background sends the whole list once per load;
// search filters the rows already on the page, so typing never waits for the background.
import { browser } from '../browser/api.ts';
import { formatNumber, localizePage, t, tCount, uiLanguage } from '../i18n/i18n.ts';
import type { SyncedHistoryView, SyncedPageView } from '../shared/history.ts';
import { onStatusChanged, send } from '../ui/client.ts';
import { mountRemoteTabsList } from '../ui/remoteTabsList.ts';
import {
  displayHost, displayTitle, filterPages, groupByDay, indexPages, isLinkable, localDayKey, timeFormatter, type Indexed,
} from './list.ts';

const el = <T extends HTMLElement>(id: string): T => {
  const node = document.getElementById(id);
  if (!node) throw new Error(`history: missing #${id}`);
  return node as T;
};

const searchInput = el<HTMLInputElement>('search');
const countEl = el<HTMLParagraphElement>('count');
const messageEl = el<HTMLParagraphElement>('message');
const errorEl = el<HTMLParagraphElement>('error');
const results = el<HTMLDivElement>('results');

// Before anything renders: the markup's words in the browser's language.
localizePage(document);

const locale = uiLanguage();
const timeFormat = timeFormatter(locale);

interface Row {
  view: SyncedPageView;
  li: HTMLLIElement;
  section: HTMLElement;
}

let index: Array<Indexed<Row>> = [];
let lastView: SyncedHistoryView | null = null;
/** The local day the headings were written for: "Today" must not linger past midnight. */
let renderedDay = '';

function showMessage(text: string | null): void {
  messageEl.hidden = text === null;
  messageEl.textContent = text ?? '';
}

function showError(text: string | null): void {
  errorEl.hidden = text === null;
  errorEl.textContent = text ?? '';
}

function rowFor(p: SyncedPageView): HTMLLIElement {
  const li = document.createElement('li');
  // Another device's history may hold javascript:, data: or browser-internal addresses: those are text, never links.
  const page = document.createElement(isLinkable(p.url) ? 'a' : 'div');
  page.className = 'page';
  if (page instanceof HTMLAnchorElement) page.href = p.url;
  page.title = p.url;
  const title = document.createElement('span');
  title.className = 'title';
  title.textContent = displayTitle(p);
  const host = document.createElement('span');
  host.className = 'host';
  // Without a host (e.g. a data: address) the address itself says where it leads, unless it is already the title.
  host.textContent = displayHost(p.url) || (p.title !== '' ? p.url : '');
  page.append(title, host);
  const when = document.createElement('time');
  when.className = 'when';
  when.dateTime = new Date(p.lastVisit).toISOString();
  const time = timeFormat.format(p.lastVisit);
  when.textContent = p.visitCount > 1 ? tCount('historyVisits', p.visitCount, time) : time;
  li.append(page, when);
  return li;
}

function renderList(pages: readonly SyncedPageView[]): void {
  const rows: Row[] = [];
  const sections = groupByDay(pages, Date.now(), locale).map((g) => {
    const section = document.createElement('section');
    const h2 = document.createElement('h2');
    h2.id = `day-${g.key}`;
    h2.textContent = g.heading;
    section.setAttribute('aria-labelledby', h2.id);
    const ul = document.createElement('ul');
    for (const view of g.items) {
      const li = rowFor(view);
      rows.push({ view, li, section });
      ul.append(li);
    }
    section.append(h2, ul);
    return section;
  });
  results.replaceChildren(...sections);
  index = indexPages(rows, (r) => r.view);
}

/** Shows the rows matching the query by hiding the others: no element is rebuilt per keystroke. */
function applyFilter(): void {
  if (index.length === 0) {
    countEl.textContent = '';
    return;
  }
  const matches = filterPages(index, searchInput.value);
  const shown = new Set(matches);
  const sectionsShown = new Set<HTMLElement>();
  for (const { item } of index) {
    const visible = shown.has(item);
    item.li.hidden = !visible;
    if (visible) sectionsShown.add(item.section);
  }
  for (const section of results.children) (section as HTMLElement).hidden = !sectionsShown.has(section as HTMLElement);
  const total = index.length;
  countEl.textContent = matches.length === 0 ? t('historyNoMatches')
    : matches.length === total ? tCount('historyPages', total)
    : tCount('historyPagesShown', total, formatNumber(matches.length));
}

function render(view: SyncedHistoryView): void {
  lastView = view;
  renderedDay = localDayKey(Date.now());
  const pages = view.signedIn ? view.pages : [];
  tabsSection.hidden = !view.signedIn;
  if (!view.signedIn) showMessage(t('historySignedOut'));
  else if (!view.engineEnabled) showMessage(t('historyEngineOff'));
  else showMessage(pages.length === 0 ? t('historyNothingYet') : null);
  renderList(pages);
  applyFilter();
}

// ---- Tabs from other devices (the popup's list, shared code) ------------------------------------

const tabsSection = el<HTMLElement>('tabs-section');
const remoteTabs = mountRemoteTabsList(el('remote-tabs'), {
  idPrefix: 'remote-tabs',
  open: async (url) => {
    await browser.tabs.create({ url });
  },
});

let tabLoads = 0;
async function loadTabs(): Promise<void> {
  const mine = ++tabLoads;
  remoteTabs.loading();
  try {
    const view = await send({ type: 'getRemoteTabs' });
    if (mine === tabLoads) remoteTabs.show(view);
  } catch (e) {
    if (mine === tabLoads) remoteTabs.error(e instanceof Error ? e.message : String(e));
  }
}

let loads = 0;
async function load(): Promise<void> {
  void loadTabs();
  // Status broadcasts can come in bursts; only the answer to the latest request is shown.
  const mine = ++loads;
  try {
    const view = await send({ type: 'getSyncedHistory' });
    if (mine !== loads) return;
    showError(null);
    render(view);
  } catch (e) {
    if (mine === loads) showError(e instanceof Error ? e.message : String(e));
  }
}

searchInput.addEventListener('input', applyFilter);
el<HTMLFormElement>('search-form').addEventListener('submit', (ev) => ev.preventDefault());

let signedIn: boolean | null = null;
onStatusChanged((s) => {
  // Progress broadcasts during a sync change nothing here; the list is re-read once it ends or on sign-in/out.
  if (s.syncing && s.signedIn === signedIn) return;
  signedIn = s.signedIn;
  void load();
});

document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'visible' && lastView && localDayKey(Date.now()) !== renderedDay) render(lastView);
});

void load();
