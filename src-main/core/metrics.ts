/**
 * In-process counters by outcome (SPEC §3.6 "Count requests by outcome"). Per process, reset on
 * restart, like any scraped counter; nothing here touches the store.
 */
import type { Metrics } from './api';

/** Counter families. */
type MetricFamily = keyof Metrics;

/** Counters keyed by family and outcome name. */
export class Counters {
  readonly #families: Record<MetricFamily, Map<string, number>> = { cups: new Map(), ownerApi: new Map() };

  /** Adds `n` to the counter `key` of `family`. */
  count(family: MetricFamily, key: string, n = 1): void {
    const m = this.#families[family];
    m.set(key, (m.get(key) ?? 0) + n);
  }

  /** A copy of every counter. */
  snapshot(): Metrics {
    return {
      cups: Object.fromEntries(this.#families.cups),
      ownerApi: Object.fromEntries(this.#families.ownerApi),
    };
  }
}
