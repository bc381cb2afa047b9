/**
 * When the station syncs (docs/sync.md "Sync loop"): a round (pull, push, pull) every
 * `intervalMs` while the remote answers; after a failed round the next one waits an exponential
 * backoff with full jitter — a uniform random delay in [0, min(maxMs, baseMs · 2^failures)] — so a
 * site full of stations coming back online does not hit the remote in step. "Online" is simply
 * whether the last round reached the remote. Timers are injected so tests drive time.
 */

/** Backoff parameters. */
export interface BackoffOptions {
  baseMs: number;
  maxMs: number;
}

/** The delay before the next try after `failures` consecutive failed rounds (≥ 1), full jitter. */
export function backoffDelay(failures: number, options: BackoffOptions, random01: () => number): number {
  const cap = Math.min(options.maxMs, options.baseMs * 2 ** Math.min(failures - 1, 30));
  return Math.floor(random01() * cap);
}

/** Timer functions (globalThis by default). */
export interface LoopTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Runs `round` on a schedule; at most one round at a time. */
export class SyncLoop {
  #timer: unknown;
  #running: Promise<void> | undefined;
  #stopped = true;
  #failures = 0;
  #nextAt: number | null = null;

  constructor(
    private readonly round: () => Promise<void>,
    private readonly options: {
      intervalMs: number;
      backoff: BackoffOptions;
      random01: () => number;
      now: () => number;
      timers?: LoopTimers;
    },
  ) {}

  get #timers(): LoopTimers {
    return (
      this.options.timers ?? {
        setTimeout: (fn, ms) => {
          const t = setTimeout(fn, ms);
          t.unref?.();
          return t;
        },
        clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
      }
    );
  }

  /** Consecutive failed rounds (0 while online). */
  get failures(): number {
    return this.#failures;
  }

  /** When the next round is due (ms since the epoch), null when stopped. */
  get nextAt(): number | null {
    return this.#nextAt;
  }

  /** Starts the loop with a round at once. */
  start(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    this.#schedule(0);
  }

  /** Stops scheduling and waits for a running round. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer !== undefined) this.#timers.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#nextAt = null;
    await this.#running;
  }

  /** Runs a round now (or joins the running one); resolves when it ended. Throws what it threw. */
  async now(): Promise<void> {
    if (this.#timer !== undefined) this.#timers.clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#run(true);
  }

  #schedule(ms: number): void {
    if (this.#stopped) return;
    this.#nextAt = this.options.now() + ms;
    this.#timer = this.#timers.setTimeout(() => {
      this.#timer = undefined;
      void this.#run(false).catch(() => undefined);
    }, ms);
  }

  async #run(rethrow: boolean): Promise<void> {
    if (this.#running !== undefined) {
      await this.#running;
      return;
    }
    let failed: unknown;
    this.#running = (async () => {
      try {
        await this.round();
        this.#failures = 0;
      } catch (e) {
        this.#failures++;
        failed = e;
      }
    })();
    try {
      await this.#running;
    } finally {
      this.#running = undefined;
      this.#schedule(
        this.#failures === 0
          ? this.options.intervalMs
          : backoffDelay(this.#failures, this.options.backoff, this.options.random01),
      );
    }
    if (rethrow && failed !== undefined) throw failed;
  }
}
