/**
 * Child process of the crash test: opens the station in `argv[2]` (store + software HSM unlocked
 * with `test passphrase`), runs a new pre-generation job of `argv[4]` units of batch `argv[3]` into
 * `argv[5]` with chunks of `argv[6]`, and prints one JSON line per committed chunk — until the parent
 * kills it. Its disk is slow on purpose (each flush waits 150 ms), so the parent's kill lands
 * mid-run however fast the machine is.
 */
import { join } from 'node:path';
import { openFactoryLine } from '../../../../src-main/compose/factory-line';
import { FolderBundleSink } from '../../../../src-main/adapters/factory/folder-bundle-sink';
import { SoftwareHsm } from '../../../../src-main/adapters/hsm/software-hsm';
import {
  DEFAULT_MIGRATIONS_DIR,
  loadMigrations,
  openSqljsStore,
} from '../../../../src-main/adapters/store/sqljs-store';
import type { RequestContext } from '../../../../src-main/core/api';
import { createCore } from '../../../../src-main/core/index';

/** The real writer, with a flush that takes a while (a slow drive). */
function slowDisk(real: FolderBundleSink): FolderBundleSink {
  const flush = real.flush.bind(real);
  real.flush = async (outDir: string) => {
    await flush(outDir);
    await new Promise((r) => setTimeout(r, 150));
  };
  return real;
}

const [dir, batchId, count, outDir, chunk] = process.argv.slice(2) as [
  string,
  string,
  string,
  string,
  string,
];
const store = await openSqljsStore({
  dir: join(dir, 'db'),
  migrations: loadMigrations(DEFAULT_MIGRATIONS_DIR),
});
const hsm = await SoftwareHsm.open(join(dir, 'keystore.json'), { scryptN: 2 ** 10 });
await hsm.unlock('test passphrase');
const core = createCore({ store, hsm });
const line = openFactoryLine({
  store,
  hsm,
  core,
  cupsUri: 'https://js.example.com:6041',
  caCertPem: process.env.GWJS_TEST_CA_PEM ?? null,
  station: 'crash-child',
  sink: slowDisk(new FolderBundleSink()),
  jobs: { chunkSize: Number(chunk), concurrency: 4 },
});
const ctx: RequestContext = {
  principal: { kind: 'cli', id: 'cli', ownerId: null, scopes: new Set(['admin']) },
};
await line.jobs.startAndWait(ctx, { batchId, count: Number(count), outDir, labels: true }, (job) => {
  process.stdout.write(`${JSON.stringify({ id: job.id, done: job.done, state: job.state })}\n`);
});
process.stdout.write('finished\n');
