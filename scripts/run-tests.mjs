#!/usr/bin/env node
// Runs the whole vitest suite and ends with the plain "N passed, N failed" line CI reads.
// Extra arguments are passed to vitest (e.g. `npm test -- test/shared`).
// Without arguments a second pass runs the Owner API / CUPS integration tests with the PostgreSQL
// store (GWJS_TEST_STORE=pg; docs/server-mode.md). Both passes share one PostgreSQL server:
// $GWJS_TEST_PG, else a private cluster started here (scripts/pg-cluster.mjs) and stopped at the end.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPgCluster, stopPgCluster } from './pg-cluster.mjs';

/** The integration tests that run a second time on PostgreSQL. */
const PG_PASS = [
  'test/core/gateways',
  'test/core/cups',
  'test/core/firmware',
  'test/core/rotation',
  'test/core/client-certs',
  'test/core/access.test.ts',
  'test/core/audit.test.ts',
  'test/core/batches.test.ts',
  'test/core/factory.test.ts',
  'test/adapters/http',
];

const outDir = mkdtempSync(join(tmpdir(), 'gwjs-test-report-'));
let passed = 0;
let failed = 0;
let skipped = 0;
let ok = true;

function pass(name, vitestArgs, env) {
  const outFile = join(outDir, `${name}.json`);
  const args = [
    'vitest',
    'run',
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${outFile}`,
    ...vitestArgs,
  ];
  const res = spawnSync('npx', args, { stdio: 'inherit', env });
  if (res.status !== 0) ok = false;
  if (!existsSync(outFile)) {
    failed += 1;
    return;
  }
  const report = JSON.parse(readFileSync(outFile, 'utf8'));
  passed += report.numPassedTests ?? 0;
  failed += (report.numFailedTests ?? 0) + (report.numRuntimeErrorTests ?? 0);
  skipped += (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
  // a file that failed to load counts as a failure even with no test inside it
  for (const suite of report.testResults ?? []) {
    if (suite.status === 'failed' && (suite.assertionResults ?? []).length === 0) failed += 1;
  }
}

const extra = process.argv.slice(2);
let cluster;
const env = { ...process.env };
try {
  if (!env.GWJS_TEST_PG) {
    cluster = await startPgCluster({ fast: true });
    env.GWJS_TEST_PG = cluster.url;
  }
  pass('all', extra, env);
  if (extra.length === 0) {
    console.log('\n— second pass: Owner API / CUPS integration tests on the PostgreSQL store —\n');
    pass('pg', PG_PASS, { ...env, GWJS_TEST_STORE: 'pg' });
  }
} catch (e) {
  console.error(e.message);
  failed += 1;
} finally {
  if (cluster) stopPgCluster(cluster.dir);
}
console.log(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(ok && failed === 0 ? 0 : 1);
