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
