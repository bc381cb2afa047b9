/**
 * Audit log: newest first, filtered by target (a gateway/owner id in any form) and action, read in
 * pages ("Load older" continues before the oldest entry shown).
 */
import { create } from 'zustand';
import { call } from '../api';
import type { ResponseOf } from '../../src-shared/ipc';
import { toUiError, type UiError } from '../app/error-text';
import { analyzeId } from './identity-store';

/** Entries per page. */
export const AUDIT_PAGE = 100;

type AuditEntry = ResponseOf<'audit:list'>[number];

/** State and actions of the audit store. */
interface AuditState {
  target: string;
  action: string;
  entries: AuditEntry[];
  loading: boolean;
  /** false once a page came back shorter than {@link AUDIT_PAGE} */
  more: boolean;
  error: UiError | null;
  setFilter(filter: { target?: string; action?: string }): void;
  load(): Promise<void>;
  loadOlder(): Promise<void>;
  /** forgets the entries shown (nothing to list yet) */
  clear(): void;
}

let generation = 0;

/** The audit store. */
export const useAudit = create<AuditState>()((set, get) => {
  const fetchPage = async (before: number | undefined): Promise<void> => {
    const gen = ++generation;
    const { target, action } = get();
    // A gateway typed in any form is searched by its canonical ID6 (what the log records).
    const t = target.trim();
    const a = analyzeId(t);
    set({ loading: true });
    try {
      const page = await call('audit:list', {
        ...(t ? { target: a.ok ? a.id6 : t } : {}),
        ...(action.trim() ? { action: action.trim() } : {}),
        ...(before !== undefined ? { before } : {}),
        limit: AUDIT_PAGE,
      });
      if (gen !== generation) return;
      set({
        entries: before === undefined ? page : [...get().entries, ...page],
        more: page.length === AUDIT_PAGE,
        error: null,
      });
    } catch (e) {
      if (gen === generation) set({ error: toUiError(e) });
    } finally {
      if (gen === generation) set({ loading: false });
    }
  };

  return {
    target: '',
    action: '',
    entries: [],
    loading: false,
    more: false,
    error: null,
    setFilter(filter) {
      set({ target: filter.target ?? get().target, action: filter.action ?? get().action });
    },
    load: () => fetchPage(undefined),
    clear() {
      generation++;
      set({ entries: [], more: false, error: null, loading: false });
    },
    loadOlder() {
      const oldest = get().entries.at(-1);
      return fetchPage(oldest?.id);
    },
  };
});
