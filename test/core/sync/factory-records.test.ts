/**
 * Factory personalization records between two real instances on 127.0.0.1 (docs/sync.md "Factory
 * records"): a factory station (own data directory, twin of part of the remote's batch) linked with
 * a factory key personalizes, prints and verifies units on its line (real bundles on disk, a TCP
 * 9100 printer simulator, the label's QR scanned back from the printed ZPL); every step lands in
 * its outbox in the step's transaction and one round pushes them in order. The remote holds each
 * record exactly once — a retry with the same Idempotency-Key, also after a restart of the remote,
 * gets the first answer and adds nothing — while a batch whose root key is not the remote's (a
 * twin mismatch) and one outside every remote batch come back rejected with the remote's reason.
 * A step whose local effect fails queues nothing; a pre-generation chunk is one operation; relinked with an owner key, the records are
 * rejected for the missing `factory` scope.
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { hexToBytes } from '../../../src-shared/bytes';
import { openFactoryLine } from '../../../src-main/compose/factory-line';
import { openStation, writeSettings, type Station } from '../../../src-main/compose/station';
import { freePort } from '../../../src-main/cli/free-port';
import type { FactoryLineServices } from '../../../src-main/core/factory-line';
import { KDF_VECTORS, TestClock } from '../../helpers/core-fixture';
import { startRestartableServer, type RestartableServer } from '../../helpers/restartable-server';
import { makeTempDir } from '../../helpers/tmp-dir';
import { startPrinterSim, type PrinterSim } from '../factory-line/helpers/line-fixture';

const gw1 = KDF_VECTORS.gw1;
const PATH = '/api/v1/factory/records';
/** the twin's part of the remote's batch (gw1 inside), with the vector root key */
const TWIN = { first: '00-00-00-FF-FE-00-00-00', last: '00-00-00-FF-FE-00-FF-FF' };
/** inside the remote's batch, but with a root key of the station's own: a twin mismatch */
const WRONG = { first: '00-00-00-FF-FE-01-00-00', last: '00-00-00-FF-FE-01-FF-FF' };
/** outside every batch of the remote */
const ALIEN = { first: 'B8-27-EB-FF-FE-00-00-00', last: 'B8-27-EB-FF-FE-00-FF-FF' };
const UNITS = [gw1.hex, '000000FFFE000001', '000000FFFE000002', '000000FFFE000003'];

let remote: RestartableServer | undefined;
let station: Station | undefined;
let line: FactoryLineServices | undefined;
let printer: PrinterSim | undefined;
afterEach(async () => {
  await line?.close();
  await station?.close();
  await printer?.close();
  await remote?.close();
  line = station = printer = remote = undefined;
});

interface Setup {
  remote: RestartableServer;
  station: Station;
  line: FactoryLineServices;
  printer: PrinterSim;
  factoryKey: string;
  batches: { twin: string; wrong: string; alien: string };
}

async function setUp(): Promise<Setup> {
  const r = (remote = await startRestartableServer());
  const { apiKey: factoryKey } = await r.station.core.access.createApiKey(
    r.station.cliContext,
    null,
    ['factory'],
    'factory-1',
  );
  const dir = makeTempDir('factory-station', { until: 'exit' });
  const port = await freePort();
  const s = (station = await openStation({
    dataDir: dir,
    passphrase: 'test passphrase',
    scryptN: 2 ** 10,
    clock: new TestClock(Date.now()),
    init: { publicHosts: ['127.0.0.1'], port },
  }));
  await writeSettings(dir, s.settings);
  const ctx = s.cliContext;
  const twin = await s.core.batches.import(ctx, { ...TWIN, flavor: 'test' }, hexToBytes(KDF_VECTORS.brkHex));
  expect(twin.kcv).toBe(KDF_VECTORS.kcv);
  const wrong = await s.core.batches.create(ctx, WRONG);
  const alien = await s.core.batches.create(ctx, ALIEN);
  // a factory link: no owner, a factory key
  const status = await s.core.sync.link(ctx, { url: r.url, caPem: r.caPem, apiKey: factoryKey });
  expect(status).toMatchObject({ linked: true, ownerId: null });
  const p = (printer = await startPrinterSim());
  const l = (line = openFactoryLine({
    store: s.store,
    hsm: s.hsm,
    core: s.core,
    cupsUri: r.url,
    caCertPem: s.tls.caCertPem,
    station: 'factory-1',
    clock: s.clock,
  }));
  await l.settings.save(ctx, {
    outDir: join(dir, 'bundles'),
    zip: false,
    hook: null,
    printer: { kind: 'tcp9100', host: '127.0.0.1', port: p.port },
    template: 'default-50x30',
  });
  return {
    remote: r,
    station: s,
    line: l,
    printer: p,
    factoryKey,
    batches: { twin: twin.id, wrong: wrong.id, alien: alien.id },
  };
}

