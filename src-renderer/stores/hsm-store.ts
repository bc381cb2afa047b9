/**
 * Settings → HSM (docs/station-ui.md): the backend in use, the PKCS#11 modules and tokens there
 * are, switching backend, and the keys the HSM holds (label, kind, KCV — never values). A PIN or
 * passphrase is handed straight to the `hsm:use` call and never kept in any state.
 */
import { create } from 'zustand';
import { tryCall } from '../api';
import type {
  HsmBackendChoice,
  HsmKeyView,
  Pkcs11ModuleView,
  RequestOf,
  TokenSlotView,
} from '../../src-shared/ipc';
import { toUiError, type UiError } from '../app/error-text';
import { useDashboard } from './dashboard-store';

/** State and actions of the HSM store. */
interface HsmState {
  current: HsmBackendChoice | null;
  modules: Pkcs11ModuleView[];
  /** tokens of {@link tokensOf} */
  tokens: TokenSlotView[];
  tokensOf: string | null;
  keys: HsmKeyView[] | null;
  busy: boolean;
  error: UiError | null;
  notice: string | null;
  loadBackend(): Promise<void>;
  loadTokens(module: string): Promise<void>;
  loadKeys(): Promise<void>;
  /** switches the station to a backend; the secret in `request` is not kept */
  useBackend(request: RequestOf<'hsm:use'>): Promise<boolean>;
}

/** The HSM store. */
export const useHsm = create<HsmState>()((set, get) => ({
  current: null,
  modules: [],
  tokens: [],
  tokensOf: null,
  keys: null,
  busy: false,
  error: null,
  notice: null,

  async loadBackend() {
    const answer = await tryCall('hsm:backend', {});
    if (answer.ok) set({ current: answer.value.current, modules: answer.value.modules });
    else set({ error: toUiError(answer.error) });
  },

  async loadTokens(module) {
    set({ tokensOf: module, tokens: [], error: null });
    const answer = await tryCall('hsm:tokens', { module });
    if (get().tokensOf !== module) return;
    if (answer.ok) set({ tokens: answer.value });
    else set({ error: toUiError(answer.error) });
  },

  async loadKeys() {
    const answer = await tryCall('hsm:keys', {});
    set(answer.ok ? { keys: answer.value } : { keys: null });
  },

  async useBackend(request) {
    set({ busy: true, error: null, notice: null });
    const answer = await tryCall('hsm:use', request);
    if (!answer.ok) {
      set({ busy: false, error: toUiError(answer.error) });
      return false;
    }
    useDashboard.getState().hsmChanged(answer.value);
    set({
      busy: false,
      notice:
        request.backend === 'pkcs11'
          ? `Now using token “${request.tokenLabel ?? request.tokenSerial ?? ''}”.`
          : 'Now using the software keystore.',
    });
    await Promise.all([get().loadBackend(), get().loadKeys()]);
    return true;
  },
}));
