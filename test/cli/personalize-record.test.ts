/**
 * `gwjs personalize` on a linked station writes the one-off bundle's factory record (docs/sync.md
 * "Factory records"), through the real bin against a real remote on 127.0.0.1: unlinked, nothing
 * is queued; linked with `gwjs sync link` without `--owner` (a factory link, factory key), a
 * bundle that cannot be written queues nothing and audits nothing, a written one queues one
 * `personalized` record that `gwjs sync now` pushes; the remote holds it and the owner's `info`
 * shows it. On an owner link the record is queued too.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { hexToBytes } from '../../src-shared/bytes';
import { euiFromHex, formatId6 } from '../../src-shared/ids';
import { freePort } from '../../src-main/cli/free-port';
import { openStation, writeSettings, type Station } from '../../src-main/compose/station';
import { KDF_VECTORS, TestClock } from '../helpers/core-fixture';
import { onlyJson, runGwjs } from '../helpers/gwjs-cli';
import { startRestartableServer, type RestartableServer } from '../helpers/restartable-server';
import { makeTempDir } from '../helpers/tmp-dir';

const gw1 = KDF_VECTORS.gw1;
const gw2 = '000000FFFE000001';
const env = { GWJS_HSM_PASSPHRASE: 'test passphrase' };
/** the twin's part of the remote's batch (gw1 inside), with the vector root key */
const TWIN = { first: '00-00-00-FF-FE-00-00-00', last: '00-00-00-FF-FE-00-FF-FF' };

let remote: RestartableServer | undefined;
let station: Station | undefined;
afterEach(async () => {
  await station?.close();
  await remote?.close();
  station = remote = undefined;
});

interface Setup {
  remote: RestartableServer;
  dir: string;
  caFile: string;
  keyFile: string;
}

/** A remote with a factory key, and a closed station holding the twin batch, not linked. */
async function setUp(): Promise<Setup> {
  const r = (remote = await startRestartableServer());
  const { apiKey } = await r.station.core.access.createApiKey(r.station.cliContext, null, ['factory'], 'f');
  const dir = makeTempDir('personalize-record', { until: 'exit' });
  const port = await freePort();
  const s = await openStation({
    dataDir: dir,
    passphrase: 'test passphrase',
    scryptN: 2 ** 10,
    clock: new TestClock(Date.now()),
    init: { publicHosts: ['127.0.0.1'], port },
  });
  await writeSettings(dir, s.settings);
  const twin = await s.core.batches.import(
    s.cliContext,
    { ...TWIN, flavor: 'test' },
    hexToBytes(KDF_VECTORS.brkHex),
  );
  expect(twin.kcv).toBe(KDF_VECTORS.kcv);
  await s.close();
  const caFile = join(dir, 'remote-ca.pem');
  const keyFile = join(dir, 'factory.key');
  writeFileSync(caFile, r.caPem);
  writeFileSync(keyFile, `${apiKey}\n`);
  return { remote: r, dir, caFile, keyFile };
}

const personalize = (x: Setup, gateway: string, out: string) =>
  runGwjs(['personalize', '--data', x.dir, '--gateway', gateway, '--out', out, '--json'], env);

async function pending(x: Setup): Promise<unknown> {
  const status = await runGwjs(['sync', 'status', '--data', x.dir, '--json'], env);
  expect(status.code, status.stderr).toBe(0);
  return (onlyJson(status) as { counts: { pending: number } }).counts.pending;
}

