// The bookmarks section of the options page: the first-sync choice, approving a large deletion,
// restoring a saved copy, and problems with this browser's bookmark roots.
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
    el('first-sync-text').textContent = `This browser has ${v.pending.local} bookmarks and your account has ${v.pending.remote}. How should Syncbridge combine them? Nothing changes until you choose.`;
  }
  el('large-deletion').hidden = v.pending?.kind !== 'large-deletion';
  if (v.pending?.kind === 'large-deletion') {
    el('large-deletion-text').textContent = `${v.pending.deletions} of this browser’s ${v.pending.localItems} bookmarks were deleted on another device.`;
  }

  el('no-snapshots').hidden = v.snapshots.length > 0;
  el('snapshots').replaceChildren(...v.snapshots.map((s) => {
    const li = document.createElement('li');
    const text = document.createElement('span');
    text.textContent = `${new Date(s.time).toLocaleString()}: ${s.reason} (${s.count} items)`;
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'secondary';
    button.textContent = 'Restore';
    button.setAttribute('aria-label', `Restore the copy from ${new Date(s.time).toLocaleString()}`);
    button.addEventListener('click', async () => {
      button.disabled = true;
      try {
        const { restored } = await send({ type: 'restoreBookmarkSnapshot', id: s.id });
        result().textContent = restored === 0 ? 'Every bookmark of that copy is already here.' : `Restored ${restored} bookmarks. They sync to your other devices next.`;
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

async function choose(choice: FirstSyncChoiceView): Promise<void> {
  try {
    renderBookmarks(await send({ type: 'chooseFirstBookmarkSync', choice }));
    result().textContent = 'Thanks. Syncing now.';
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
      result().textContent = 'Approved. Syncing now.';
    } catch (e) {
      result().textContent = message(e);
    }
  });
}

export async function loadBookmarks(): Promise<void> {
  renderBookmarks(await send({ type: 'getBookmarksState' }));
}
