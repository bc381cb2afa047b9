/**
 * The sync loop's schedule (docs/sync.md "Sync loop"): a round at start, then every interval
 * while rounds succeed; after failures an exponential backoff with full jitter, capped; back to
 * the interval after a success; `now()` runs a round at once and rethrows its failure.
 */
import { describe, expect, it } from 'vitest';
import { SyncLoop, backoffDelay, type LoopTimers } from '../../../src-main/core/sync/loop';

describe('backoffDelay', () => {
  it('draws uniformly below min(max, base · 2^(failures − 1))', () => {
    const o = { baseMs: 1000, maxMs: 60_000 };
    expect(backoffDelay(1, o, () => 0.999999)).toBe(999);
    expect(backoffDelay(3, o, () => 0.5)).toBe(2000);
    expect(backoffDelay(10, o, () => 0.999999)).toBe(59_999);
    expect(backoffDelay(200, o, () => 0.5)).toBe(30_000);
    expect(backoffDelay(4, o, () => 0)).toBe(0);
  });
});

class ManualTimers implements LoopTimers {
  queue: { fn: () => void; ms: number }[] = [];
  setTimeout(fn: () => void, ms: number) {
    const t = { fn, ms };
    this.queue.push(t);
    return t;
  }
  clearTimeout(h: unknown) {
    this.queue = this.queue.filter((t) => t !== h);
  }
  async fire(): Promise<number> {
    const t = this.queue.shift();
    if (t === undefined) throw new Error('no timer');
    t.fn();
    await new Promise((r) => setTimeout(r, 0));
    return t.ms;
  }
}

describe('SyncLoop', () => {
  it('backs off exponentially after failures and returns to the interval after a success', async () => {
    const timers = new ManualTimers();
    const outcomes = [true, false, false, false, true];
    let calls = 0;
    const loop = new SyncLoop(
      async () => {
        if (!outcomes[calls++]) throw new Error('down');
      },
      {
        intervalMs: 30_000,
        backoff: { baseMs: 1000, maxMs: 300_000 },
        random01: () => 0.999,
        now: () => 0,
        timers,
      },
    );
    loop.start();
    const delays: number[] = [];
    for (let i = 0; i < outcomes.length; i++) delays.push(await timers.fire());
    delays.push(timers.queue[0]!.ms);
    expect(delays).toEqual([0, 30_000, 999, 1998, 3996, 30_000]);
    expect(loop.failures).toBe(0);
    await loop.stop();
    expect(timers.queue).toEqual([]);
  });

  it('now() runs a round at once and rethrows its failure', async () => {
    const timers = new ManualTimers();
    const loop = new SyncLoop(
      async () => {
        throw new Error('refused');
      },
      {
        intervalMs: 30_000,
        backoff: { baseMs: 1000, maxMs: 300_000 },
        random01: () => 0.5,
        now: () => 0,
        timers,
      },
    );
    await expect(loop.now()).rejects.toThrow('refused');
    expect(loop.failures).toBe(1);
  });
});
