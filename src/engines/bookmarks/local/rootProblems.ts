// Root-folder situations in Chromium that the person should know about, in plain words for the
// options page: two sets of roots (Google-account and this-device folders, Chrome 134+), Chrome
// Sync syncing the very folders we sync (the parallel-sync trap behind most duplicate reports in
// floccus and xBrowserSync), a missing root, and administrator-managed bookmarks.
import type { BrowserBookmarkNode, ChromiumFolderType } from './api.ts';
import { chooseChromiumRoot } from './roots.ts';

export type RootProblemKind = 'duplicate-roots' | 'chrome-sync' | 'missing-root' | 'managed-bookmarks';

export interface RootProblem {
  kind: RootProblemKind;
  message: string;
}

const FOLDER_NAMES: Readonly<Record<string, string>> = {
  'bookmarks-bar': 'Bookmarks bar',
  other: 'Other bookmarks',
  mobile: 'Mobile bookmarks',
};

function list(names: readonly string[]): string {
  if (names.length <= 1) return names.join('');
  return `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

/** Problems with the browser's top-level folders; empty for Firefox, whose roots are fixed. */
export function describeRootProblems(tree: readonly BrowserBookmarkNode[]): RootProblem[] {
  const top = tree[0]?.children ?? [];
  if (top.some((n) => n.type !== undefined)) return [];
  const problems: RootProblem[] = [];
  const types: ChromiumFolderType[] = ['bookmarks-bar', 'other', 'mobile'];
  const chosen = types.map((t) => chooseChromiumRoot(top, t)).filter((n): n is BrowserBookmarkNode => n !== null);

  const doubled = types.filter((t) => top.filter((n) => n.folderType === t).length > 1);
  if (doubled.length > 0) {
    const names = list(doubled.map((t) => `"${FOLDER_NAMES[t]}"`));
    const deviceCopy = doubled.every((t) => chooseChromiumRoot(top, t)?.syncing === false);
    problems.push({
      kind: 'duplicate-roots',
      message: `This browser keeps two copies of ${names}: one saved in your Google Account and one kept only on this device. `
        + (deviceCopy
          ? 'Syncbridge syncs only the copy kept on this device; bookmarks in the Google Account copy do not reach Firefox. '
          : 'Syncbridge syncs only the first copy. ')
        + 'To sync a bookmark from the other copy, move it into the folder Syncbridge uses in the bookmark manager. '
        + 'Syncbridge remembers which copy it uses, so nothing moves on its own.',
    });
  }

  const syncing = chosen.filter((n) => n.syncing === true).map((n) => `"${n.title || FOLDER_NAMES[n.folderType ?? ''] || ''}"`);
  if (syncing.length > 0) {
    problems.push({
      kind: 'chrome-sync',
      message: `Chrome Sync is also syncing ${list(syncing)} with your Google Account, and Syncbridge syncs the same folders with Firefox. `
        + 'When two sync services change the same bookmarks, bookmarks can be duplicated or come back after you delete them. '
        + 'Turn off Bookmarks in Chrome\'s sync settings (Settings, You and Google, Sync, Manage what you sync), '
        + 'or use Syncbridge in only one of the browsers signed in to that Google Account.',
    });
  }

  const missing = (['bookmarks-bar', 'other'] as const).filter((t) => !top.some((n) => n.folderType === t));
  if (missing.length > 0) {
    problems.push({
      kind: 'missing-root',
      message: `Syncbridge cannot find this browser's ${list(missing.map((t) => `"${FOLDER_NAMES[t]}"`))} folder, `
        + 'so bookmarks that belong there are not synced. Restarting the browser usually brings it back; if not, please report it.',
    });
  }

  if (top.some((n) => n.folderType === 'managed' || n.unmodifiable === 'managed')) {
    problems.push({
      kind: 'managed-bookmarks',
      message: 'Some bookmarks here were set up by your administrator. Syncbridge leaves them alone and does not sync them to Firefox.',
    });
  }
  return problems;
}