describe('gwjs personalize on a linked station', () => {
  it('queues the bundle’s record on a factory link only once the bundle is written; sync now delivers it', async () => {
    const x = await setUp();
    const out = join(x.dir, 'bundles');

    // unlinked: a bundle, no record
    const unlinked = await personalize(x, gw2, out);
    expect(unlinked.code, unlinked.stderr).toBe(0);
    expect(await pending(x)).toBe(0);

    // a factory link, made by the CLI without --owner
    const link = await runGwjs(
      [
        'sync',
        'link',
        '--data',
        x.dir,
        '--json',
        '--url',
        x.remote.url,
        '--ca-file',
        x.caFile,
        '--api-key-file',
        x.keyFile,
      ],
      env,
    );
    expect(link.code, link.stderr).toBe(0);
    expect(onlyJson(link)).toMatchObject({ linked: true, ownerId: null });

    // the bundle cannot be written (the output is a file): no audit entry, no record
    const blocked = join(x.dir, 'not-a-folder');
    writeFileSync(blocked, 'x');
    const failed = await personalize(x, gw1.eui, blocked);
    expect(failed.code).not.toBe(0);
    expect(existsSync(join(blocked, gw1.hex))).toBe(false);
    expect(await pending(x)).toBe(0);

    const made = await personalize(x, gw1.eui, out);
    expect(made.code, made.stderr).toBe(0);
    expect(onlyJson(made)).toMatchObject({ gateway: gw1.id6, bundle: join(out, gw1.hex) });
    expect(await pending(x)).toBe(1);

    const now = await runGwjs(['sync', 'now', '--data', x.dir], env);
    expect(now.code, now.stderr).toBe(0);
    expect(now.stdout).toMatch(/Outbox: 0 pending, 1 sent/);
    const rows = await x.remote.station.store.read((tx) =>
      tx.all('SELECT eui, kcv, event, state, station, record FROM factory_records'),
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      eui: gw1.hex,
      kcv: KDF_VECTORS.kcv,
      event: 'personalized',
      state: 'personalized',
      station: hostname(),
    });
    expect(JSON.parse(rows[0]!.record as string)).toMatchObject({
      gateway: gw1.id6,
      generation: 0,
      personalizeCount: 1,
      printCount: 0,
      fromMac: false,
      jobId: null,
      reason: null,
      printedAt: null,
    });

    // the owner who claims the gateway at the remote sees what the factory reported
    const a = x.remote.ownerA;
    await x.remote.api('claim', a.apiKey, { ownerid: a.id6, gateway: gw1.eui, claim: gw1.pin });
    const info = await x.remote.api('info', a.apiKey, { ownerid: a.id6, gateway: gw1.eui });
    expect((info.json as { info: { factory: unknown } }[])[0]!.info.factory).toEqual({
      event: 'personalized',
      state: 'personalized',
      at: expect.any(String),
      station: hostname(),
      operator: 'cli:cli',
      personalizedAt: expect.any(String),
      printedAt: null,
      verifiedAt: null,
      blockedAt: null,
      records: 1,
    });

    // the failed attempt left no audit entry: only the two bundles written are audited
    const s = (station = await openStation({
      dataDir: x.dir,
      passphrase: 'test passphrase',
      scryptN: 2 ** 10,
    }));
    const audited = await s.core.audit.list(s.cliContext, { action: 'personalize', limit: 10 });
    expect(audited.map((e) => e.target).sort()).toEqual([gw1.id6, formatId6(euiFromHex(gw2))].sort());
  }, 90_000);

  it('queues the record on an owner link too', async () => {
    const x = await setUp();
    const s = (station = await openStation({
      dataDir: x.dir,
      passphrase: 'test passphrase',
      scryptN: 2 ** 10,
    }));
    const a = x.remote.ownerA;
    await s.core.access.createOwner(s.cliContext, a.id6, 'owner a');
    await s.core.sync.link(s.cliContext, {
      url: x.remote.url,
      caPem: x.remote.caPem,
      ownerId: a.id6,
      apiKey: a.apiKey,
    });
    await s.close();
    station = undefined;
    const made = await personalize(x, gw1.eui, join(x.dir, 'bundles'));
    expect(made.code, made.stderr).toBe(0);
    const reopened = (station = await openStation({
      dataDir: x.dir,
      passphrase: 'test passphrase',
      scryptN: 2 ** 10,
    }));
    const entries = await reopened.core.sync.entries({ states: ['pending'] });
    expect(entries.map((e) => [e.operation, e.state])).toEqual([['factory', 'pending']]);
    expect(entries[0]!.items).toMatchObject([
      { gateway: gw1.id6, event: 'personalized', kcv: KDF_VECTORS.kcv },
    ]);
  }, 90_000);
});
