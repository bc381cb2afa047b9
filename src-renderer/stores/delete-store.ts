/**
 * Delete / transfer (SPEC §4.2 `delete`): un-claiming drops the setup and the ownership, so the
 * gateway can be claimed again — by another owner, which is how ownership moves. Bulk deletes run
 * in chunks with progress and Cancel; a transfer of one gateway deletes it for the current owner
 * and claims it for the new one with its PIN.
 */
import { create } from 'zustand';
import { tryCall, type EnvelopeError } from '../api';
import type { ItemResultView } from '../../src-shared/ipc';
import { toUiError, type UiError } from '../app/error-text';
import { createBulkRunner, IDLE_RUN, type BulkRunState } from './bulk-run';
import { checkPin } from './claim-store';
import { parseIdList, type IdRow } from './id-list';

/** State and actions of the delete store. */
export interface DeleteState extends BulkRunState {
  text: string;
  rows: IdRow[];
  /** the operator typed the confirmation */
  confirmed: boolean;
  transfer: { busy: boolean; steps: { label: string; ok: boolean; error: UiError | null }[] } | null;
  setText(text: string): void;
  addGateways(ids: readonly string[]): void;
  setConfirmed(v: boolean): void;
  run(ownerId: string): Promise<void>;
  cancel(): void;
  transferOne(fromOwner: string, toOwner: string, gateway: string, pin: string): Promise<boolean>;
  reset(): void;
}

/** Why a one-gateway call failed: the whole call, or its one item; null when it succeeded. */
function singleItemError(
  answer: { ok: true; value: ItemResultView[] } | { ok: false; error: EnvelopeError },
): UiError | null {
  if (!answer.ok) return toUiError(answer.error);
  const item = answer.value[0];
  return item?.code ? { code: item.code, message: item.error ?? '' } : null;
}

/** The delete store. */
export const useDelete = create<DeleteState>()((set, get) => {
  const runner = createBulkRunner(set);
  return {
    text: '',
    rows: [],
    confirmed: false,
    ...IDLE_RUN,
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
      const run = await runner.run(
        rows.map((r) => ({ line: r.line, input: r.input, item: r.input })),
        (gateways) => tryCall('gateways:delete', { ownerId, gateways }),
      );
      set({ results: run.results, cancelled: run.cancelled, confirmed: false });
    },

    cancel() {
      runner.cancel();
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
      const delError = singleItemError(del);
      steps.push({ label: `Delete for ${fromOwner}`, ok: delError === null, error: delError });
      show(delError === null);
      if (delError) return false;
      const claim = await tryCall('gateways:claim', { ownerId: toOwner, items: [{ gateway, claim: p.pin }] });
      const claimError = singleItemError(claim);
      steps.push({ label: `Claim for ${toOwner}`, ok: claimError === null, error: claimError });
      show(false);
      return claimError === null;
    },

    reset() {
      runner.abort();
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
  };
});
