import { spawn } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openFactoryLine } from '../../../src-main/compose/factory-line';
import { FolderBundleSink } from '../../../src-main/adapters/factory/folder-bundle-sink';
import { SoftwareHsm } from '../../../src-main/adapters/hsm/software-hsm';
import {
  DEFAULT_MIGRATIONS_DIR,
  loadMigrations,
  openSqljsStore,
} from '../../../src-main/adapters/store/sqljs-store';
import { bundleFileList } from '../../../src-main/core/factory-bundle';
import type { BundleSink } from '../../../src-main/core/factory-line/ports';
import { createCore } from '../../../src-main/core/index';
import type { Store } from '../../../src-main/core/ports';
import type { JobView } from '../../../src-shared/factory-channels';
import { euiFromHex, euiHex, formatId6 } from '../../../src-shared/ids';
import { SERVER_CUPS_URI } from '../../helpers/core-fixture';
import { makeTempDir } from '../../helpers/tmp-dir';
import { createLineFixture, type LineFixture } from './helpers/line-fixture';

/** The vector batch's first EUI: jobs start there by default. */
const FIRST = euiFromHex('000000FFFE000000');
const hexAt = (i: number) => euiHex(FIRST + BigInt(i));

/** Every unit row of the store: EUI → personalize_count, and the 'personalized' events per EUI. */
async function ledger(store: Store): Promise<{ units: Map<string, number>; events: Map<string, number> }> {
  return store.read(async (tx) => {
    const units = new Map<string, number>();
    for (const r of await tx.all('SELECT eui, personalize_count FROM factory_units ORDER BY eui')) {
      units.set(String(r.eui), Number(r.personalize_count));
    }
    const events = new Map<string, number>();
    for (const r of await tx.all(
      "SELECT eui, COUNT(*) AS n FROM factory_unit_events WHERE event = 'personalized' GROUP BY eui",
    )) {
      events.set(String(r.eui), Number(r.n));
    }
    return { units, events };
  });
}

/** Asserts that exactly the EUIs 0 … n-1 of the batch are personalized, once each, with their files. */
async function expectExactRange(store: Store, outDir: string, n: number): Promise<void> {
  const { units, events } = await ledger(store);
  const want = Array.from({ length: n }, (_, i) => hexAt(i));
  expect([...units.keys()]).toEqual(want); // no gap, nothing extra
  expect([...units.values()].every((c) => c === 1)).toBe(true); // nothing personalized twice
  expect([...events.keys()]).toEqual(want);
  expect([...events.values()].every((c) => c === 1)).toBe(true);
  const folders = readdirSync(outDir).filter((f) => /^[0-9A-F]{16}$/.test(f));
  expect(folders.sort()).toEqual(want);
  const labels = readdirSync(join(outDir, 'labels')).sort();
  expect(labels).toEqual(want.map((h) => `${h}.zpl`));
}

