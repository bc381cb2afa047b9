/**
 * Owners and API keys (SPEC §4.1): create owners, create keys with scopes (the plaintext is shown
 * exactly once and then forgotten by the UI too), list and revoke keys.
 */
import { create } from 'zustand';
import { call, tryCall } from '../api';
import { toUiError, type UiError } from '../app/error-text';
import type { ResponseOf } from '../../src-shared/ipc';

/** API key scopes, in the order the form lists them. */
export const SCOPE_CHOICES = ['read', 'claim', 'setup', 'delete', 'add', 'firmware', 'admin'] as const;
/** One scope. */
export type ScopeChoice = (typeof SCOPE_CHOICES)[number];

type KeySummary = ResponseOf<'apiKeys:list'>[number];
type OwnerRow = ResponseOf<'owners:list'>[number];

/** State and actions of the owners store. */
interface OwnersState {
  owners: OwnerRow[];
  keys: KeySummary[];
  error: UiError | null;
  busy: boolean;
  /** a key just created: shown once, cleared by {@link OwnersState.dismissKey} */
  newKey: { apiKey: string; summary: KeySummary } | null;
  load(): Promise<void>;
  createOwner(id: string, name: string): Promise<boolean>;
  createKey(ownerId: string | null, scopes: readonly ScopeChoice[], label: string): Promise<boolean>;
  revoke(id: string): Promise<void>;
  dismissKey(): void;
}

/** The owners store. */
export const useOwners = create<OwnersState>()((set, get) => ({
  owners: [],
  keys: [],
  error: null,
  busy: false,
  newKey: null,

  async load() {
    try {
      const owners = await call('owners:list', {});
      set({ owners, error: null });
    } catch (e) {
      set({ error: toUiError(e) });
      return;
    }
    const keys = await tryCall('apiKeys:list', {});
    // Operators who may not list keys still see owners.
    set({ keys: keys.ok ? keys.value : [] });
  },

  async createOwner(id, name) {
    set({ busy: true, error: null });
    const answer = await tryCall('owners:create', {
      id: id.trim(),
      ...(name.trim() ? { name: name.trim() } : {}),
    });
    set({ busy: false });
    if (!answer.ok) {
      set({ error: toUiError(answer.error) });
      return false;
    }
    await get().load();
    return true;
  },

  async createKey(ownerId, scopes, label) {
    set({ busy: true, error: null, newKey: null });
    const answer = await tryCall('apiKeys:create', {
      ownerId,
      scopes: [...scopes],
      ...(label.trim() ? { label: label.trim() } : {}),
    });
    set({ busy: false });
    if (!answer.ok) {
      set({ error: toUiError(answer.error) });
      return false;
    }
    set({ newKey: answer.value });
    await get().load();
    return true;
  },

  async revoke(id) {
    const answer = await tryCall('apiKeys:revoke', { id });
    if (!answer.ok) set({ error: toUiError(answer.error) });
    await get().load();
  },

  dismissKey() {
    set({ newKey: null });
  },
}));
