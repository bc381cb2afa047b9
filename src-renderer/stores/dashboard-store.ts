/**
 * Dashboard: station status (URLs, TLS fingerprint, HSM state, counters) and the live feed of CUPS
 * contacts. The top bar reads the HSM state from here too.
 */
import { create } from 'zustand';
import { call, subscribe } from '../api';
import type { ActivityItem, StationStatus } from '../../src-shared/ipc';
import { toUiError, type UiError } from '../app/error-text';

/** How many contacts the live feed keeps. */
export const FEED_SIZE = 50;

/** State and actions of the dashboard store. */
export interface DashboardState {
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
}

/** The dashboard store. */
export const useDashboard = create<DashboardState>()((set, get) => ({
  status: null,
  feed: [],
  error: null,
  loadedAt: null,

  async load() {
    try {
      const status = await call('station:status', {});
      const known = new Set(get().feed.map((f) => f.seq));
      const recent = [...status.recentContacts]
        .sort((a, b) => b.seq - a.seq)
        .filter((c) => !known.has(c.seq));
      const feed = [...get().feed, ...recent].sort((a, b) => b.seq - a.seq).slice(0, FEED_SIZE);
      set({ status, feed, error: null, loadedAt: Date.now() });
    } catch (e) {
      set({ error: toUiError(e) });
    }
  },

  addActivity(items) {
    if (items.length === 0) return;
    const known = new Set(get().feed.map((f) => f.seq));
    const fresh = items.filter((i) => !known.has(i.seq));
    const feed = [...fresh.reverse(), ...get().feed].sort((a, b) => b.seq - a.seq).slice(0, FEED_SIZE);
    set({ feed });
  },

  live() {
    return subscribe('station:activity', (items) => get().addActivity(items));
  },
}));
