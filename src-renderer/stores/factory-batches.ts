/**
 * Batches screen state (docs/factory-line.md): the batches with KCV, bundle settings and counters, the
 * create form (an EUI or MAC range — a MAC-48 becomes an EUI-64 per SPEC §1.2, shown live), and
 * changing what a batch's bundles carry. Overlapping ranges are refused by the station
 * (`batch_conflict`, naming the batch met); the form shows that message as it is.
 */
import { create } from 'zustand';
import { call, tryCall } from '../api';
import { toUiError, type UiError } from '../app/error-text';
import type { FactoryBatch } from '../../src-shared/factory-channels';
import { formatEui64, parseId } from '../../src-shared/ids';

/** The create form's fields. */
export interface BatchForm {
  first: string;
  last: string;
  flavor: string;
  model: string;
  cupsUri: string;
  trustPem: string;
}

/** An empty form. */
const EMPTY_BATCH_FORM: BatchForm = {
  first: '',
  last: '',
  flavor: '',
  model: '',
  cupsUri: '',
  trustPem: '',
};

/** Live reading of a range end: the EUI-64 it means (and whether it came from a MAC), or why not. */
export type RangeEnd =
  { ok: true; eui64: string; fromMac: boolean; id: bigint } | { ok: false; empty: boolean; error: string };

/** Reads one end of a range as typed; never throws. */
export function readRangeEnd(text: string): RangeEnd {
  if (text.trim() === '') return { ok: false, empty: true, error: '' };
  try {
    const p = parseId(text.trim());
    return { ok: true, eui64: formatEui64(p.id), fromMac: p.fromMac, id: p.id };
  } catch (e) {
    return { ok: false, empty: false, error: e instanceof Error ? e.message : String(e) };
  }
}

/** Gateways in a typed range (as a decimal string), or null when it is not a valid range. */
export function rangeSize(first: string, last: string): string | null {
  const a = readRangeEnd(first);
  const b = readRangeEnd(last);
  if (!a.ok || !b.ok || b.id < a.id) return null;
  return (b.id - a.id + 1n).toString();
}

/** State and actions of the batches store. */
interface BatchesState {
  batches: FactoryBatch[];
  selected: string | null;
  error: UiError | null;
  form: BatchForm;
  formError: UiError | null;
  busy: boolean;
  load(): Promise<void>;
  select(id: string | null): void;
  setForm(patch: Partial<BatchForm>): void;
  create(): Promise<FactoryBatch | null>;
  configure(
    batchId: string,
    patch: { model?: string | null; cupsUri?: string | null; trustPem?: string | null },
  ): Promise<boolean>;
}

const optional = (v: string) => (v.trim() === '' ? undefined : v.trim());

/** The batches store. */
export const useBatches = create<BatchesState>()((set, get) => ({
  batches: [],
  selected: null,
  error: null,
  form: EMPTY_BATCH_FORM,
  formError: null,
  busy: false,

  async load() {
    try {
      const batches = await call('factory:batches', {});
      const selected = get().selected;
      set({
        batches,
        error: null,
        selected:
          selected !== null && batches.some((b) => b.id === selected) ? selected : (batches[0]?.id ?? null),
      });
    } catch (e) {
      set({ error: toUiError(e) });
    }
  },

  select(id) {
    set({ selected: id });
  },

  setForm(patch) {
    set({ form: { ...get().form, ...patch }, formError: null });
  },

  async create() {
    const f = get().form;
    set({ busy: true, formError: null });
    const flavor = optional(f.flavor);
    const model = optional(f.model);
    const cupsUri = optional(f.cupsUri);
    const trustPem = optional(f.trustPem);
    const r = await tryCall('factory:createBatch', {
      first: f.first.trim(),
      last: f.last.trim(),
      ...(flavor ? { flavor } : {}),
      ...(model ? { model } : {}),
      ...(cupsUri ? { cupsUri } : {}),
      ...(trustPem ? { trustPem } : {}),
    });
    set({ busy: false });
    if (!r.ok) {
      set({ formError: toUiError(r.error) });
      return null;
    }
    set({ form: EMPTY_BATCH_FORM, selected: r.value.id });
    await get().load();
    return r.value;
  },

  async configure(batchId, patch) {
    set({ busy: true, error: null });
    const r = await tryCall('factory:configureBatch', { batchId, ...patch });
    set({ busy: false });
    if (!r.ok) {
      set({ error: toUiError(r.error) });
      return false;
    }
    await get().load();
    return true;
  },
}));