/** Scans a unit (personalized, label printed) and verifies it with the QR code of its printed label. */
async function makeUnit(x: Setup, batchId: string, hex: string, verify = true): Promise<void> {
  const ctx = x.station.cliContext;
  const jobs = x.printer.jobs.length;
  const r = await x.line.line.scan(ctx, { batchId, input: hex });
  expect(r.print.status).toBe('printed');
  await x.printer.waitForJobs(jobs + 1);
  if (!verify) return;
  const qr = /GWJS:1:[0-9A-F]{16}:[0-9A-Z]{8}/.exec(x.printer.jobs[jobs]!.toString('latin1'))![0];
  expect(qr.startsWith(`GWJS:1:${hex}:`)).toBe(true);
  const v = await x.line.line.verify(ctx, { gateway: hex, scanned: qr });
  expect(v.outcome).toBe('verified');
}

async function remoteRecords(r: RestartableServer): Promise<Record<string, unknown>[]> {
  return r.station.store.read((tx) =>
    tx.all(
      'SELECT record_id, eui, event, state, station, op_id FROM factory_records ORDER BY eui, at, event',
    ),
  );
}

describe('factory records: station → remote', () => {
  it('pushes every step once, in order; a twin mismatch and an unknown batch come back rejected', async () => {
    const x = await setUp();
    for (const hex of UNITS) await makeUnit(x, x.batches.twin, hex);
    await makeUnit(x, x.batches.wrong, '000000FFFE010001', false);
    await makeUnit(x, x.batches.alien, 'B827EBFFFE000001', false);
    const pending = await x.station.core.sync.entries({ states: ['pending'] });
    // one operation per step, in the order of the steps: personalized, printed, verified per unit
    expect(pending.map((e) => [e.operation, (e.items[0] as { event: string }).event])).toEqual([
      ...UNITS.flatMap(() => [
        ['factory', 'personalized'],
        ['factory', 'printed'],
        ['factory', 'verified'],
      ]),
      ['factory', 'personalized'],
      ['factory', 'printed'],
      ['factory', 'personalized'],
      ['factory', 'printed'],
    ]);
    expect(pending.every((e) => e.ownerHex === null)).toBe(true);
    expect(pending[2]!.items[0]).toMatchObject({
      gateway: gw1.id6,
      batch: x.batches.twin,
      kcv: KDF_VECTORS.kcv,
      station: 'factory-1',
      operator: 'cli:cli',
      state: 'verified',
      personalizeCount: 1,
      printCount: 1,
      verifiedAt: expect.any(String),
    });

    const status = await x.station.core.sync.syncNow(x.station.cliContext);
    expect(status.counts).toMatchObject({ pending: 0, sent: 12, rejected: 4 });
    expect(status.online).toBe(true);
    expect(status.cursor).toBe('0'); // a factory link pulls nothing

    const rows = await remoteRecords(x.remote);
    expect(rows).toHaveLength(12);
    expect(new Set(rows.map((r) => r.record_id)).size).toBe(12);
    const sent = await x.station.core.sync.entries({ states: ['sent'] });
    expect(rows.map((r) => r.op_id).sort()).toEqual(sent.map((e) => e.opId).sort());
    expect(rows.filter((r) => r.eui === gw1.hex).map((r) => [r.event, r.state])).toEqual([
      ['personalized', 'personalized'],
      ['printed', 'printed'],
      ['verified', 'verified'],
    ]);
    const audit = await x.remote.station.core.audit.list(x.remote.station.cliContext, {
      action: 'factory.record',
      limit: 100,
    });
    expect(audit).toHaveLength(12);
    // the owner who claims the gateway at the remote sees what the factory reported
    const a = x.remote.ownerA;
    await x.remote.api('claim', a.apiKey, { ownerid: a.id6, gateway: gw1.eui, claim: gw1.pin });
    const info = await x.remote.api('info', a.apiKey, { ownerid: a.id6, gateway: gw1.eui });
    expect((info.json as { info: { factory: unknown } }[])[0]!.info.factory).toEqual({
      event: 'verified',
      state: 'verified',
      at: expect.any(String),
      station: 'factory-1',
      operator: 'cli:cli',
      personalizedAt: expect.any(String),
      printedAt: expect.any(String),
      verifiedAt: expect.any(String),
      blockedAt: null,
      records: 3,
    });

    // rejected with the remote's reason, per record, in the outbox and its view
    const page = await x.station.core.sync.outboxPage({ states: ['rejected'] });
    expect(page.entries.map((e) => [e.operation, e.ownerId, e.items[0]!.gateway])).toEqual([
      ['factory', null, '0:ff:fe01:1'],
      ['factory', null, '0:ff:fe01:1'],
      ['factory', null, 'b827:ebff:fe00:1'],
      ['factory', null, 'b827:ebff:fe00:1'],
    ]);
    expect(page.entries[0]!.answer).toEqual([
      expect.objectContaining({
        gateway: '0:ff:fe01:1',
        code: 'kcv_mismatch',
        error: expect.stringMatching(/twin mismatch/),
      }),
    ]);
    expect(page.entries[2]!.answer).toEqual([
      expect.objectContaining({ code: 'not_found', error: expect.stringMatching(/outside every batch/) }),
    ]);
    // a second round sends nothing and records nothing twice
    await x.station.core.sync.syncNow(x.station.cliContext);
    expect(await remoteRecords(x.remote)).toHaveLength(12);
    // a factory link has no feed and no site pack
    await expect(x.station.core.sync.pull(x.station.cliContext)).rejects.toMatchObject({
      code: 'not_configured',
    });
    await expect(x.station.core.sync.fetchSitePack(x.station.cliContext)).rejects.toMatchObject({
      code: 'not_configured',
    });
  });

  it('records once: a retry with the same key gets the first answer, also after a restart of the remote', async () => {
    const x = await setUp();
    await makeUnit(x, x.batches.twin, gw1.hex);
    await x.station.core.sync.syncNow(x.station.cliContext);
    const [first] = await x.station.core.sync.entries({ states: ['sent'] });
    expect(first!.answer).toEqual([
      {
        gateway: gw1.id6,
        recordId: (first!.items[0] as { recordId: string }).recordId,
        batch: expect.any(String),
      },
    ]);
    const r = (remote = await x.remote.restart());
    const again = await r.post(
      PATH,
      x.factoryKey,
      { records: first!.items },
      { 'Idempotency-Key': first!.opId },
    );
    expect(again.status).toBe(200);
    expect(again.json).toEqual(first!.answer);
    // the answer was lost on the way back: the station sends the operation again with its key
    await x.station.store.transaction((tx) =>
      tx.run("UPDATE sync_outbox SET state = 'pending', answer = NULL WHERE seq = ?", [first!.seq]),
    );
    await x.station.core.sync.link(x.station.cliContext, {
      url: r.url,
      caPem: r.caPem,
      apiKey: x.factoryKey,
    });
    const status = await x.station.core.sync.syncNow(x.station.cliContext);
    expect(status.counts).toMatchObject({ pending: 0, sent: 3 });
    expect((await x.station.core.sync.entry(first!.seq)).answer).toEqual(first!.answer);
    expect(await remoteRecords(r)).toHaveLength(3);
    const audit = await r.station.core.audit.list(r.station.cliContext, {
      action: 'factory.record',
      limit: 100,
    });
    expect(audit).toHaveLength(3);
  });

  it('queues a step in its own transaction: a step whose local effect fails writes no outbox row', async () => {
    const x = await setUp();
    const ctx = x.station.cliContext;
    // the store refuses the personalization's audit entry: the last write of the step's transaction,
    // after the unit row, its history and its outbox entry
    await x.station.store.transaction((tx) =>
      tx.run(
        "CREATE TRIGGER refuse_personalize BEFORE INSERT ON audit_log WHEN NEW.action = 'personalize' BEGIN SELECT RAISE(ABORT, 'disk says no'); END",
      ),
    );
    await expect(x.line.line.scan(ctx, { batchId: x.batches.twin, input: gw1.hex })).rejects.toThrow(
      /disk says no/,
    );
    const nothing = await x.station.store.read(async (tx) => ({
      units: await tx.all('SELECT eui FROM factory_units'),
      outbox: await tx.all('SELECT seq FROM sync_outbox'),
    }));
    expect(nothing).toEqual({ units: [], outbox: [] });
    await x.station.store.transaction((tx) => tx.run('DROP TRIGGER refuse_personalize'));
    await makeUnit(x, x.batches.twin, gw1.hex, false);
    const queued = await x.station.store.read((tx) =>
      tx.all('SELECT operation, state FROM sync_outbox ORDER BY seq'),
    );
    expect(queued).toEqual([
      { operation: 'factory', state: 'pending' },
      { operation: 'factory', state: 'pending' },
    ]);
  });

  it('queues a pre-generation chunk as one operation and pushes its records', async () => {
    const x = await setUp();
    const job = await x.line.jobs.startAndWait(x.station.cliContext, {
      batchId: x.batches.twin,
      first: '000000FFFE000100',
      count: 3,
      labels: false,
    });
    expect(job.state).toBe('done');
    const [entry, ...rest] = await x.station.core.sync.entries({ states: ['pending'] });
    expect(rest).toEqual([]);
    expect(
      entry!.items.map((i) => [(i as { gateway: string }).gateway, (i as { jobId: string }).jobId]),
    ).toEqual([
      ['0:ff:fe00:100', job.id],
      ['0:ff:fe00:101', job.id],
      ['0:ff:fe00:102', job.id],
    ]);
    expect((await x.station.core.sync.syncNow(x.station.cliContext)).counts).toMatchObject({ sent: 1 });
    expect((await remoteRecords(x.remote)).map((r) => [r.eui, r.event])).toEqual([
      ['000000FFFE000100', 'personalized'],
      ['000000FFFE000101', 'personalized'],
      ['000000FFFE000102', 'personalized'],
    ]);
  });

  it('rejects the records of a station linked with an owner key: the key lacks the factory scope', async () => {
    const x = await setUp();
    const ctx = x.station.cliContext;
    await x.station.core.access.createOwner(ctx, x.remote.ownerA.id6, 'owner a');
    await x.station.core.sync.link(ctx, {
      url: x.remote.url,
      caPem: x.remote.caPem,
      ownerId: x.remote.ownerA.id6,
      apiKey: x.remote.ownerA.apiKey,
    });
    await makeUnit(x, x.batches.twin, gw1.hex, false);
    const status = await x.station.core.sync.syncNow(ctx);
    expect(status.counts).toMatchObject({ pending: 0, rejected: 2 });
    const [entry] = await x.station.core.sync.entries({ states: ['rejected'] });
    expect(entry!.answer).toMatchObject({
      status: 403,
      code: 'forbidden',
      error: expect.stringContaining('"factory" scope'),
    });
    expect(await remoteRecords(x.remote)).toEqual([]);
    // re-applied after relinking with the factory key, it is recorded
    await x.station.core.sync.link(ctx, { url: x.remote.url, caPem: x.remote.caPem, apiKey: x.factoryKey });
    await x.station.core.sync.resolve(ctx, entry!.seq, 'reapply');
    await expect(x.station.core.sync.resolve(ctx, entry!.seq + 1, 'adopt')).rejects.toMatchObject({
      code: 'invalid_request',
    });
    const after = await x.station.core.sync.syncNow(ctx);
    expect(after.counts).toMatchObject({ pending: 0, sent: 1, dropped: 1, rejected: 1 });
    expect((await remoteRecords(x.remote)).map((r) => r.event)).toEqual(['personalized']);
  });
});
