// The bookmarks section of the options page: the first-sync choice, approving a large deletion
// (here, or in the account: delete there too, or keep them), restoring a saved copy (of this
// browser's bookmarks here; of the account's, into the account), and problems with this
// browser's bookmark roots.
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
  el('large-remote-deletion').hidden = v.pending?.kind !== 'large-remote-deletion';
  if (v.pending?.kind === 'large-remote-deletion') {
    el('large-remote-deletion-text').textContent = largeRemoteDeletionText(v.pending);
  }

  el('no-snapshots').hidden = v.snapshots.length > 0;
  el('snapshots').replaceChildren(...v.snapshots.map((s) => {
    if (s.kind === 'account') return accountCopyItem(s, v.accountRestore?.id === s.id);
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

/** The question about the account's bookmarks, in plain words. */
export function largeRemoteDeletionText(p: { deletions: number; remoteItems: number; emptiedRoots: string[] }): string {
  const roots = p.emptiedRoots.join(', ').replace(/, ([^,]*)$/, ' and $1');
  return `Syncing would delete ${p.deletions} of the ${p.remoteItems} bookmarks in your account${roots ? ` (everything in ${roots})` : ''}, because they are missing from this browser. ` +
    'If this browser lost them (for example after a crash), keep them. Nothing has been deleted yet.';
}

/** A saved copy of the account's bookmarks, with "Put back in my account". */
function accountCopyItem(s: BookmarksView['snapshots'][number], waiting: boolean): HTMLLIElement {
  const li = document.createElement('li');
  const text = document.createElement('span');
  const when = new Date(s.time).toLocaleString();
  text.textContent = `${when}: ${s.reason} (your account, ${s.count} items)${waiting ? ' — to be put back at the next sync' : ''}`;
  const button = document.createElement('button');
  button.type = 'button';
  button.className = 'secondary';
  button.textContent = 'Put back in my account';
  button.disabled = waiting;
  button.setAttribute('aria-label', `Put back in my account the copy from ${when}`);
  button.addEventListener('click', async () => {
    button.disabled = true;
    try {
      renderBookmarks(await send({ type: 'restoreAccountBookmarks', id: s.id }));
      result().textContent = 'Syncing now: bookmarks of that copy your account no longer has are written back, and come back to this browser. Bookmarks changed since are left as they are.';
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
  el('approve-remote-deletion').addEventListener('click', async () => {
    try {
      renderBookmarks(await send({ type: 'approveRemoteBookmarkDeletion' }));
      result().textContent = 'Approved. Syncing now; a copy of your account’s bookmarks is saved first.';
    } catch (e) {
      result().textContent = message(e);
    }
  });
  el('keep-remote').addEventListener('click', async () => {
    try {
      renderBookmarks(await send({ type: 'keepRemoteBookmarks' }));
      result().textContent = 'Kept. Syncing now: they come back to this browser.';
    } catch (e) {
      result().textContent = message(e);
    }
  });
}

export async function loadBookmarks(): Promise<void> {
  renderBookmarks(await send({ type: 'getBookmarksState' }));
}
