/**
 * Add (SPEC §4.2 `add`): registers a gateway that belongs to no factory batch — a third-party
 * gateway whose CUPS key is `Authorization: <token>` — for the current owner. Batch gateways are
 * claimed with their PIN instead (the server answers `batch_conflict`).
 */
import { create } from 'zustand';
import { tryCall } from '../api';
import { toUiError } from '../app/error-text';
import type { RowResult } from './bulk-results';
import { fromItem } from './bulk-results';
import { analyzeId } from './identity-store';

/** State and actions of the add store. */
interface AddState {
  gateway: string;
  flavorid: string;
  token: string;
  busy: boolean;
  result: RowResult | null;
  set(patch: Partial<Pick<AddState, 'gateway' | 'flavorid' | 'token'>>): void;
  add(ownerId: string): Promise<void>;
}

/** The add store. */
export const useAdd = create<AddState>()((set, get) => ({
  gateway: '',
  flavorid: '',
  token: '',
  busy: false,
  result: null,
  set(patch) {
    set({ ...patch, result: null });
  },
  async add(ownerId) {
    const { gateway, flavorid, token } = get();
    if (!analyzeId(gateway).ok || !flavorid.trim() || !token.trim() || get().busy) return;
    set({ busy: true, result: null });
    const answer = await tryCall('gateways:add', {
      ownerId,
      items: [{ gateway, flavorid: flavorid.trim(), token: token.trim() }],
    });
    const result: RowResult = answer.ok
      ? fromItem(1, gateway, answer.value[0] ?? { gateway, code: 'internal', error: 'no answer item' })
      : { line: 1, input: gateway, gateway: null, status: 'failed', error: toUiError(answer.error) };
    set({ busy: false, result, ...(result.status === 'ok' ? { gateway: '', token: '' } : {}) });
  },
}));
