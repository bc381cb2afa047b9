/**
 * Token buckets for CUPS (SPEC §3.6: "too many requests from one router or address → 429"). Kept
 * in process memory: the hot path must not write to the store for every poll, and forgetting a
 * bucket only ever grants a fresh one, so losing them on restart is harmless.
 */
import type { RateLimitRule } from './config';

/** Keyed token buckets with bounded memory (least recently used keys are forgotten first). */
export class RateLimiter {
  readonly #buckets = new Map<string, { tokens: number; at: number }>();
  /** the key inserted last (already the most recently used): moving it again is skipped */
  #newest: string | undefined;

  constructor(
    private readonly rule: RateLimitRule,
    private readonly now: () => number,
    private readonly maxKeys = 100_000,
  ) {}

  /**
   * Takes one token for `key`: 0 when the request may proceed, else the whole seconds (≥ 1) until
   * a token is available (the `Retry-After` value).
   */
  take(key: string): number {
    const t = this.now();
    let b = this.#buckets.get(key);
    if (b === undefined) {
      if (this.#buckets.size >= this.maxKeys) {
        const oldest = this.#buckets.keys().next();
        if (oldest.done !== true) this.#buckets.delete(oldest.value);
      }
      b = { tokens: this.rule.burst, at: t };
      this.#buckets.set(key, b);
      this.#newest = key;
    } else {
      if (this.#newest !== key) {
        // Map order is least recently used first; delete + set leaves a dead slot in the Map, so
        // it is not done again for repeated requests of the same key
        this.#buckets.delete(key);
        this.#buckets.set(key, b);
        this.#newest = key;
      }
      b.tokens = Math.min(
        this.rule.burst,
        b.tokens + (Math.max(0, t - b.at) / 1000) * this.rule.ratePerSecond,
      );
      b.at = t;
    }
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - b.tokens) / this.rule.ratePerSecond));
  }
}
