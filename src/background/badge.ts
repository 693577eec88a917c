// Applies badgeState.ts to the toolbar button and the notifications whenever the status changes:
// the badge text, colour and tooltip (only when they changed: progress broadcasts come several
// times a second), and the problem notification raised once per problem (remembered in the
// status store, so a restarted worker does not raise it again), cleared when the problem is
// resolved. A click on it opens the options page where the person deals with it.
// Browser-free: the browser's side is in badgeBrowser.ts.
import type { Logger } from '../log/logger.ts';
import type { StatusView } from '../shared/status.ts';
import type { Place } from './badgeState.ts';
import { badgeState, notificationChange, placeOf, type BadgeState, type WaitingDecision } from './badgeState.ts';

export const PROBLEM_PREFIX = 'syncbridge-problem:';

export interface BadgePorts {
  action: {
    setBadgeText(text: string): Promise<void>;
    setBadgeBackgroundColor(colour: string): Promise<void>;
    setTitle(title: string): Promise<void>;
  };
  notifications: {
    show(id: string, title: string, message: string): Promise<void>;
    clear(id: string): Promise<void>;
  };
  /** Opens (or shows, when open) the options page at that section. */
  openOptions(place: Place): Promise<void>;
}

export interface BadgeDeps {
  ports: BadgePorts;
  status(): Promise<StatusView>;
  /** The bookmarks question waiting for the person (SafetyStore.waitingForPerson). */
  decision(): Promise<WaitingDecision | null>;
  /** The problem last notified (the status store's `notified`). */
  notified: { get(): Promise<string | null>; set(key: string | null): Promise<void> };
  log: Logger;
  now?: () => number;
  timer?: { set(fn: () => void, ms: number): unknown; clear(handle: unknown): void };
}

const realTimer = {
  set: (fn: () => void, ms: number): unknown => setTimeout(fn, ms),
  clear: (h: unknown): void => clearTimeout(h as ReturnType<typeof setTimeout>),
};

export class BadgeService {
  private chain: Promise<void> = Promise.resolve();
  private queued = false;
  private latest: StatusView | null = null;
  private shown: Pick<BadgeState, 'text' | 'colour' | 'title'> | null = null;
  private recheck: unknown = null;
  private readonly timer;

  constructor(private readonly d: BadgeDeps) {
    this.timer = d.timer ?? realTimer;
  }

  /**
   * The status changed (or may have: a decision answered, the worker started). Updates run one at
   * a time; a burst of them while one runs becomes a single one with the newest status.
   */
  update(status?: StatusView): Promise<void> {
    if (status) this.latest = status;
    if (this.queued) return this.chain;
    this.queued = true;
    const run = this.chain.then(async () => {
      this.queued = false;
      const s = this.latest ?? (await this.d.status());
      this.latest = null;
      await this.apply(s);
    }).catch((e: unknown) => this.d.log.warn('The toolbar button could not be updated', { error: String(e) }));
    this.chain = run;
    return run;
  }

  private async apply(status: StatusView): Promise<void> {
    const now = (this.d.now ?? Date.now)();
    const state = badgeState({ status, decision: await this.d.decision(), now });
    const { action } = this.d.ports;
    if (this.shown?.text !== state.text || this.shown.colour !== state.colour || this.shown.title !== state.title) {
      await action.setBadgeBackgroundColor(state.colour);
      await action.setBadgeText(state.text);
      await action.setTitle(state.title);
      this.shown = { text: state.text, colour: state.colour, title: state.title };
    }
    if (this.recheck !== null) this.timer.clear(this.recheck);
    this.recheck = state.recheckAt === null ? null : this.timer.set(() => void this.update(), Math.max(0, state.recheckAt - now));

    const before = await this.d.notified.get();
    const change = notificationChange(before, state.notification);
    if (change.clear !== null) await this.d.ports.notifications.clear(PROBLEM_PREFIX + change.clear).catch(() => undefined);
    if (change.raise) {
      await this.d.ports.notifications.show(PROBLEM_PREFIX + change.raise.key, change.raise.title, change.raise.message);
      this.d.log.info('Told the person sync needs them', { problem: change.raise.key });
    }
    if (change.notified !== before) await this.d.notified.set(change.notified);
  }

  /** A click on a problem notification: the options page where it is dealt with. */
  async notificationClicked(id: string): Promise<void> {
    if (!id.startsWith(PROBLEM_PREFIX)) return;
    await this.d.ports.notifications.clear(id).catch(() => undefined);
    // The problem the notification named decides, even if it was resolved meanwhile.
    await this.d.ports.openOptions(placeOf(id.slice(PROBLEM_PREFIX.length)));
  }
}
