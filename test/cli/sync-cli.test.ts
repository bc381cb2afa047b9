/**
 * `gwjs sync …` through the real bin (docs/sync.md): link a station to a real remote, see the
 * pending outbox in `status`, push it with `now`; bad input exits 2 naming the flag.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { KDF_VECTORS } from '../helpers/core-fixture';
import { onlyJson, runGwjs } from '../helpers/gwjs-cli';
import { startSyncPair, type SyncPair } from '../helpers/sync-pair';
import { makeTempDir } from '../helpers/tmp-dir';

let pair: SyncPair | undefined;
afterEach(async () => {
  await pair?.close();
  pair = undefined;
});

const env = { GWJS_HSM_PASSPHRASE: 'test passphrase' };

describe('gwjs sync', () => {
  it('links, reports the outbox and pushes it', async () => {
    const p = (pair = await startSyncPair());
    const gw = KDF_VECTORS.gw1;
    await p.station.core.owner.claim(p.station.cliContext, p.owner, [{ gateway: gw.eui, claim: gw.pin }]);
    await p.station.close();
    const dir = makeTempDir('sync-cli');
    const caFile = join(dir, 'remote-ca.pem');
    const keyFile = join(dir, 'key');
    writeFileSync(caFile, p.remote.caPem);
    writeFileSync(keyFile, `${p.remote.ownerA.apiKey}\n`);

    // relinking replaces the link; a wrong fingerprint is refused
    const wrong = await runGwjs(
      [
        'sync',
        'link',
        '--data',
        p.stationDir,
        '--json',
        '--url',
        p.remote.url,
        '--ca-file',
        caFile,
        '--owner',
        p.owner,
        '--api-key-file',
        keyFile,
        '--ca-fingerprint',
        '00'.repeat(32),
      ],
      env,
    );
    expect(wrong.code).toBe(2);
    expect(onlyJson(wrong)).toMatchObject({ code: 'invalid_credential' });
    const link = await runGwjs(
      [
        'sync',
        'link',
        '--data',
        p.stationDir,
        '--json',
        '--url',
        p.remote.url,
        '--ca-file',
        caFile,
        '--owner',
        p.owner,
        '--api-key-file',
        keyFile,
      ],
      env,
    );
    expect(link.code, link.stderr).toBe(0);
    expect(onlyJson(link)).toMatchObject({ linked: true, url: p.remote.url, ownerId: p.owner });

    const status = await runGwjs(['sync', 'status', '--data', p.stationDir, '--json'], env);
    expect(onlyJson(status)).toMatchObject({ linked: true, counts: { pending: 1 } });
    const now = await runGwjs(['sync', 'now', '--data', p.stationDir], env);
    expect(now.code, now.stderr).toBe(0);
    expect(now.stdout).toMatch(/Outbox: 0 pending, 1 sent/);
    const info = await p.remote.api('info', p.remote.ownerA.apiKey, { ownerid: p.owner, gateway: gw.eui });
    expect(info.json).toMatchObject([{ info: { owner: p.owner } }]);
  }, 60_000);

  it('fetches the site pack and shows what it holds (docs/sync.md "Site packs")', async () => {
    const p = (pair = await startSyncPair({ twin: false }));
    const gw = KDF_VECTORS.gw1;
    await p.remote.api('claim', p.remote.ownerA.apiKey, { ownerid: p.owner, gateway: gw.eui, claim: gw.pin });
    await p.station.close();
    const none = await runGwjs(['sync', 'site-pack', 'status', '--data', p.stationDir], env);
    expect(none.code, none.stderr).toBe(0);
    expect(none.stdout).toMatch(/No site pack/);
    const bad = await runGwjs(
      ['sync', 'site-pack', 'fetch', '--data', p.stationDir, '--gateway', 'nope', '--json'],
      env,
    );
    expect(bad.code).toBe(2);
    expect(onlyJson(bad)).toMatchObject({ code: 'invalid_id' });
    expect(JSON.stringify(onlyJson(bad))).toContain('gateways[0]');
    const fetched = await runGwjs(
      ['sync', 'site-pack', 'fetch', '--data', p.stationDir, '--gateway', gw.eui, '--json'],
      env,
    );
    expect(fetched.code, fetched.stderr).toBe(0);
    expect(onlyJson(fetched)).toMatchObject({
      present: true,
      selection: [gw.id6],
      gateways: 1,
      clientCas: 1,
      items: [{ gateway: gw.id6, configured: false, verifiers: 2, certificates: 0 }],
    });
    expect(fetched.stdout).not.toContain(gw.token0);
    const status = await runGwjs(['sync', 'site-pack', 'status', '--data', p.stationDir], env);
    expect(status.stdout).toContain(`Site pack of owner ${p.owner}: 1 gateway(s), chosen: ${gw.id6}`);
    expect(status.stdout).toContain(`${gw.id6}  not set up  token g0`);
    expect(status.stdout).toContain('; 1 client CA(s)');
  }, 60_000);

  it('exits 2 naming a missing flag', async () => {
    const r = await runGwjs(['sync', 'link', '--ca-file', 'x.pem'], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--url/);
    // a station without a link: the CA and the key are needed (an edit may keep them)
    const p = (pair = await startSyncPair());
    await p.station.core.sync.unlink(p.station.cliContext);
    await p.station.close();
    const data = ['--data', p.stationDir, '--url', p.remote.url, '--owner', p.owner];
    const noCa = await runGwjs(['sync', 'link', ...data], env);
    expect(noCa.code).toBe(2);
    expect(noCa.stderr).toContain('--ca-file: the remote’s CA certificate is needed to link');
    const dir = makeTempDir('sync-cli');
    writeFileSync(join(dir, 'ca.pem'), p.remote.caPem);
    const noKey = await runGwjs(['sync', 'link', ...data, '--ca-file', join(dir, 'ca.pem')], env);
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toContain('--api-key-file: the owner’s API key on the remote is needed to link');
    await p.reopenStation();
  });
});
