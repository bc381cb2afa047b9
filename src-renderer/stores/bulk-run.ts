/**
 * The run part of the bulk stores (claim, setup, delete): one run at a time, sent in chunks of the
 * operator's preferred size with progress, and cancellable between chunks.
 */
import type { ItemResultView } from '../../src-shared/ipc';
import type { UiError } from '../app/error-text';
import { runRows, type PendingRow, type RowResult } from './bulk-results';
import { chunkSize } from './settings-store';

/** What a bulk store shows about its run. */
export interface BulkRunState {
  running: boolean;
  cancelling: boolean;
  progress: { done: number; total: number } | null;
  results: RowResult[];
  cancelled: boolean;
}

/** State of a bulk store before any run. */
export const IDLE_RUN: BulkRunState = {
  running: false,
  cancelling: false,
  progress: null,
  results: [],
  cancelled: false,
};

/** Sends one chunk of items; a failure of the whole chunk comes back as `ok: false`. */
type ChunkSender<Item> = (
  items: Item[],
) => Promise<{ ok: true; value: ItemResultView[] } | { ok: false; error: UiError }>;

/** One store's runner. */
interface BulkRunner {
  /**
   * Runs `rows` through `send` (see `runRows`), keeping the store's {@link BulkRunState} current;
   * resolves with the per-row results in input order.
   */
  run<Item>(
    rows: readonly PendingRow<Item>[],
    send: ChunkSender<Item>,
  ): Promise<{ results: RowResult[]; cancelled: boolean }>;
  /** Stops after the chunk in flight (the store shows "cancelling" meanwhile). */
  cancel(): void;
  /** Stops quietly (the store is being reset). */
  abort(): void;
}

/** Creates the runner of a store; `set` patches the store's state. */
export function createBulkRunner(set: (patch: Partial<BulkRunState>) => void): BulkRunner {
  let controller: AbortController | null = null;
  return {
    async run(rows, send) {
      controller = new AbortController();
      set({ running: true, cancelling: false, results: [], cancelled: false, progress: null });
      try {
        return await runRows(rows, send, {
          signal: controller.signal,
          onProgress: (progress) => set({ progress }),
          chunkSize: chunkSize(),
        });
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
    abort() {
      controller?.abort();
    },
  };
}
