/**
 * Batch pre-generation (docs/factory-line.md): `node --import tsx bench/pregenerate.bench.ts`
 * (or `npm run bench -- pregenerate`). A real station core on a temp folder — sql.js store with its
 * journal, software HSM holding the SPEC §2 vector root key — and one job of 10 000 units written
 * the way the product writes them: derive through the HSM, bundle folder of SPEC §5 (8 files),
 * ZPL label, flushed to disk (syncfs on Linux) and committed with the job cursor every 250 units.
 * Reported: wall time and units/s of the whole job (target ≥ 200 units/s), and the same pipeline
 * without the disk (derive + bundle + ZPL into memory) to show where the time goes.
 *
 * `GWJS_BENCH_UNITS` changes the job size; `GWJS_BENCH_KEEP=1` keeps the output folder.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { openFactoryLine } from '../src-main/compose/factory-line';
import { SoftwareHsm } from '../src-main/adapters/hsm/software-hsm';
import {
  DEFAULT_MIGRATIONS_DIR,
  loadMigrations,
  openSqljsStore,
} from '../src-main/adapters/store/sqljs-store';
import { loadOrCreateCa } from '../src-main/adapters/tls/local-ca';
import type { RequestContext } from '../src-main/core/api';
import type { BundleSink } from '../src-main/core/factory-line/ports';
import { createCore } from '../src-main/core/index';
import type { BenchResult } from './bench-types';
import { BRK_HEX } from './bench-station';

const UNITS = Number(process.env.GWJS_BENCH_UNITS ?? 10_000);
const ADMIN: RequestContext = {
  principal: { kind: 'cli', id: 'bench', ownerId: null, scopes: new Set(['admin']) },
};

/** A sink that keeps nothing: the pipeline without the file system. */
const MEMORY_SINK: BundleSink = {
  writeBundle: async (b) => ({ path: `${b.outDir}/${b.euiHex}`, zipPath: null }),
  writeLabel: async (outDir, hex, ext) => `${outDir}/labels/${hex}${ext}`,
  flush: async () => undefined,
};

/** One station with the vector batch; `run` a job of `count` units with the given sink. */
async function station(dir: string, sink?: BundleSink) {
  const store = await openSqljsStore({
    dir: path.join(dir, 'db'),
    migrations: loadMigrations(DEFAULT_MIGRATIONS_DIR),
  });
  const hsm = await SoftwareHsm.open(path.join(dir, 'keystore.json'), { scryptN: 2 ** 10 });
  await hsm.initialize('bench passphrase');
  const core = createCore({ store, hsm });
  const brk = Buffer.from(BRK_HEX, 'hex');
  const batch = await core.batches.import(
    ADMIN,
    { first: '00-00-00-FF-FE-00-00-00', last: '00-00-00-FF-FE-FF-FF-FF' },
    brk,
  );
  brk.fill(0);
  const { ca } = await loadOrCreateCa(path.join(dir, 'ca'));
  const line = openFactoryLine({
    store,
    hsm,
    core,
    cupsUri: 'https://join.example.com:443',
    caCertPem: ca.certPem,
    station: 'bench',
    sink,
  });
  return {
    batch,
    line,
    async close() {
      await line.close();
      await core.close();
    },
  };
}

const round = (n: number, digits = 1) => Number(n.toFixed(digits));

/** Runs the pre-generation benchmark. */
export async function run(): Promise<BenchResult[]> {
  const dir = mkdtempSync(path.join(tmpdir(), 'gwjs-bench-pregen-'));
  try {
    // the pipeline without the disk
    const mem = await station(path.join(dir, 'mem'), MEMORY_SINK);
    const m0 = performance.now();
    await mem.line.jobs.startAndWait(ADMIN, {
      batchId: mem.batch.id,
      count: UNITS,
      outDir: path.join(dir, 'unused'),
    });
    const memSeconds = (performance.now() - m0) / 1000;
    await mem.close();

    // the real thing
    const out = path.join(dir, 'out');
    const s = await station(path.join(dir, 'disk'));
    const t0 = performance.now();
    const job = await s.line.jobs.startAndWait(ADMIN, {
      batchId: s.batch.id,
      count: UNITS,
      outDir: out,
      labels: true,
    });
    const seconds = (performance.now() - t0) / 1000;
    await s.close();
    if (job.state !== 'done' || job.done !== UNITS)
      throw new Error(`job ended ${job.state} at ${job.done}/${UNITS}: ${job.error}`);
    const folders = readdirSync(out).filter((f) => /^[0-9A-F]{16}$/.test(f)).length;
    const labels = readdirSync(path.join(out, 'labels')).length;
    if (folders !== UNITS || labels !== UNITS)
      throw new Error(`wrote ${folders} bundles and ${labels} labels, not ${UNITS}`);

    return [
      { name: `pregenerate.${UNITS}.wall`, value: round(seconds, 2), unit: 's' },
      {
        name: `pregenerate.${UNITS}.rate`,
        value: Math.round(UNITS / seconds),
        unit: 'units/s',
        target: '≥ 200 units/s (derive + bundle + ZPL, on disk)',
      },
      { name: `pregenerate.${UNITS}.no-disk.rate`, value: Math.round(UNITS / memSeconds), unit: 'units/s' },
    ];
  } finally {
    if (!process.env.GWJS_BENCH_KEEP) rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const r of await run()) {
    const extra = r.target ? `target ${r.target}` : '';
    console.log(`${r.name.padEnd(36)} ${String(r.value).padStart(10)} ${r.unit.padEnd(8)} ${extra}`);
  }
}
