// The "Tabs from other devices" list as elements, shared by the popup and the History from other
// devices page. What it shows is decided in remoteTabs.ts; this only makes and updates elements.
import { t } from '../i18n/i18n.ts';
import type { RemoteTabsView } from '../shared/tabs.ts';
import {
  LOADING_TABS, NO_REMOTE_TABS, filterSummary, groupTabs, matchingRows, showsFilter, totalTabs, type DeviceGroup, type TabRow,
} from './remoteTabs.ts';

export interface RemoteTabsListOptions {
  /** Prefix of the ids made here, unique on the page. */
  idPrefix: string;
  /** Opens a tab's address here (a new tab); a rejection is shown under the list. */
  open(url: string): Promise<void>;
}

export interface RemoteTabsList {
  /** "Loading tabs…", unless a list is already shown (a re-read keeps it until the answer comes). */
  loading(): void;
  show(view: RemoteTabsView): void;
  /** A failure, in words; a list already shown stays. */
  error(message: string): void;
}

function placeholderIcon(): HTMLSpanElement {
  const span = document.createElement('span');
  span.className = 'tab-icon tab-icon-placeholder';
  span.setAttribute('aria-hidden', 'true');
  return span;
}

function iconFor(row: TabRow): HTMLElement {
  if (row.icon === null) return placeholderIcon();
  const img = document.createElement('img');
  img.className = 'tab-icon';
  img.alt = '';
  img.width = 16;
  img.height = 16;
  img.loading = 'lazy';
  img.decoding = 'async';
  img.referrerPolicy = 'no-referrer';
  // A favicon that does not load (offline, gone, blocked) leaves the neutral placeholder, not a broken image.
  img.addEventListener('error', () => img.replaceWith(placeholderIcon()), { once: true });
  img.src = row.icon;
  return img;
}

export function mountRemoteTabsList(root: HTMLElement, o: RemoteTabsListOptions): RemoteTabsList {
  const filterId = `${o.idPrefix}-filter`;
  const listId = `${o.idPrefix}-list`;

  const filterWrap = document.createElement('div');
  filterWrap.className = 'tabs-filter';
  filterWrap.hidden = true;
  const label = document.createElement('label');
  label.htmlFor = filterId;
  label.textContent = t('remoteTabsFilter');
  const filter = document.createElement('input');
  filter.type = 'search';
  filter.id = filterId;
  filter.autocomplete = 'off';
  filter.spellcheck = false;
  filter.setAttribute('aria-controls', listId);
  filterWrap.append(label, filter);

  const message = document.createElement('p');
  message.className = 'muted tabs-message';
  message.setAttribute('role', 'status');
  message.setAttribute('aria-live', 'polite');
  message.dataset['testid'] = 'remote-tabs-message';
  filter.setAttribute('aria-describedby', `${o.idPrefix}-message`);
  message.id = `${o.idPrefix}-message`;

  const errorEl = document.createElement('p');
  errorEl.className = 'error';
  errorEl.setAttribute('role', 'alert');
  errorEl.dataset['testid'] = 'remote-tabs-error';
  errorEl.hidden = true;

  const list = document.createElement('div');
  list.className = 'tabs-list';
  list.id = listId;
  list.dataset['testid'] = 'remote-tabs-list';

  root.replaceChildren(filterWrap, message, errorEl, list);

  let groups: DeviceGroup[] | null = null;
  let shownJson = '';
  let rows: Array<{ row: TabRow; li: HTMLLIElement; section: HTMLElement }> = [];

  const showError = (text: string | null): void => {
    errorEl.hidden = text === null;
    errorEl.textContent = text ?? '';
  };

  const rowElement = (row: TabRow): HTMLLIElement => {
    const li = document.createElement('li');
    const item = document.createElement(row.linkable ? 'a' : 'div');
    item.className = row.linkable ? 'tab-row' : 'tab-row tab-row-text';
    item.title = row.tab.url;
    if (item instanceof HTMLAnchorElement) {
      item.href = row.tab.url;
      item.addEventListener('click', (ev) => {
        // A plain click opens it here through the tabs API (a popup's own links would not); modified clicks keep the browser's meaning.
        if (ev.button !== 0 || ev.ctrlKey || ev.metaKey || ev.shiftKey || ev.altKey) return;
        ev.preventDefault();
        showError(null);
        o.open(row.tab.url).catch((e: unknown) => showError(e instanceof Error ? e.message : String(e)));
      });
    }
    const text = document.createElement('span');
    text.className = 'tab-text';
    const title = document.createElement('span');
    title.className = 'tab-title';
    title.textContent = row.title;
    text.append(title);
    if (row.host !== '') {
      const host = document.createElement('span');
      host.className = 'tab-host';
      host.textContent = row.host;
      text.append(host);
    }
    item.append(iconFor(row), text);
    li.append(item);
    return li;
  };

  const applyFilter = (): void => {
    if (!groups || groups.length === 0) return;
    const total = totalTabs(groups);
    const shown = matchingRows(groups, filterWrap.hidden ? '' : filter.value);
    const sectionsShown = new Set<HTMLElement>();
    for (const r of rows) {
      const visible = shown.has(r.row);
      r.li.hidden = !visible;
      if (visible) sectionsShown.add(r.section);
    }
    for (const section of list.children) (section as HTMLElement).hidden = !sectionsShown.has(section as HTMLElement);
    message.textContent = filterSummary(shown.size, total);
  };

  filter.addEventListener('input', applyFilter);

  return {
    loading() {
      if (groups !== null) return;
      message.textContent = LOADING_TABS;
    },
    error(text) {
      if (groups === null) {
        message.textContent = '';
      }
      showError(text);
    },
    show(view) {
      showError(null);
      const json = JSON.stringify(view);
      // Status broadcasts re-read the list often; an unchanged answer leaves the elements (and focus) alone.
      if (groups !== null && json === shownJson) return;
      shownJson = json;
      const focusedUrl = document.activeElement instanceof HTMLAnchorElement && list.contains(document.activeElement)
        ? document.activeElement.getAttribute('href') : null;
      groups = groupTabs(view);
      rows = [];
      const sections = groups.map((g, i) => {
        const section = document.createElement('section');
        section.className = 'tabs-device';
        const headingId = `${o.idPrefix}-device-${i}`;
        section.setAttribute('aria-labelledby', headingId);
        const head = document.createElement('div');
        head.className = 'tabs-device-head';
        const h3 = document.createElement('h3');
        h3.id = headingId;
        h3.textContent = g.name;
        const type = document.createElement('span');
        type.className = 'tabs-device-type';
        type.textContent = g.typeLabel;
        head.append(h3, type);
        const ul = document.createElement('ul');
        for (const row of g.rows) {
          const li = rowElement(row);
          rows.push({ row, li, section });
          ul.append(li);
        }
        section.append(head, ul);
        return section;
      });
      list.replaceChildren(...sections);
      filterWrap.hidden = !showsFilter(groups);
      if (groups.length === 0) {
        message.textContent = NO_REMOTE_TABS;
      } else {
        applyFilter();
      }
      if (focusedUrl !== null) {
        const again = [...list.querySelectorAll('a')].find((a) => a.getAttribute('href') === focusedUrl);
        if (again) again.focus();
      }
    },
  };
}