describe('PregenJobs', () => {
  let lf: LineFixture;
  afterEach(async () => lf?.close());

  it('writes a range into bundles and ZPL labels, every unit recorded once', async () => {
    lf = await createLineFixture({ wiring: { jobs: { chunkSize: 40 } } });
    const seen: JobView[] = [];
    const job = await lf.line.jobs.startAndWait(
      lf.fx.admin,
      { batchId: lf.fx.batch.id, count: 100, zip: true },
      (j) => seen.push(j),
    );
    expect(job).toMatchObject({ state: 'done', done: 100, total: 100, next: null, first: formatId6(FIRST) });
    expect(seen.map((j) => j.done)).toEqual([40, 80, 100, 100]);
    await expectExactRange(lf.fx.store, lf.outDir, 100);
    expect(existsSync(join(lf.outDir, `${hexAt(99)}.zip`))).toBe(true);
    const zpl = readFileSync(join(lf.outDir, 'labels', `${hexAt(7)}.zpl`), 'latin1');
    const pin = (
      JSON.parse(readFileSync(join(lf.outDir, hexAt(7), 'gateway.json'), 'utf8')) as { claimPin: string }
    ).claimPin;
    expect(zpl).toContain(`GWJS:1:${hexAt(7)}:${pin.replace('-', '')}`);
    const batches = await lf.line.batches.list();
    expect(batches[0]!.counts).toEqual({ personalized: 100, printed: 0, verified: 0, blocked: 0 });
    expect(await lf.fx.core.audit.list(lf.fx.admin, { action: 'factory.job.done' })).toHaveLength(1);

    // the next job continues after the first, the line cannot take a unit of a job
    const next = await lf.line.jobs.create(lf.fx.admin, { batchId: lf.fx.batch.id, count: 10 });
    expect(next.first).toBe(formatId6(FIRST + 100n));
    await expect(
      lf.line.line.scan(lf.fx.admin, { batchId: lf.fx.batch.id, input: hexAt(105) }),
    ).rejects.toMatchObject({
      code: 'conflict',
      message: expect.stringContaining(`reserved by pre-generation job ${next.id}`),
    });
    await expect(
      lf.line.line.scan(lf.fx.admin, { batchId: lf.fx.batch.id, input: hexAt(5) }),
    ).rejects.toMatchObject({
      code: 'conflict',
    });
  });

  it('cancel and resume leave no gap and no duplicate', async () => {
    lf = await createLineFixture({ wiring: { jobs: { chunkSize: 50, concurrency: 6 } } });
    let cancelled = false;
    const first = await lf.line.jobs.startAndWait(
      lf.fx.admin,
      { batchId: lf.fx.batch.id, count: 300 },
      (j) => {
        if (!cancelled && j.done >= 150) {
          cancelled = true;
          void lf.line.jobs.cancel(lf.fx.admin, j.id);
        }
      },
    );
    expect(first.state).toBe('cancelled');
    expect(first.done).toBeGreaterThanOrEqual(150);
    expect(first.done).toBeLessThan(300);
    expect(first.next).toBe(formatId6(FIRST + BigInt(first.done)));
    const stopped = await ledger(lf.fx.store);
    expect(stopped.units.size).toBe(first.done);

    const resumed = await lf.line.jobs.resumeAndWait(lf.fx.admin, first.id);
    expect(resumed).toMatchObject({ state: 'done', done: 300, next: null });
    await expectExactRange(lf.fx.store, lf.outDir, 300);
    const actions = (await lf.fx.core.audit.list(lf.fx.admin, { target: first.id }))
      .map((e) => e.action)
      .reverse();
    expect(actions).toEqual([
      'factory.job.start',
      'factory.job.cancel',
      'factory.job.resume',
      'factory.job.done',
    ]);
    await expect(lf.line.jobs.resumeAndWait(lf.fx.admin, first.id)).rejects.toMatchObject({
      code: 'conflict',
    });
  });

  it('fails on a write error, keeps the committed prefix, and resumes by re-writing the rest', async () => {
    const real = new FolderBundleSink();
    let writes = 0;
    let broken = true;
    const flaky: BundleSink = {
      writeBundle: async (b) => {
        if (broken && ++writes > 70) throw new Error('ENOSPC: no space left on device (simulated)');
        return real.writeBundle(b);
      },
      writeLabel: (...a) => real.writeLabel(...a),
      flush: (d) => real.flush(d),
    };
    lf = await createLineFixture({ wiring: { sink: flaky, jobs: { chunkSize: 30, concurrency: 1 } } });
    const failed = await lf.line.jobs.startAndWait(lf.fx.admin, { batchId: lf.fx.batch.id, count: 100 });
    expect(failed).toMatchObject({ state: 'failed', done: 60, error: expect.stringContaining('ENOSPC') });
    broken = false;
    const done = await lf.line.jobs.resumeAndWait(lf.fx.admin, failed.id);
    expect(done).toMatchObject({ state: 'done', done: 100 });
    await expectExactRange(lf.fx.store, lf.outDir, 100);
  });

  it('refuses ranges that hold units, leave the batch, or meet an unfinished job', async () => {
    lf = await createLineFixture({ settings: { printer: { kind: 'none' } } });
    const batchId = lf.fx.batch.id;
    await lf.line.line.scan(lf.fx.admin, { batchId, input: hexAt(3) });
    await expect(
      lf.line.jobs.create(lf.fx.admin, { batchId, first: hexAt(0), count: 10 }),
    ).rejects.toMatchObject({
      code: 'conflict',
      message: expect.stringContaining(
        `1 unit in it is personalized already (${formatId6(FIRST + 3n)}); start after ${formatId6(FIRST + 3n)}`,
      ),
    });
    const job = await lf.line.jobs.create(lf.fx.admin, { batchId, count: 10 });
    expect(job.first).toBe(formatId6(FIRST + 4n));
    expect(job.state).toBe('interrupted'); // stored as running, no runner in this process
    await expect(
      lf.line.jobs.create(lf.fx.admin, { batchId, first: hexAt(10), count: 10 }),
    ).rejects.toMatchObject({
      code: 'conflict',
      message: expect.stringContaining(`unfinished job ${job.id}`),
    });
    await expect(
      lf.line.jobs.create(lf.fx.admin, { batchId, first: '58-A0-CB-FF-FE-FF-FF-F0', count: 17 }),
    ).rejects.toMatchObject({ code: 'invalid_request', message: expect.stringContaining('leaves batch') });
    await expect(lf.line.jobs.create(lf.fx.admin, { batchId, count: 0 })).rejects.toMatchObject({
      code: 'invalid_request',
    });
    const cancelled = await lf.line.jobs.cancel(lf.fx.admin, job.id);
    expect(cancelled.state).toBe('cancelled');
  });

  it('resumes after the process was killed mid-chunk, re-writing partly written units to the same bytes', async () => {
    // a station whose job process dies (SIGKILL) in the middle of a run; it has a signing key, which
    // the child (wired without `signingKeys`) reads from the store for every bundle's sig-0.key
    lf = await createLineFixture();
    const signingKey = await lf.fx.core.signingKeys.create(lf.fx.admin);
    const dir = lf.fx.dir;
    const batchId = lf.fx.batch.id;
    const outDir = join(makeTempDir('crash-out'), 'out');
    await lf.close();
    lf = undefined as unknown as LineFixture;

    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'test/core/factory-line/helpers/job-child.ts', dir, batchId, '1000', outDir, '100'],
      {
        cwd: process.cwd(),
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, GWJS_TEST_CA_PEM: await caPem() },
      },
    );
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const killedAfter = await new Promise<number>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        stdout += d.toString();
        // complete lines only: a chunk may end inside one
        const lines = stdout
          .split('\n')
          .slice(0, -1)
          .filter((l) => l.startsWith('{'));
        if (lines.length >= 3) {
          child.kill('SIGKILL');
          resolve((JSON.parse(lines[lines.length - 1]!) as { done: number }).done);
        }
      });
      child.on('exit', (code) => reject(new Error(`child exited (${code}) before it was killed: ${stderr}`)));
    });
    await new Promise((resolve) => child.once('close', resolve));
    expect(killedAfter).toBeGreaterThanOrEqual(300);

    // reopen the station as a new process would
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
      cupsUri: SERVER_CUPS_URI,
      caCertPem: await caPem(),
      station: 'after-crash',
    });
    try {
      const [job] = await line.jobs.list(batchId);
      expect(job).toMatchObject({ state: 'interrupted' });
      expect(job!.done).toBeGreaterThanOrEqual(killedAfter);
      // The kill landed anywhere in the uncommitted chunk: the units from the cursor on may have no
      // folder, an empty folder, some files, truncated files. Whatever it left, make each of those
      // states certain (never assuming which files exist: that was a race) so resume meets them all.
      const at = (k: number) => join(outDir, hexAt(job!.done + k));
      expect(job!.done + 3).toBeLessThan(1000);
      rmSync(at(0), { recursive: true, force: true }); // a folder, nothing in it yet
      mkdirSync(at(0), { mode: 0o700 });
      mkdirSync(at(1), { recursive: true }); // some files missing, one cut short, a secret loosened
      rmSync(join(at(1), 'cups.key'), { force: true });
      writeFileSync(join(at(1), 'gateway.json'), '{"eui":"00', { mode: 0o644 });
      chmodSync(join(at(1), 'gateway.json'), 0o644);
      mkdirSync(at(2), { recursive: true }); // only the label cut short, no bundle files at all
      for (const f of readdirSync(at(2))) rmSync(join(at(2), f));
      writeFileSync(join(outDir, 'labels', `${hexAt(job!.done + 2)}.zpl`), '^XA^F');
      rmSync(at(3), { recursive: true, force: true }); // not started
      const ctx = {
        principal: { kind: 'cli' as const, id: 'cli', ownerId: null, scopes: new Set(['admin' as const]) },
      };
      const done = await line.jobs.resumeAndWait(ctx, job!.id);
      expect(done).toMatchObject({ state: 'done', done: 1000 });
      await expectExactRange(store, outDir, 1000);
      for (const i of [0, job!.done - 1, job!.done, job!.done + 1, job!.done + 2, job!.done + 3, 999]) {
        const hex = hexAt(i);
        const ref = await core.factory.personalize(ctx, hex, {
          cupsUri: SERVER_CUPS_URI,
          trustPem: await caPem(),
        });
        const files = bundleFileList(ref);
        expect(readdirSync(join(outDir, hex)).sort(), hex).toEqual(files.map((f) => f.name));
        for (const { name, data, secret } of files) {
          const want = typeof data === 'string' ? new TextEncoder().encode(data) : data;
          expect(new Uint8Array(readFileSync(join(outDir, hex, name))), `${hex}/${name}`).toEqual(want);
          expect(statSync(join(outDir, hex, name)).mode & 0o777, `${hex}/${name}`).toBe(
            secret ? 0o600 : 0o644,
          );
        }
        expect(new Uint8Array(readFileSync(join(outDir, hex, 'sig-0.key')))).toEqual(signingKey.publicKey);
        const zpl = readFileSync(join(outDir, 'labels', `${hex}.zpl`), 'latin1');
        expect(zpl, hex).toContain(`GWJS:1:${hex}:${ref.pin.replace('-', '')}`);
      }
    } finally {
      await line.close();
      await core.close();
    }
  }, 120_000);

  it('reports rate and ETA while it runs', async () => {
    lf = await createLineFixture({ wiring: { jobs: { chunkSize: 20 } } });
    const started = await lf.line.jobs.start(lf.fx.admin, {
      batchId: lf.fx.batch.id,
      count: 200,
      labels: false,
    });
    expect(started.state).toBe('running');
    let view: JobView | undefined;
    for (let i = 0; i < 400 && view?.ratePerSecond == null; i++) {
      lf.fx.clock.advance(100);
      await new Promise((r) => setTimeout(r, 5));
      view = await lf.line.jobs.get(started.id);
      if (view.state === 'done') break;
    }
    if (view?.state !== 'done') {
      expect(view!.ratePerSecond).toBeGreaterThan(0);
      expect(view!.etaSeconds).toBeGreaterThanOrEqual(0);
    }
    expect(await lf.line.jobs.wait(started.id)).toMatchObject({ state: 'done', done: 200 });
  });
});

let ca: string | undefined;
async function caPem(): Promise<string> {
  if (ca === undefined) {
    const { testPki } = await import('../../helpers/core-fixture');
    ca = (await testPki()).caPem;
  }
  return ca;
}
