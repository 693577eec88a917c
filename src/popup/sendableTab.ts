// Which tab the popup's "Send this tab to…" may send: the current window's active tab when it shows
// a web page and is not in a private (incognito) window — nothing of those is ever synced or sent,
// as the "Send to device" menu already says. DOM- and browser-free, so it is tested in Node.
import { t } from '../i18n/i18n.ts';
import { isLinkable } from '../ui/links.ts';

export const CANNOT_SEND_PAGE = t('sendCannotSendPage');
export const CANNOT_SEND_PRIVATE = t('sendCannotSendPrivate');

/** The part of a browser tab this needs. */
export interface ActiveTabLike {
  url?: string;
  title?: string;
  incognito?: boolean;
}

export type SendableTab = { ok: true; url: string; title: string } | { ok: false; reason: string };

export function sendableTab(tab: ActiveTabLike | undefined): SendableTab {
  if (tab?.incognito) return { ok: false, reason: CANNOT_SEND_PRIVATE };
  const url = tab?.url;
  if (!url || !isLinkable(url)) return { ok: false, reason: CANNOT_SEND_PAGE };
  return { ok: true, url, title: tab.title ?? '' };
}
