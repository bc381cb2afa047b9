/**
 * Session: who is signed in (HTTP bridge login, or the desktop user over IPC), which channels that
 * operator may call, the owners known to the station, and the owner the operator is working for
 * (remembered in localStorage; fixed when the operator account is bound to one owner).
 */
import { create } from 'zustand';
import { bridgeState, call, firstRunSetup, login, logout, onSessionLost } from '../api';
import type { Channel, SessionInfo } from '../../src-shared/ipc';
import { toUiError, type UiError } from '../app/error-text';

/** An owner as listed in the top bar. */
interface OwnerOption {
  id: string;
  name: string | null;
}

/** State and actions of the session store. */
interface SessionState {
  status: 'loading' | 'first-run' | 'login' | 'ready' | 'unreachable';
  session: SessionInfo | null;
  error: UiError | null;
  /** why the login screen is shown again: the session ended (timeout, logout elsewhere) */
  ended: boolean;
  busy: boolean;
  owners: OwnerOption[];
  /** the owner claims/setups/deletes act for; null = none chosen yet */
  ownerId: string | null;
  /** asks the station where the session stands (on start and after a 401) */
  init(): Promise<void>;
  login(name: string, password: string): Promise<boolean>;
  firstRun(setupPassword: string, name: string, password: string): Promise<boolean>;
  logout(): Promise<void>;
  loadOwners(): Promise<void>;
  setOwner(ownerId: string | null): void;
  /** true when the signed-in operator may call `channel` */
  can(channel: Channel): boolean;
  /** the server said the session is gone: back to the login screen */
  sessionLost(): void;
}

const OWNER_KEY = 'gwjs.owner';

function rememberedOwner(): string | null {
  try {
    return localStorage.getItem(OWNER_KEY);
  } catch {
    return null;
  }
}

function remember(ownerId: string | null): void {
  try {
    if (ownerId === null) localStorage.removeItem(OWNER_KEY);
    else localStorage.setItem(OWNER_KEY, ownerId);
  } catch {
    // storage unavailable (private mode): the choice lasts for this page only
  }
}

/** The session store (one per window). */
export const useSession = create<SessionState>()((set, get) => {
  const signedIn = async (session: SessionInfo): Promise<void> => {
    const bound = session.operator.ownerId;
    set({
      session,
      status: 'ready',
      error: null,
      ended: false,
      ownerId: bound ?? get().ownerId ?? rememberedOwner(),
    });
    await get().loadOwners();
  };

  /** Runs a sign-in (login or first run): busy meanwhile, the error kept on failure. */
  const signInWith = async (start: () => Promise<SessionInfo>): Promise<boolean> => {
    set({ busy: true, error: null });
    try {
      await signedIn(await start());
      return true;
    } catch (e) {
      set({ error: toUiError(e) });
      return false;
    } finally {
      set({ busy: false });
    }
  };

  return {
    status: 'loading',
    session: null,
    error: null,
    ended: false,
    busy: false,
    owners: [],
    ownerId: null,

    async init() {
      set({ status: 'loading', error: null });
      try {
        const state = await bridgeState();
        if (state.session) await signedIn(state.session);
        else set({ status: state.setupRequired ? 'first-run' : 'login', session: null });
      } catch (e) {
        const error = toUiError(e);
        set({ status: error.code === 'station_unreachable' ? 'unreachable' : 'login', error });
      }
    },

    login: (name, password) => signInWith(() => login(name, password)),

    firstRun: (setupPassword, name, password) =>
      signInWith(() => firstRunSetup(setupPassword, name, password)),

    async logout() {
      try {
        await logout();
      } finally {
        set({ session: null, status: 'login', owners: [], error: null });
      }
    },

    async loadOwners() {
      try {
        const rows = await call('owners:list', {});
        const owners = rows.map((o) => ({ id: o.id, name: o.name }));
        const { ownerId, session } = get();
        const bound = session?.operator.ownerId ?? null;
        // Keep the chosen owner if it still exists; otherwise the only owner, or none.
        let next = bound ?? (ownerId && owners.some((o) => o.id === ownerId) ? ownerId : null);
        if (next === null && owners.length === 1) next = owners[0]!.id;
        set({ owners, ownerId: next });
        remember(next);
      } catch (e) {
        set({ error: toUiError(e) });
      }
    },

    setOwner(ownerId) {
      if (get().session?.operator.ownerId) return;
      set({ ownerId });
      remember(ownerId);
    },

    can(channel) {
      return get().session?.channels.includes(channel) ?? false;
    },

    sessionLost() {
      if (get().status !== 'ready') return;
      set({ session: null, status: 'login', error: null, ended: true });
    },
  };
});

onSessionLost(() => useSession.getState().sessionLost());
