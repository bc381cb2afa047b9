/**
 * Settings: this browser's preferences (bulk chunk size, camera scan interval) and, for admins, the
 * station's operator accounts (create, change role, reset password, disable) and unlocking or
 * locking the HSM. The HSM passphrase is passed straight to the `hsm:unlock` call and never kept in
 * any state.
 */
import { create } from 'zustand';
import { call, tryCall } from '../api';
import type { Operator, Role } from '../../src-shared/ipc';
import { toUiError, type UiError } from '../app/error-text';
import { BULK_CHUNK_SIZE } from './bulk-results';
import { useDashboard } from './dashboard-store';

/** Preferences kept in localStorage. */
interface Preferences {
  /** gateways per request during bulk operations */
  chunkSize: number;
}

const PREFS_KEY = 'gwjs.prefs';
const DEFAULTS: Preferences = { chunkSize: BULK_CHUNK_SIZE };

function loadPrefs(): Preferences {
  try {
    const raw = localStorage.getItem(PREFS_KEY);
    if (!raw) return DEFAULTS;
    const p = JSON.parse(raw) as Partial<Preferences>;
    const chunkSize = Number(p.chunkSize);
    return {
      chunkSize:
        Number.isInteger(chunkSize) && chunkSize >= 1 && chunkSize <= 10_000 ? chunkSize : DEFAULTS.chunkSize,
    };
  } catch {
    return DEFAULTS;
  }
}

/** State and actions of the settings store. */
interface SettingsState {
  prefs: Preferences;
  operators: Operator[];
  error: UiError | null;
  notice: string | null;
  /** an unlock or lock is running */
  hsmBusy: boolean;
  hsmError: UiError | null;
  hsmNotice: string | null;
  /** unlocks the HSM; false (with `hsmError`) on a wrong passphrase */
  unlockHsm(passphrase: string): Promise<boolean>;
  lockHsm(): Promise<boolean>;
  setPrefs(patch: Partial<Preferences>): void;
  loadOperators(): Promise<void>;
  createOperator(input: {
    name: string;
    role: Role;
    password: string;
    ownerId: string | null;
  }): Promise<boolean>;
  updateOperator(input: {
    name: string;
    role?: Role;
    password?: string;
    ownerId?: string | null;
    disabled?: boolean;
  }): Promise<boolean>;
  /** a change of the signed-in operator's own password is running */
  passwordBusy: boolean;
  passwordError: UiError | null;
  passwordNotice: string | null;
  /** changes the signed-in operator's password (the current one checked by the station) */
  changePassword(current: string, password: string): Promise<boolean>;
}

/** The settings store. */
export const useSettings = create<SettingsState>()((set, get) => ({
  prefs: loadPrefs(),
  operators: [],
  error: null,
  notice: null,
  hsmBusy: false,
  hsmError: null,
  hsmNotice: null,
  passwordBusy: false,
  passwordError: null,
  passwordNotice: null,

  async changePassword(current, password) {
    set({ passwordBusy: true, passwordError: null, passwordNotice: null });
    const answer = await tryCall('session:changePassword', { current, password });
    set({
      passwordBusy: false,
      passwordError: answer.ok ? null : toUiError(answer.error),
      passwordNotice: answer.ok ? 'Password changed. Use the new one next time you sign in.' : null,
    });
    return answer.ok;
  },

  async unlockHsm(passphrase) {
    set({ hsmBusy: true, hsmError: null, hsmNotice: null });
    const answer = await tryCall('hsm:unlock', { passphrase });
    if (!answer.ok) {
      set({ hsmBusy: false, hsmError: toUiError(answer.error) });
      return false;
    }
    useDashboard.getState().hsmChanged(answer.value);
    const n = answer.value.keyCount;
    set({ hsmBusy: false, hsmNotice: `HSM unlocked: ${n} root ${n === 1 ? 'key' : 'keys'} available.` });
    return true;
  },

  async lockHsm() {
    set({ hsmBusy: true, hsmError: null, hsmNotice: null });
    const answer = await tryCall('hsm:lock', {});
    if (!answer.ok) {
      set({ hsmBusy: false, hsmError: toUiError(answer.error) });
      return false;
    }
    useDashboard.getState().hsmChanged(answer.value);
    set({ hsmBusy: false, hsmNotice: 'HSM locked: the root keys left memory.' });
    return true;
  },

  setPrefs(patch) {
    const prefs = { ...get().prefs, ...patch };
    set({ prefs });
    try {
      localStorage.setItem(PREFS_KEY, JSON.stringify(prefs));
    } catch {
      // not persisted; fine for this page
    }
  },

  async loadOperators() {
    try {
      set({ operators: await call('operators:list', {}), error: null });
    } catch (e) {
      set({ error: toUiError(e) });
    }
  },

  async createOperator({ name, role, password, ownerId }) {
    set({ error: null, notice: null });
    const answer = await tryCall('operators:create', { name, role, password, ownerId });
    if (!answer.ok) {
      set({ error: toUiError(answer.error) });
      return false;
    }
    set({ notice: `Operator ${answer.value.name} created.` });
    await get().loadOperators();
    return true;
  },

  async updateOperator(input) {
    set({ error: null, notice: null });
    const answer = await tryCall('operators:update', input);
    if (!answer.ok) {
      set({ error: toUiError(answer.error) });
      return false;
    }
    set({ notice: `Operator ${answer.value.name} updated.` });
    await get().loadOperators();
    return true;
  },
}));

/** Chunk size for bulk runs, from the preferences. */
export const chunkSize = (): number => useSettings.getState().prefs.chunkSize;
