/**
 * Delete / transfer (SPEC §4.2 `delete`): un-claiming drops the setup and the ownership, so the
 * gateway can be claimed again — by another owner, which is how ownership moves. Bulk deletes run
 * in chunks with progress and Cancel; a transfer moves one gateway to another owner in one station
 * call (`gateways:transfer`: the new owner's PIN is checked first, nothing changes on failure).
 */
import { create } from 'zustand';
import { tryCall } from '../api';
import { toUiError, type UiError } from '../app/error-text';
import { createBulkRunner, IDLE_RUN, type BulkRunState } from './bulk-run';
import { checkPin } from './claim-store';
import { parseIdList, type IdRow } from './id-list';

/** State and actions of the delete store. */
interface DeleteState extends BulkRunState {
  text: string;
  rows: IdRow[];
  /** the operator typed the confirmation */
  confirmed: boolean;
  /** the one-gateway transfer: running, done (what moved where) or refused (nothing changed) */
  transfer: {
    busy: boolean;
    done: { gateway: string; from: string; to: string } | null;
    error: UiError | null;
  } | null;
  setText(text: string): void;
  addGateways(ids: readonly string[]): void;
  setConfirmed(v: boolean): void;
  run(ownerId: string): Promise<void>;
  cancel(): void;
  transferOne(fromOwner: string, toOwner: string, gateway: string, pin: string): Promise<boolean>;
  reset(): void;
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
      if (!p.ok) {
        set({ transfer: { busy: false, done: null, error: { code: 'bad_claim', message: p.error } } });
        return false;
      }
      set({ transfer: { busy: true, done: null, error: null } });
      // One call: the station checks the PIN first and moves the gateway in one transaction.
      const answer = await tryCall('gateways:transfer', {
        ownerId: fromOwner,
        gateway,
        to: toOwner,
        claim: p.pin,
      });
      set({
        transfer: answer.ok
          ? { busy: false, done: answer.value, error: null }
          : { busy: false, done: null, error: toUiError(answer.error) },
      });
      return answer.ok;
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
