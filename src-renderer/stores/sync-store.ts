/**
 * The Sync screen's state (docs/sync.md "Screens"): the link's status, the outbox page of one
 * state, the operation open in the conflict view with both versions, and the actions — link (the
 * API key is sent once and forgotten here too), sync now, resolve (re-apply, drop, adopt).
 */
import { create } from 'zustand';
import { tryCall } from '../api';
import { toUiError, type UiError } from '../app/error-text';
import type { RequestOf, ResponseOf } from '../../src-shared/ipc';
import type { OutboxEntryView, OutboxState, Resolution } from '../../src-shared/contract/sync-views';

/** The outbox filters of the screen, in tab order. */
export const OUTBOX_FILTERS = ['pending', 'sent', 'rejected', 'conflict'] as const;
/** One outbox filter. */
export type OutboxFilter = (typeof OUTBOX_FILTERS)[number];

type SyncStatus = ResponseOf<'sync:status'>;
type Versions = ResponseOf<'sync:versions'>;

/** What the link form sends. */
type LinkInput = RequestOf<'sync:link'>;

/** State and actions of the sync store. */
interface SyncState {
  status: SyncStatus | null;
  filter: OutboxFilter;
  entries: OutboxEntryView[];
  more: boolean;
  /** the filter whose entries are on show (null while a tab's first page loads) */
  shown: OutboxFilter | null;
  /** the operation open in the conflict view */
  open: Versions | null;
  error: UiError | null;
  /** what the last action did, in words */
  done: string | null;
  /** why the last "sync now" round stopped (remote unreachable, key refused …) */
  roundError: string | null;
  busy: boolean;
  load(): Promise<void>;
  setFilter(filter: OutboxFilter): Promise<void>;
  loadMore(): Promise<void>;
  syncNow(): Promise<void>;
  link(input: LinkInput): Promise<boolean>;
  unlink(): Promise<void>;
  openEntry(seq: number): Promise<void>;
  closeEntry(): void;
  resolve(action: Resolution, pins?: Record<string, string>): Promise<boolean>;
}

const PAGE = 100;

const RESOLVED_WORDS: Record<Resolution, string> = {
  reapply: 're-applied: queued again as a new operation',
  drop: 'dropped: the local operation is discarded',
  adopt: 'resolved by adopting the remote’s version',
};

/** The sync store. */
export const useSync = create<SyncState>()((set, get) => {
  const fetchPage = async (filter: OutboxFilter, afterSeq: number): Promise<void> => {
    const states: OutboxState[] = [filter];
    const page = await tryCall('sync:outbox', { states, afterSeq, limit: PAGE });
    if (!page.ok) {
      set({ error: toUiError(page.error) });
      return;
    }
    if (get().filter !== filter) return; // the operator switched tabs meanwhile
    set({
      entries: afterSeq === 0 ? page.value.entries : [...get().entries, ...page.value.entries],
      more: page.value.more,
      shown: filter,
    });
  };
  const refreshStatus = async (): Promise<void> => {
    const s = await tryCall('sync:status', {});
    if (s.ok) set({ status: s.value });
    else set({ error: toUiError(s.error) });
  };
  return {
    status: null,
    filter: 'pending',
    entries: [],
    more: false,
    shown: null,
    open: null,
    error: null,
    done: null,
    roundError: null,
    busy: false,

    async load() {
      await refreshStatus();
      await fetchPage(get().filter, 0);
    },

    async setFilter(filter) {
      set({ filter, entries: [], more: false, shown: null });
      await fetchPage(filter, 0);
    },

    async loadMore() {
      const last = get().entries.at(-1);
      await fetchPage(get().filter, last?.seq ?? 0);
    },

    async syncNow() {
      set({ busy: true, error: null, done: null, roundError: null });
      const r = await tryCall('sync:now', {});
      set({ busy: false });
      if (!r.ok) {
        set({ error: toUiError(r.error) });
        return;
      }
      const { roundError, ...status } = r.value;
      set({
        status,
        roundError,
        done: roundError === null ? 'Synced: pulled, pushed and pulled again.' : null,
      });
      await fetchPage(get().filter, 0);
    },

    async link(input) {
      set({ busy: true, error: null, done: null });
      const r = await tryCall('sync:link', input);
      set({ busy: false });
      if (!r.ok) {
        set({ error: toUiError(r.error) });
        return false;
      }
      set({
        status: r.value,
        done:
          input.apiKey === undefined
            ? `Link saved: ${r.value.url ?? ''}. The sealed API key is kept.`
            : `Linked to ${r.value.url ?? ''}. The API key is sealed in the HSM.`,
      });
      return true;
    },

    async unlink() {
      set({ busy: true, error: null, done: null });
      const r = await tryCall('sync:unlink', {});
      set({ busy: false });
      if (!r.ok) set({ error: toUiError(r.error) });
      else set({ done: 'Unlinked. The outbox is kept.' });
      await refreshStatus();
    },

    async openEntry(seq) {
      set({ error: null, done: null });
      const r = await tryCall('sync:versions', { seq });
      if (!r.ok) set({ error: toUiError(r.error) });
      else set({ open: r.value });
    },

    closeEntry() {
      set({ open: null });
    },

    async resolve(action, pins) {
      const open = get().open;
      if (open === null) return false;
      set({ busy: true, error: null, done: null });
      const r = await tryCall('sync:resolve', {
        seq: open.entry.seq,
        action,
        ...(pins !== undefined ? { pins } : {}),
      });
      set({ busy: false });
      if (!r.ok) {
        set({ error: toUiError(r.error) });
        return false;
      }
      set({ open: null, done: `Operation ${r.value.seq} ${RESOLVED_WORDS[action]}.` });
      await get().load();
      return true;
    },
  };
});
