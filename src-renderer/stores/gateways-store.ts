/**
 * Gateways table: a server-side filtered query read page by page as the operator scrolls, so the
 * table stays fast with 100 000 rows (only the pages in view are fetched and kept). A change of
 * owner, search or state starts a new query generation; answers of older generations are dropped.
 * Selecting a row loads its detail: `info` (setup masked, CRCs, last contact) and its audit trail.
 */
import { create } from 'zustand';
import { call } from '../api';
import type { GatewayInfoView, GatewayRow, GatewayState } from '../../src-shared/ipc';
import { toUiError, type UiError } from '../app/error-text';

/** Rows per fetched page. */
export const PAGE_SIZE = 200;
/** Pages kept in memory; farther ones are dropped (and fetched again when scrolled back to). */
const MAX_PAGES = 60;

/** An audit entry as the detail panel lists it. */
interface AuditLine {
  id: number;
  at: string;
  actor: string;
  action: string;
  detail: Record<string, unknown>;
}

/** Detail of the selected gateway. */
export interface GatewayDetail {
  gateway: string;
  loading: boolean;
  info: GatewayInfoView | null;
  audit: AuditLine[];
  error: UiError | null;
}

/** State and actions of the gateways store. */
interface GatewaysState {
  /** owner filter; null = every owner (admins) */
  ownerId: string | null;
  search: string;
  state: GatewayState;
  /** null until the first page of the current query answered */
  total: number | null;
  pages: Map<number, GatewayRow[]>;
  /** bumps whenever a page arrives, so the table re-renders */
  version: number;
  /** server time of the last page, ms */
  elapsedMs: number | null;
  error: UiError | null;
  selected: number | null;
  detail: GatewayDetail | null;
  setQuery(query: { ownerId?: string | null; search?: string; state?: GatewayState }): void;
  /** fetches the pages covering rows [start, end) that are not loaded or in flight */
  ensureRange(start: number, end: number): Promise<void>;
  row(index: number): GatewayRow | undefined;
  select(index: number | null): void;
  loadDetail(gateway: string, ownerId: string | null): Promise<void>;
  /** forgets all pages and reloads the current range (after claim/setup/delete) */
  refresh(): void;
}

let generation = 0;
const inFlight = new Set<string>();
let lastRange: [number, number] = [0, PAGE_SIZE];

/** The gateways store. */
export const useGateways = create<GatewaysState>()((set, get) => {
  const fetchPage = async (page: number, gen: number): Promise<void> => {
    const key = `${gen}:${page}`;
    if (inFlight.has(key)) return;
    inFlight.add(key);
    const { ownerId, search, state } = get();
    try {
      const answer = await call('gateways:query', {
        ownerId,
        ...(search.trim() ? { search: search.trim() } : {}),
        state,
        offset: page * PAGE_SIZE,
        limit: PAGE_SIZE,
      });
      if (gen !== generation) return;
      const pages = new Map(get().pages);
      pages.set(page, answer.rows);
      // Keep memory bounded: drop the pages farthest from the one that just arrived.
      if (pages.size > MAX_PAGES) {
        const far = [...pages.keys()].sort((a, b) => Math.abs(b - page) - Math.abs(a - page));
        for (const p of far.slice(0, pages.size - MAX_PAGES)) pages.delete(p);
      }
      set({
        pages,
        total: answer.total,
        elapsedMs: answer.elapsedMs,
        error: null,
        version: get().version + 1,
      });
      // A row selected while its page was still loading gets its detail now.
      const { selected, detail } = get();
      const picked = selected === null ? undefined : get().row(selected);
      if (picked && detail === null) void get().loadDetail(picked.gateway, picked.owner ?? get().ownerId);
    } catch (e) {
      if (gen === generation) set({ error: toUiError(e) });
    } finally {
      inFlight.delete(key);
    }
  };

  return {
    ownerId: null,
    search: '',
    state: 'any',
    total: null,
    pages: new Map(),
    version: 0,
    elapsedMs: null,
    error: null,
    selected: null,
    detail: null,

    setQuery(query) {
      const cur = get();
      const next = {
        ownerId: query.ownerId === undefined ? cur.ownerId : query.ownerId,
        search: query.search ?? cur.search,
        state: query.state ?? cur.state,
      };
      if (
        next.ownerId === cur.ownerId &&
        next.search === cur.search &&
        next.state === cur.state &&
        cur.total !== null
      )
        return;
      generation++;
      const gen = generation;
      set({ ...next, pages: new Map(), total: null, selected: null, detail: null, version: cur.version + 1 });
      void fetchPage(0, gen).then(() => {
        if (gen === generation) return get().ensureRange(...lastRange);
      });
    },

    async ensureRange(start, end) {
      lastRange = [start, end];
      const { pages, total } = get();
      if (total === null) return;
      const last = Math.min(end, total);
      const wanted: number[] = [];
      for (let p = Math.floor(start / PAGE_SIZE); p * PAGE_SIZE < last; p++)
        if (!pages.has(p)) wanted.push(p);
      await Promise.all(wanted.map((p) => fetchPage(p, generation)));
    },

    row(index) {
      return get().pages.get(Math.floor(index / PAGE_SIZE))?.[index % PAGE_SIZE];
    },

    select(index) {
      set({ selected: index, detail: null });
      if (index === null) return;
      const row = get().row(index);
      // Not loaded yet: the detail follows when its page arrives (see fetchPage).
      if (row) void get().loadDetail(row.gateway, row.owner ?? get().ownerId);
    },

    async loadDetail(gateway, ownerId) {
      set({ detail: { gateway, loading: true, info: null, audit: [], error: null } });
      const stillCurrent = () => get().detail?.gateway === gateway;
      let info: GatewayInfoView | null = null;
      let error: UiError | null = null;
      try {
        if (ownerId !== null) {
          const [item] = await call('gateways:info', { ownerId, gateways: [gateway] });
          if (item?.info) info = item.info;
          else if (item?.code) error = { code: item.code, message: item.error ?? '' };
        }
      } catch (e) {
        error = toUiError(e);
      }
      let audit: AuditLine[] = [];
      try {
        audit = (await call('audit:list', { target: gateway, limit: 50 })).map((a) => ({
          id: a.id,
          at: a.at,
          actor: a.actor,
          action: a.action,
          detail: a.detail,
        }));
      } catch (e) {
        error ??= toUiError(e);
      }
      if (stillCurrent()) set({ detail: { gateway, loading: false, info, audit, error } });
    },

    refresh() {
      generation++;
      set({ pages: new Map(), version: get().version + 1 });
      const [start, end] = lastRange;
      const gen = generation;
      void fetchPage(Math.floor(start / PAGE_SIZE), gen).then(() => get().ensureRange(start, end));
      const d = get().detail;
      if (d) void get().loadDetail(d.gateway, get().row(get().selected ?? -1)?.owner ?? get().ownerId);
    },
  };
});
