// Root-folder situations in Chromium that the person should know about, in plain words for the
// options page: two sets of roots (Google-account and this-device folders, Chrome 134+), Chrome
// Sync syncing the very folders we sync (the parallel-sync trap behind most duplicate reports in
// floccus and xBrowserSync), a missing root, and administrator-managed bookmarks.
import { formatList, t, tCount, type MessageKey } from '../../../i18n/i18n.ts';
import type { BrowserBookmarkNode, ChromiumFolderType } from './api.ts';
import { chooseChromiumRoot } from './roots.ts';

export type RootProblemKind = 'duplicate-roots' | 'chrome-sync' | 'missing-root' | 'managed-bookmarks';

export interface RootProblem {
  kind: RootProblemKind;
  message: string;
}

const FOLDER_NAMES: Readonly<Record<string, MessageKey>> = {
  'bookmarks-bar': 'bookmarksFolderBar',
  other: 'bookmarksFolderOther',
  mobile: 'bookmarksFolderMobile',
};

/** A folder type's name as Chromium shows it, or '' for a type without one. */
function folderName(type: string): string {
  const key = FOLDER_NAMES[type];
  return key ? t(key) : '';
}

/** The names quoted and listed in the browser's language: "„A“ und „B“". */
function list(names: readonly string[]): string {
  return formatList(names.map((name) => t('quotedName', name)));
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
    const names = list(doubled.map(folderName));
    const deviceCopy = doubled.every((t) => chooseChromiumRoot(top, t)?.syncing === false);
    problems.push({
      kind: 'duplicate-roots',
      message: t('rootProblemDuplicate', names, t(deviceCopy ? 'rootProblemDeviceCopy' : 'rootProblemFirstCopy')),
    });
  }

  const syncing = chosen.filter((n) => n.syncing === true).map((n) => n.title || folderName(n.folderType ?? ''));
  if (syncing.length > 0) {
    problems.push({
      kind: 'chrome-sync',
      message: t('rootProblemChromeSync', list(syncing)),
    });
  }

  const missing = (['bookmarks-bar', 'other'] as const).filter((t) => !top.some((n) => n.folderType === t));
  if (missing.length > 0) {
    problems.push({
      kind: 'missing-root',
      message: tCount('rootProblemMissing', missing.length, list(missing.map(folderName))),
    });
  }

  if (top.some((n) => n.folderType === 'managed' || n.unmodifiable === 'managed')) {
    problems.push({
      kind: 'managed-bookmarks',
      message: t('rootProblemManaged'),
    });
  }
  return problems;
}
