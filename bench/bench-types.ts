/**
 * Shape of a benchmark result, shared by every `bench/*.bench.ts` (each exports
 * `run(): Promise<BenchResult[]>`) and the runner that prints them.
 */

/** One measured quantity. */
export interface BenchResult {
  /** dotted identifier, e.g. `store.commit.full.p99` */
  name: string;
  value: number;
  /** unit of `value` and `baseline`, e.g. `ms`, `ops/s` */
  unit: string;
  /** the same quantity for a reference implementation, measured in the same run */
  baseline?: number;
  /** `value / baseline` */
  ratio?: number;
  /** the goal, human-readable, e.g. `≤ 5 ms` */
  target?: string;
}
