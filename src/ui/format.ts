// Human wording for times and states, shared by the popup and the options page.
import type { StatusView } from '../shared/status.ts';

export function relativeTime(ms: number, now: number = Date.now()): string {
  const s = Math.round((now - ms) / 1000);
  const future = s < 0;
  const a = Math.abs(s);
  const phrase = a < 45 ? 'a few seconds' : a < 90 ? '1 minute' : a < 3600 ? `${Math.round(a / 60)} minutes`
    : a < 5400 ? '1 hour' : a < 86_400 ? `${Math.round(a / 3600)} hours` : a < 172_800 ? '1 day' : `${Math.round(a / 86_400)} days`;
  return future ? `in ${phrase}` : `${phrase} ago`;
}

/** One sentence describing where sync stands, for the status line. */
export function statusLine(s: StatusView, now: number = Date.now()): string {
  if (s.syncing) return 'Syncing…';
  if (s.backoffUntil) return `The server asked Syncbridge to wait; next try ${relativeTime(s.backoffUntil, now)}.`;
  const last = s.lastRun;
  if (!last) return 'Not synced yet.';
  if (last.outcome === 'success') return `Last synced ${relativeTime(last.finishedAt, now)}.`;
  const lastGood = s.lastSuccessAt ? ` Last successful sync ${relativeTime(s.lastSuccessAt, now)}.` : '';
  return `${last.message} (${relativeTime(last.finishedAt, now)})${lastGood}`;
}

const RELATIVE_UNITS: ReadonlyArray<[Intl.RelativeTimeFormatUnit, number]> = [
  ['year', 365 * 86_400], ['month', 30 * 86_400], ['week', 7 * 86_400], ['day', 86_400], ['hour', 3600],
];

/**
 * "last used 3 hours ago", "last used 2 days ago", "last used just now": the largest whole unit,
 * with Intl.RelativeTimeFormat in the given language (the page's: the rest of the sentence is in it).
 */
export function lastUsedText(ms: number, now: number = Date.now(), locale?: string): string {
  const s = Math.max(0, Math.floor((now - ms) / 1000));
  if (s < 45) return 'last used just now';
  const rtf = new Intl.RelativeTimeFormat(locale, { numeric: 'always' });
  for (const [unit, size] of RELATIVE_UNITS) if (s >= size) return `last used ${rtf.format(-Math.floor(s / size), unit)}`;
  return `last used ${rtf.format(-Math.max(1, Math.floor(s / 60)), 'minute')}`;
}

const DEVICE_TYPES: Readonly<Record<string, string>> = {
  desktop: 'Desktop', mobile: 'Mobile', phone: 'Mobile', tablet: 'Tablet', tv: 'TV', vr: 'VR headset',
};

/** A device's kind in words, from the type FxA and the clients record use ("desktop", "mobile"…). */
export function deviceTypeLabel(type: string): string {
  const known = DEVICE_TYPES[type.toLowerCase()];
  if (known) return known;
  const t = type.trim();
  return t === '' ? 'Device' : t[0]!.toUpperCase() + t.slice(1);
}
