/**
 * Dashboard: station status (URLs, TLS fingerprint, HSM state, counters) and the live feed of CUPS
 * contacts. The top bar reads the HSM state from here too.
 */
import { create } from 'zustand';
import { activityKey } from '../../src-shared/activity-feed';
import { call, subscribe, tryCall } from '../api';
import type { ActivityItem, HsmStatusView, StationStatus } from '../../src-shared/ipc';
import { toUiError, type UiError } from '../app/error-text';

/** Newest first: by contact time, then by gateway (the feed's own order, reversed). */
const newestFirst = (a: ActivityItem, b: ActivityItem): number =>
  b.at.localeCompare(a.at) || b.gateway.localeCompare(a.gateway);

/** How many contacts the live feed keeps. */
export const FEED_SIZE = 50;

/** State and actions of the dashboard store. */
interface DashboardState {
  status: StationStatus | null;
  /** newest first */
  feed: ActivityItem[];
  error: UiError | null;
  loadedAt: number | null;
  load(): Promise<void>;
  /** adds new contacts (newest last in the payload) to the feed */
  addActivity(items: readonly ActivityItem[]): void;
  /** starts the live feed; returns the stop function */
  live(): () => void;
  /** the HSM was unlocked or locked (Settings): shows the new state without waiting for a reload */
  hsmChanged(hsm: HsmStatusView): void;
  /**
   * Follows the HSM state every {@link HSM_POLL_MS} (`hsm:state`), so a pulled token shows in the
   * top bar within a second (docs/twin-hsm.md "Sessions, removal, recovery"); returns the stop
   * function.
   */
  watchHsm(): () => void;
}

/** How often the top bar asks for the HSM state: a pulled token shows within a second. */
const HSM_POLL_MS = 500;

/** The dashboard store. */
export const useDashboard = create<DashboardState>()((set, get) => ({
  status: null,
  feed: [],
  error: null,
  loadedAt: null,

  async load() {
    try {
      const status = await call('station:status', {});
      const known = new Set(get().feed.map(activityKey));
      const recent = status.recentContacts.filter((c) => !known.has(activityKey(c)));
      const feed = [...get().feed, ...recent].sort(newestFirst).slice(0, FEED_SIZE);
      set({ status, feed, error: null, loadedAt: Date.now() });
    } catch (e) {
      set({ error: toUiError(e) });
    }
  },

  addActivity(items) {
    if (items.length === 0) return;
    const known = new Set(get().feed.map(activityKey));
    const fresh = items.filter((i) => !known.has(activityKey(i)));
    const feed = [...fresh, ...get().feed].sort(newestFirst).slice(0, FEED_SIZE);
    set({ feed });
  },

  live() {
    return subscribe('station:activity', (items) => get().addActivity(items));
  },

  hsmChanged(hsm) {
    const status = get().status;
    if (status) set({ status: { ...status, hsm } });
    else void get().load();
  },

  watchHsm() {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const tick = async () => {
      const answer = await tryCall('hsm:state', {});
      if (stopped) return;
      const status = get().status;
      if (answer.ok && status && JSON.stringify(status.hsm) !== JSON.stringify(answer.value)) {
        set({ status: { ...status, hsm: answer.value } });
      }
      timer = setTimeout(() => void tick(), HSM_POLL_MS);
    };
    void tick();
    return () => {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
    };
  },
}));
