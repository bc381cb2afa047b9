/**
 * The key ceremony wizard (docs/twin-hsm.md "The ceremony in six steps", docs/station-ui.md):
 * receiving side — transport key, import of the wrapped file; sending side — the batch wrapped to
 * an uploaded transport.pub. Every step keeps what the operators compare (fingerprint, KCV) and
 * what they carry to the other station (the files' text); a refusal keeps the step where it was.
 */
import { create } from 'zustand';
import { tryCall } from '../api';
import type { CeremonyBatchView, DownloadView, ResponseOf } from '../../src-shared/ipc';
import { toUiError, type UiError } from '../app/error-text';
import { useDashboard } from './dashboard-store';

/** What a chosen ceremony file claims about itself, read in the browser before it is sent. */
export interface FileFacts {
  name: string;
  text: string;
  /** transport.pub: its fingerprint; a wrapped file: the transport key it is for */
  fingerprint: string | null;
  /** a wrapped file: the KCV and range it claims */
  kcv: string | null;
  range: string | null;
  /** what is wrong with it, when it is not a ceremony file of the expected kind */
  problem: string | null;
}

/** Reads the public facts of a transport.pub or wrapped file (the station checks it again). */
export function factsOf(name: string, text: string, kind: 'transport' | 'wrapped'): FileFacts {
  const facts: FileFacts = { name, text, fingerprint: null, kcv: null, range: null, problem: null };
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return { ...facts, problem: 'This file is not JSON: not a ceremony file.' };
  }
  const want = kind === 'transport' ? 'gwjs-transport-key' : 'gwjs-wrapped-root-key';
  if (doc.format !== want) {
    return {
      ...facts,
      problem:
        kind === 'transport'
          ? 'This is not a transport.pub file (format gwjs-transport-key).'
          : 'This is not a wrapped key file (format gwjs-wrapped-root-key).',
    };
  }
  const str = (v: unknown) => (typeof v === 'string' ? v : null);
  if (kind === 'transport') return { ...facts, fingerprint: str(doc.fingerprint) };
  const batch = (doc.batch ?? {}) as Record<string, unknown>;
  return {
    ...facts,
    fingerprint: str(doc.transportKey),
    kcv: str(doc.kcv),
    range: str(batch.first) && str(batch.last) ? `${str(batch.first)} … ${str(batch.last)}` : null,
  };
}

/** State and actions of the ceremony wizard. */
interface CeremonyState {
  busy: boolean;
  error: UiError | null;
  /** receiving side */
  transport: ResponseOf<'ceremony:transportKey'> | null;
  wrappedFile: FileFacts | null;
  imported: ResponseOf<'ceremony:import'> | null;
  /** sending side */
  batches: CeremonyBatchView[];
  transportFile: FileFacts | null;
  exported: (ResponseOf<'ceremony:export'> & { batchId: string }) | null;
  createTransportKey(): Promise<void>;
  chooseWrapped(facts: FileFacts | null): void;
  importWrapped(expectKcv: string | undefined): Promise<boolean>;
  loadBatches(): Promise<void>;
  chooseTransport(facts: FileFacts | null): void;
  exportBatch(batchId: string): Promise<boolean>;
  transcript(batchId: string, format: 'json' | 'pdf'): Promise<DownloadView | null>;
  reset(): void;
}

const INITIAL = {
  busy: false,
  error: null,
  transport: null,
  wrappedFile: null,
  imported: null,
  batches: [],
  transportFile: null,
  exported: null,
};

/** The ceremony store. */
export const useCeremony = create<CeremonyState>()((set, get) => ({
  ...INITIAL,

  async createTransportKey() {
    set({ busy: true, error: null });
    const answer = await tryCall('ceremony:transportKey', {});
    set(
      answer.ok ? { busy: false, transport: answer.value } : { busy: false, error: toUiError(answer.error) },
    );
  },

  chooseWrapped(facts) {
    set({ wrappedFile: facts, imported: null, error: null });
  },

  async importWrapped(expectKcv) {
    const file = get().wrappedFile;
    if (file === null) return false;
    set({ busy: true, error: null, imported: null });
    const answer = await tryCall('ceremony:import', {
      wrapped: file.text,
      ...(expectKcv ? { expectKcv } : {}),
    });
    if (!answer.ok) {
      set({ busy: false, error: toUiError(answer.error) });
      return false;
    }
    set({ busy: false, imported: answer.value });
    void useDashboard.getState().load();
    return true;
  },

  async loadBatches() {
    const answer = await tryCall('ceremony:batches', {});
    set(answer.ok ? { batches: answer.value } : { error: toUiError(answer.error) });
  },

  chooseTransport(facts) {
    set({ transportFile: facts, exported: null, error: null });
  },

  async exportBatch(batchId) {
    const file = get().transportFile;
    if (file === null) return false;
    set({ busy: true, error: null, exported: null });
    const answer = await tryCall('ceremony:export', { batchId, transport: file.text });
    if (!answer.ok) {
      set({ busy: false, error: toUiError(answer.error) });
      return false;
    }
    set({ busy: false, exported: { ...answer.value, batchId } });
    return true;
  },

  async transcript(batchId, format) {
    const answer = await tryCall('ceremony:transcript', { batchId, format });
    if (answer.ok) return answer.value;
    set({ error: toUiError(answer.error) });
    return null;
  },

  reset() {
    set(INITIAL);
  },
}));
