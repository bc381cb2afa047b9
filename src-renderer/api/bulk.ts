/**
 * Long operations (bulk claim/setup/delete of thousands): split the items into chunks, call one
 * channel per chunk in order, report progress, stop between chunks when the signal aborts.
 * Results keep request order; items never sent are reported as not attempted.
 */

/** Progress of a bulk run. */
export interface BulkProgress {
  done: number;
  total: number;
}

/** Options of {@link runBulk}. */
export interface BulkOptions {
  /** items per call (default 200) */
  chunkSize?: number;
  signal?: AbortSignal;
  onProgress?: (p: BulkProgress) => void;
}

/**
 * Runs `send` over `items` in chunks. Returns the concatenated results and whether it was
 * cancelled (then `results.length < items.length`). A thrown error stops the run and propagates.
 */
export async function runBulk<I, R>(
  items: readonly I[],
  send: (chunk: I[]) => Promise<R[]>,
  options: BulkOptions = {},
): Promise<{ results: R[]; cancelled: boolean }> {
  const size = Math.max(1, options.chunkSize ?? 200);
  const results: R[] = [];
  options.onProgress?.({ done: 0, total: items.length });
  for (let i = 0; i < items.length; i += size) {
    if (options.signal?.aborted) return { results, cancelled: true };
    const chunk = items.slice(i, i + size);
    results.push(...(await send(chunk)));
    options.onProgress?.({ done: Math.min(i + size, items.length), total: items.length });
  }
  return { results, cancelled: false };
}
