import { describe, expect, it } from 'vitest';
import { runBulk } from '../../../src-renderer/api/bulk';

describe('runBulk', () => {
  it('sends chunks in order and reports progress', async () => {
    const sent: number[][] = [];
    const progress: string[] = [];
    const r = await runBulk([1, 2, 3, 4, 5], async (chunk) => (sent.push(chunk), chunk.map((x) => x * 10)), {
      chunkSize: 2,
      onProgress: (p) => progress.push(`${p.done}/${p.total}`),
    });
    expect(r).toEqual({ results: [10, 20, 30, 40, 50], cancelled: false });
    expect(sent).toEqual([[1, 2], [3, 4], [5]]);
    expect(progress).toEqual(['0/5', '2/5', '4/5', '5/5']);
  });

  it('stops between chunks when cancelled, keeping what was done', async () => {
    const abort = new AbortController();
    const r = await runBulk(
      [1, 2, 3, 4],
      async (chunk) => {
        abort.abort();
        return chunk;
      },
      { chunkSize: 1, signal: abort.signal },
    );
    expect(r).toEqual({ results: [1], cancelled: true });
  });
});
