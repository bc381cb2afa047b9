/**
 * What every core service receives: the ports (DESIGN §1), the resolved configuration, the counters
 * and the time helpers. Built once by `createCore`.
 */
import type { CoreConfig } from './config';
import type { CommitHooks } from './sync/commit';
import type { Counters } from './metrics';
import type { Clock, Hsm, Logger, Random, Store } from './ports';

/** Shared collaborators of the core services. */
export interface CoreEnv {
  store: Store;
  hsm: Hsm;
  clock: Clock;
  random: Random;
  logger: Logger;
  config: CoreConfig;
  counters: Counters;
  /** run at the end of every Owner API write transaction (docs/sync.md); absent = none */
  commitHooks?: CommitHooks | undefined;
}

/** ISO-8601 UTC text of a clock reading (fixed width, so stored times sort lexically). */
export function isoAt(ms: number): string {
  return new Date(ms).toISOString();
}
