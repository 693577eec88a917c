// The bookmarks section of the options page: the first-sync choice, approving a large deletion
// (here, or in the account: delete there too, or keep them), restoring a saved copy (of this
// browser's bookmarks here; of the account's, into the account), and problems with this
// browser's bookmark roots.
import { formatDateTime, formatList, formatNumber, t, tCount } from '../i18n/i18n.ts';
import type { BookmarksView, FirstSyncChoiceView } from '../shared/account.ts';
import { send } from '../ui/client.ts';

const el = <T extends HTMLElement>(id: string): T => {
  const node = document.getElementById(id);
  if (!node) throw new Error(`options: missing #${id}`);
  return node as T;
};
const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));
const result = (): HTMLElement => el('bookmarks-result');

export function renderBookmarks(v: BookmarksView): void {
  const problems = el('root-problems');
  problems.hidden = v.rootProblems.length === 0;
  problems.replaceChildren(...v.rootProblems.map((text) => Object.assign(document.createElement('p'), { textContent: text })));

  el('first-sync').hidden = v.pending?.kind !== 'first-sync';
  if (v.pending?.kind === 'first-sync') {
    el('first-sync-text').textContent = t('optionsFirstSync', formatNumber(v.pending.local), formatNumber(v.pending.remote));
  }
  el('large-deletion').hidden = v.pending?.kind !== 'large-deletion';
  if (v.pending?.kind === 'large-deletion') {
    el('large-deletion-text').textContent = t('optionsLargeDeletion', formatNumber(v.pending.deletions), formatNumber(v.pending.localItems));
  }
  el('large-remote-deletion').hidden = v.pending?.kind !== 'large-remote-deletion';
  if (v.pending?.kind === 'large-remote-deletion') {
    el('large-remote-deletion-text').textContent = largeRemoteDeletionText(v.pending);
  }

  el('no-snapshots').hidden = v.snapshots.length > 0;
  el('snapshots').replaceChildren(...v.snapshots.map((s) => {
    if (s.kind === 'account') return accountCopyItem(s, v.accountRestore?.id === s.id);
    const li = document.createElement('li');
    const text = document.createElement('span');
    const when = formatDateTime(s.time);
    text.textContent = tCount('optionsSnapshot', s.count, when, s.reason);
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'secondary';
    button.textContent = t('optionsRestore');
    button.setAttribute('aria-label', t('optionsRestoreLabel', when));
    button.addEventListener('click', async () => {
      button.disabled = true;
      try {
        const { restored } = await send({ type: 'restoreBookmarkSnapshot', id: s.id });
        result().textContent = restored === 0 ? t('optionsRestoreNothing') : tCount('optionsRestored', restored);
      } catch (e) {
        result().textContent = message(e);
      } finally {
        button.disabled = false;
      }
    });
    li.append(text, button);
    return li;
  }));
}

/** The question about the account's bookmarks, in plain words. */
export function largeRemoteDeletionText(p: { deletions: number; remoteItems: number; emptiedRoots: string[] }): string {
  const [deletions, items] = [formatNumber(p.deletions), formatNumber(p.remoteItems)];
  return p.emptiedRoots.length > 0
    ? t('optionsLargeRemoteDeletionRoots', deletions, items, formatList(p.emptiedRoots))
    : t('optionsLargeRemoteDeletion', deletions, items);
}

/** A saved copy of the account's bookmarks, with "Put back in my account". */
function accountCopyItem(s: BookmarksView['snapshots'][number], waiting: boolean): HTMLLIElement {
  const li = document.createElement('li');
  const text = document.createElement('span');
  const when = formatDateTime(s.time);
  const copy = tCount('optionsAccountSnapshot', s.count, when, s.reason);
  text.textContent = waiting ? t('optionsAccountSnapshotWaiting', copy) : copy;
  const button = document.createElement('button');
  button.type = 'button';
  button.className = 'secondary';
  button.textContent = t('optionsPutBack');
  button.disabled = waiting;
  button.setAttribute('aria-label', t('optionsPutBackLabel', when));
  button.addEventListener('click', async () => {
    button.disabled = true;
    try {
      renderBookmarks(await send({ type: 'restoreAccountBookmarks', id: s.id }));
      result().textContent = t('optionsPutBackStarted');
    } catch (e) {
      result().textContent = message(e);
      button.disabled = false;
    }
  });
  li.append(text, button);
  return li;
}

async function choose(choice: FirstSyncChoiceView): Promise<void> {
  try {
    renderBookmarks(await send({ type: 'chooseFirstBookmarkSync', choice }));
    result().textContent = t('optionsChoiceThanks');
  } catch (e) {
    result().textContent = message(e);
  }
}

export function initBookmarksSection(): void {
  el('choose-merge').addEventListener('click', () => void choose('merge'));
  el('choose-take-remote').addEventListener('click', () => void choose('take-remote'));
  el('choose-keep-local').addEventListener('click', () => void choose('keep-local'));
  el('approve-deletion').addEventListener('click', async () => {
    try {
      renderBookmarks(await send({ type: 'approveBookmarkDeletion' }));
      result().textContent = t('optionsDeletionApproved');
    } catch (e) {
      result().textContent = message(e);
    }
  });
  el('approve-remote-deletion').addEventListener('click', async () => {
    try {
      renderBookmarks(await send({ type: 'approveRemoteBookmarkDeletion' }));
      result().textContent = t('optionsRemoteDeletionApproved');
    } catch (e) {
      result().textContent = message(e);
    }
  });
  el('keep-remote').addEventListener('click', async () => {
    try {
      renderBookmarks(await send({ type: 'keepRemoteBookmarks' }));
      result().textContent = t('optionsRemoteKept');
    } catch (e) {
      result().textContent = message(e);
    }
  });
}

export async function loadBookmarks(): Promise<void> {
  renderBookmarks(await send({ type: 'getBookmarksState' }));
}
