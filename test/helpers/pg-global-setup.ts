/**
 * Vitest global setup: the PostgreSQL server the tests use. `$GWJS_TEST_PG` (a URL) when set — CI
 * starts one in `.ci/run` — else a private cluster started here and stopped at the end. A machine
 * without PostgreSQL fails the run here (the PostgreSQL tests never skip).
 */
import type { TestProject } from 'vitest/node';
import { startPgCluster, stopPgCluster } from '../../scripts/pg-cluster.mjs';

declare module 'vitest' {
  export interface ProvidedContext {
    /** URL of the test PostgreSQL server (superuser, loopback) */
    pgUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<(() => void) | undefined> {
  const given = process.env.GWJS_TEST_PG;
  if (given) {
    project.provide('pgUrl', given);
    return undefined;
  }
  const cluster = await startPgCluster({ fast: true });
  project.provide('pgUrl', cluster.url);
  return () => stopPgCluster(cluster.dir);
}
