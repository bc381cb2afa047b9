/**
 * Per-row results of a bulk operation (claim, setup, delete), shared by the bulk screens: what was
 * sent, what the server answered, and what was never sent (invalid locally, or cancelled).
 */
import type { ItemResultView } from '../../src-shared/ipc';
import { toUiError, type UiError } from '../app/error-text';
import { runBulk } from '../api';

/** One row's outcome. */
export interface RowResult {
  /** 1-based line of the input (paste/CSV), or the position in the list */
  line: number;
  /** the id as the operator gave it */
  input: string;
  /** canonical ID6 once known */
  gateway: string | null;
  status: 'ok' | 'failed' | 'cancelled' | 'invalid';
  error: UiError | null;
}

/** Counts per status, for the summary line. */
export function summarize(results: readonly RowResult[]): Record<RowResult['status'], number> {
  const out = { ok: 0, failed: 0, cancelled: 0, invalid: 0 };
  for (const r of results) out[r.status]++;
  return out;
}

/** Turns a server answer item into a row result. */
export function fromItem(line: number, input: string, item: ItemResultView): RowResult {
  if (item.code) {
    return {
      line,
      input,
      gateway: item.gateway,
      status: 'failed',
      error: { code: item.code, message: item.error ?? '' },
    };
  }
  return { line, input, gateway: item.gateway, status: 'ok', error: null };
}

/** A row whose whole request failed (network, session, role). */
function fromFailure(line: number, input: string, e: unknown): RowResult {
  return { line, input, gateway: null, status: 'failed', error: toUiError(e) };
}

/** A row that was never sent because the run was cancelled. */
export function cancelledRow(line: number, input: string): RowResult {
  return { line, input, gateway: null, status: 'cancelled', error: { code: 'cancelled', message: '' } };
}

/** Codes after which sending more chunks is pointless (every chunk would fail the same way). */
const FATAL_CODES: ReadonlySet<string> = new Set([
  'unauthorized',
  'forbidden',
  'station_unreachable',
  'hsm_locked',
  'hsm_token_removed',
  'hsm_pin_locked',
]);

/** One row ready to send: where it came from and the request item. */
export interface PendingRow<Item> {
  line: number;
  input: string;
  item: Item;
}

/** Default items per call while a bulk job runs (the channels accept up to 10 000). */
export const BULK_CHUNK_SIZE = 500;

/**
 * Sends rows in chunks through `send` (one channel call per chunk, via `runBulk`), turning answers
 * into {@link RowResult}s in input order. A chunk failing as a whole marks its rows failed; a fatal
 * code (session gone, role, HSM locked, unreachable) also stops the run. Rows never sent are
 * `cancelled`.
 */
export async function runRows<Item>(
  rows: readonly PendingRow<Item>[],
  send: (items: Item[]) => Promise<{ ok: true; value: ItemResultView[] } | { ok: false; error: UiError }>,
  options: {
    signal?: AbortSignal;
    onProgress?: (p: { done: number; total: number }) => void;
    chunkSize?: number;
  } = {},
): Promise<{ results: RowResult[]; cancelled: boolean }> {
  const stop = new AbortController();
  const onAbort = (): void => stop.abort();
  options.signal?.addEventListener('abort', onAbort);
  if (options.signal?.aborted) stop.abort();
  try {
    const run = await runBulk(
      rows,
      async (chunk: PendingRow<Item>[]): Promise<RowResult[]> => {
        let answer;
        try {
          answer = await send(chunk.map((r) => r.item));
        } catch (e) {
          answer = { ok: false as const, error: toUiError(e) };
        }
        if (!answer.ok) {
          const error = toUiError(answer.error);
          if (FATAL_CODES.has(error.code)) stop.abort();
          return chunk.map((r) => ({ ...fromFailure(r.line, r.input, error), error }));
        }
        const items = answer.value;
        return chunk.map((r, i) => {
          const item = items[i];
          return item
            ? fromItem(r.line, r.input, item)
            : fromFailure(r.line, r.input, { code: 'internal', message: 'the station answered fewer items' });
        });
      },
      {
        chunkSize: options.chunkSize ?? BULK_CHUNK_SIZE,
        signal: stop.signal,
        ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      },
    );
    const results = run.results;
    for (const r of rows.slice(results.length)) results.push(cancelledRow(r.line, r.input));
    return { results, cancelled: run.cancelled };
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
  }
}
