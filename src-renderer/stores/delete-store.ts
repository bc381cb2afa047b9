/**
 * Delete / transfer (SPEC §4.2 `delete`): un-claiming drops the setup and the ownership, so the
 * gateway can be claimed again — by another owner, which is how ownership moves. Bulk deletes run
 * in chunks with progress and Cancel; a transfer of one gateway deletes it for the current owner
 * and claims it for the new one with its PIN.
 */
import { create } from 'zustand';
import { tryCall } from '../api';
import { toUiError, type UiError } from '../app/error-text';
import { chunkSize } from './settings-store';
import { runRows, type RowResult } from './bulk-results';
import { checkPin } from './claim-store';
import { parseIdList, type IdRow } from './id-list';

/** State and actions of the delete store. */
export interface DeleteState {
  text: string;
  rows: IdRow[];
  /** the operator typed the confirmation */
  confirmed: boolean;
  running: boolean;
  cancelling: boolean;
  progress: { done: number; total: number } | null;
  results: RowResult[];
  cancelled: boolean;
  transfer: { busy: boolean; steps: { label: string; ok: boolean; error: UiError | null }[] } | null;
  setText(text: string): void;
  addGateways(ids: readonly string[]): void;
  setConfirmed(v: boolean): void;
  run(ownerId: string): Promise<void>;
  cancel(): void;
  transferOne(fromOwner: string, toOwner: string, gateway: string, pin: string): Promise<boolean>;
  reset(): void;
}

let controller: AbortController | null = null;

/** The delete store. */
export const useDelete = create<DeleteState>()((set, get) => ({
  text: '',
  rows: [],
  confirmed: false,
  running: false,
  cancelling: false,
  progress: null,
  results: [],
  cancelled: false,
  transfer: null,

  setText(text) {
    set({ text, rows: parseIdList(text), results: [], cancelled: false, confirmed: false });
  },

  addGateways(ids) {
    const known = new Set(get().rows.map((r) => r.id6));
    const fresh = ids.filter((id) => !known.has(id));
    if (fresh.length) get().setText([get().text.trim(), ...fresh].filter(Boolean).join('\n'));
  },

  setConfirmed(v) {
    set({ confirmed: v });
  },

  async run(ownerId) {
    const rows = get().rows;
    if (get().running || !get().confirmed || rows.length === 0 || rows.some((r) => r.problem)) return;
    controller = new AbortController();
    set({ running: true, cancelling: false, results: [], cancelled: false, progress: null });
    try {
      const run = await runRows(
        rows.map((r) => ({ line: r.line, input: r.input, item: r.input })),
        (gateways) => tryCall('gateways:delete', { ownerId, gateways }),
        { signal: controller.signal, onProgress: (progress) => set({ progress }), chunkSize: chunkSize() },
      );
      set({ results: run.results, cancelled: run.cancelled, confirmed: false });
    } finally {
      controller = null;
      set({ running: false, cancelling: false });
    }
  },

  cancel() {
    if (!controller) return;
    set({ cancelling: true });
    controller.abort();
  },

  async transferOne(fromOwner, toOwner, gateway, pin) {
    const p = checkPin(pin);
    const steps: { label: string; ok: boolean; error: UiError | null }[] = [];
    const show = (busy: boolean) => set({ transfer: { busy, steps: [...steps] } });
    if (!p.ok) {
      steps.push({ label: 'Check the PIN', ok: false, error: { code: 'bad_claim', message: p.error } });
      show(false);
      return false;
    }
    show(true);
    const del = await tryCall('gateways:delete', { ownerId: fromOwner, gateways: [gateway] });
    const delItem = del.ok ? del.value[0] : undefined;
    const delError = !del.ok
      ? toUiError(del.error)
      : delItem?.code
        ? { code: delItem.code, message: delItem.error ?? '' }
        : null;
    steps.push({ label: `Delete for ${fromOwner}`, ok: delError === null, error: delError });
    show(delError === null);
    if (delError) return false;
    const claim = await tryCall('gateways:claim', { ownerId: toOwner, items: [{ gateway, claim: p.pin }] });
    const claimItem = claim.ok ? claim.value[0] : undefined;
    const claimError = !claim.ok
      ? toUiError(claim.error)
      : claimItem?.code
        ? { code: claimItem.code, message: claimItem.error ?? '' }
        : null;
    steps.push({ label: `Claim for ${toOwner}`, ok: claimError === null, error: claimError });
    show(false);
    return claimError === null;
  },

  reset() {
    controller?.abort();
    set({
      text: '',
      rows: [],
      confirmed: false,
      results: [],
      progress: null,
      cancelled: false,
      transfer: null,
    });
  },
}));
