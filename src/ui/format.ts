// Human wording for times and states, shared by the popup and the options page. Words come from
// the messages, numbers and units from Intl in the browser's language.
import { t, uiLanguage } from '../i18n/i18n.ts';
import type { StatusView } from '../shared/status.ts';

/** "5 minutes ago", "in 17 minutes", "a few seconds ago": rounded to the nearest unit, for status lines. */
export function relativeTime(ms: number, now: number = Date.now()): string {
  const s = Math.round((now - ms) / 1000);
  const future = s < 0;
  const a = Math.abs(s);
  if (a < 45) return future ? t('timeInFewSeconds') : t('timeFewSecondsAgo');
  const [n, unit]: [number, Intl.RelativeTimeFormatUnit] = a < 90 ? [1, 'minute'] : a < 3600 ? [Math.round(a / 60), 'minute']
    : a < 5400 ? [1, 'hour'] : a < 86_400 ? [Math.round(a / 3600), 'hour'] : a < 172_800 ? [1, 'day'] : [Math.round(a / 86_400), 'day'];
  return new Intl.RelativeTimeFormat(uiLanguage(), { numeric: 'always' }).format(future ? n : -n, unit);
}

/** One sentence describing where sync stands, for the status line. */
export function statusLine(s: StatusView, now: number = Date.now()): string {
  if (s.syncing) return t('statusSyncing');
  if (s.backoffUntil) return t('statusBackoff', relativeTime(s.backoffUntil, now));
  const last = s.lastRun;
  if (!last) return t('statusNotSynced');
  if (last.outcome === 'success') return t('statusLastSynced', relativeTime(last.finishedAt, now));
  const failed = t('statusFailed', last.message, relativeTime(last.finishedAt, now));
  return s.lastSuccessAt ? `${failed} ${t('statusLastSuccess', relativeTime(s.lastSuccessAt, now))}` : failed;
}

const RELATIVE_UNITS: ReadonlyArray<[Intl.RelativeTimeFormatUnit, number]> = [
  ['year', 365 * 86_400], ['month', 30 * 86_400], ['week', 7 * 86_400], ['day', 86_400], ['hour', 3600],
];

/**
 * "last used 3 hours ago", "last used 2 days ago", "last used just now": the largest whole unit,
 * with Intl.RelativeTimeFormat in the browser's language (that of the rest of the sentence).
 */
export function lastUsedText(ms: number, now: number = Date.now(), locale: string = uiLanguage()): string {
  const s = Math.max(0, Math.floor((now - ms) / 1000));
  if (s < 45) return t('deviceLastUsedJustNow');
  const rtf = new Intl.RelativeTimeFormat(locale, { numeric: 'always' });
  for (const [unit, size] of RELATIVE_UNITS) if (s >= size) return t('deviceLastUsed', rtf.format(-Math.floor(s / size), unit));
  return t('deviceLastUsed', rtf.format(-Math.max(1, Math.floor(s / 60)), 'minute'));
}

/** A device's kind in words, from the type FxA and the clients record use ("desktop", "mobile"…). */
export function deviceTypeLabel(type: string): string {
  switch (type.toLowerCase()) {
    case 'desktop': return t('deviceTypeDesktop');
    case 'mobile': case 'phone': return t('deviceTypeMobile');
    case 'tablet': return t('deviceTypeTablet');
    case 'tv': return t('deviceTypeTv');
    case 'vr': return t('deviceTypeVr');
  }
  // A kind this version does not know is shown as the other device names it.
  const trimmed = type.trim();
  return trimmed === '' ? t('deviceTypeUnknown') : trimmed[0]!.toUpperCase() + trimmed.slice(1);
}
