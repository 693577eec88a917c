// The popup's search across everything synced: a combobox (the field keeps the focus; arrow keys
// move through the results, Enter opens the highlighted one or the first, Escape clears) over a
// listbox of results, each marked with its kind. The background answers from its search index.
import { t } from '../i18n/i18n.ts';
import type { SearchResultView } from '../shared/search.ts';
import { resultDetail } from '../search/labels.ts';
import { displayHost } from '../ui/links.ts';

export interface SearchParts {
  section: HTMLElement;
  input: HTMLInputElement;
  list: HTMLUListElement;
  message: HTMLElement;
  error: HTMLElement;
}

export interface SearchOptions {
  search(query: string): Promise<SearchResultView[]>;
  /** Opens an address here (a new tab); a rejection is shown under the list. */
  open(url: string): Promise<void>;
  /** Quiet time after a keystroke before asking: one request per pause, not per letter. */
  delayMs?: number;
}

export interface PopupSearch {
  /** Shown while signed in. */
  show(signedIn: boolean): void;
}

export function mountSearch(p: SearchParts, o: SearchOptions): PopupSearch {
  let results: SearchResultView[] = [];
  let active = -1;
  let asked = 0;
  /** The query whose answer the list shows. */
  let answered = '';
  let timer: ReturnType<typeof setTimeout> | null = null;

  const showError = (text: string | null): void => {
    p.error.hidden = text === null;
    p.error.textContent = text ?? '';
  };

  const optionId = (i: number): string => `${p.list.id}-${i}`;

  const setActive = (i: number): void => {
    active = results.length === 0 ? -1 : Math.max(-1, Math.min(i, results.length - 1));
    [...p.list.children].forEach((li, n) => li.setAttribute('aria-selected', String(n === active)));
    if (active >= 0) {
      p.input.setAttribute('aria-activedescendant', optionId(active));
      p.list.children[active]?.scrollIntoView({ block: 'nearest' });
    } else {
      p.input.removeAttribute('aria-activedescendant');
    }
  };

  const open = (r: SearchResultView): void => {
    showError(null);
    o.open(r.url).catch((e: unknown) => showError(e instanceof Error ? e.message : String(e)));
  };

  const render = (query: string, found: SearchResultView[]): void => {
    results = found;
    p.list.replaceChildren(...found.map((r, i) => {
      const li = document.createElement('li');
      li.id = optionId(i);
      li.setAttribute('role', 'option');
      li.setAttribute('aria-selected', 'false');
      li.className = `search-result search-${r.kind}`;
      li.dataset['kind'] = r.kind;
      const title = document.createElement('span');
      title.className = 'search-title';
      title.textContent = r.title.trim() !== '' ? r.title : r.url;
      // The popup is narrow: the whole of what the lines cut, on hover.
      li.title = `${title.textContent}\n${resultDetail(r)}\n${r.url}`;
      const about = document.createElement('span');
      about.className = 'search-about';
      const kind = document.createElement('span');
      kind.className = 'search-kind';
      kind.textContent = resultDetail(r);
      const host = document.createElement('span');
      host.className = 'search-host';
      host.textContent = displayHost(r.url);
      about.append(kind, host);
      li.append(title, about);
      // mousedown would take the focus from the field; the click still opens.
      li.addEventListener('mousedown', (ev) => ev.preventDefault());
      li.addEventListener('click', () => open(r));
      li.addEventListener('mousemove', () => {
        if (active !== i) setActive(i);
      });
      return li;
    }));
    p.list.hidden = found.length === 0;
    p.input.setAttribute('aria-expanded', String(found.length > 0));
    setActive(-1);
    // "Nothing matches" is for everyone; the count only for screen readers (the list shows it).
    p.message.textContent = query === '' ? '' : found.length === 0 ? t('searchNoResults', query) : t('searchResultCount', found.length);
    p.message.classList.toggle('visually-hidden', found.length > 0);
  };

  const ask = async (): Promise<void> => {
    const query = p.input.value.trim();
    const mine = ++asked;
    if (query === '') return render('', []);
    try {
      const found = await o.search(query);
      // Typing went on meanwhile: only the latest query's answer is shown.
      if (mine === asked) {
        showError(null);
        render(query, found);
        answered = query;
      }
    } catch (e) {
      if (mine === asked) showError(e instanceof Error ? e.message : String(e));
    }
  };

  p.input.addEventListener('input', () => {
    if (timer !== null) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = null;
      void ask();
    }, o.delayMs ?? 60);
  });

  p.input.addEventListener('keydown', (ev) => {
    if (ev.key === 'ArrowDown' || ev.key === 'ArrowUp') {
      if (results.length === 0) return;
      ev.preventDefault();
      // Wrapping round at either end, as the address bar's own list does.
      const last = results.length - 1;
      if (ev.key === 'ArrowDown') setActive(active >= last ? 0 : active + 1);
      else setActive(active <= 0 ? last : active - 1);
    } else if (ev.key === 'Enter') {
      ev.preventDefault();
      // Enter right after typing opens a result of what is typed, not of the query before it.
      const pending = timer !== null || answered !== p.input.value.trim();
      if (timer !== null) clearTimeout(timer);
      timer = null;
      void (pending ? ask() : Promise.resolve()).then(() => {
        const chosen = results[active >= 0 ? active : 0];
        if (chosen) open(chosen);
      });
    } else if (ev.key === 'Escape' && p.input.value !== '') {
      // The first Escape clears the search; the next one closes the popup, as the browser does.
      ev.preventDefault();
      p.input.value = '';
      asked++;
      render('', []);
    }
  });

  return {
    show(signedIn) {
      p.section.hidden = !signedIn;
      if (!signedIn && p.input.value !== '') {
        p.input.value = '';
        asked++;
        render('', []);
      }
    },
  };
}
