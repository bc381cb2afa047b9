/**
 * Token-bucket rate limiting for the HTTPS doors (SPEC §3.6 "too many requests from one router or
 * address → 429", §4.2 "rate limit → 429 with Retry-After"). In-process: one server instance keeps
 * its own buckets; a fleet behind one database also has the core's persistent per-router limits.
 */

/** Rate of one bucket family: `ratePerSecond` tokens refill continuously up to `burst`. */
export interface RateLimitRule {
  ratePerSecond: number;
  burst: number;
}

/** Keyed token buckets with a bounded memory footprint. */
export class TokenBuckets {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  /**
   * @param rule refill rate and capacity
   * @param now clock in milliseconds (injected for tests)
   * @param maxKeys buckets kept at most; beyond that the oldest-touched keys are forgotten
   *   (forgetting a key only ever gives it a fresh, full bucket)
   */
  constructor(
    private readonly rule: RateLimitRule,
    private readonly now: () => number = Date.now,
    private readonly maxKeys = 100_000,
  ) {
    if (!(rule.ratePerSecond > 0) || !(rule.burst >= 1)) {
      throw new RangeError(`rate limit needs ratePerSecond > 0 and burst >= 1, got ${JSON.stringify(rule)}`);
    }
  }

  /**
   * Takes one token for `key`. Returns 0 when the request may proceed, else the whole number of
   * seconds (≥ 1) after which a token will be available — the `Retry-After` value.
   */
  take(key: string): number {
    const t = this.now();
    let b = this.buckets.get(key);
    if (b === undefined) {
      if (this.buckets.size >= this.maxKeys) this.evict();
      b = { tokens: this.rule.burst, at: t };
    } else {
      this.buckets.delete(key); // re-insert below: Map order = least recently used first
      b.tokens = Math.min(this.rule.burst, b.tokens + ((t - b.at) / 1000) * this.rule.ratePerSecond);
      b.at = t;
    }
    this.buckets.set(key, b);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - b.tokens) / this.rule.ratePerSecond));
  }

  /** Number of keys currently tracked. */
  get size(): number {
    return this.buckets.size;
  }

  private evict(): void {
    let n = Math.max(1, Math.floor(this.maxKeys / 10));
    for (const k of this.buckets.keys()) {
      this.buckets.delete(k);
      if (--n === 0) break;
    }
  }
}
