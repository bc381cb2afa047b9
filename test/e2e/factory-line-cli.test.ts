/**
 * The factory line's command line (docs/factory-line.md) end to end: the real `bin/gwjs.mjs` in child
 * processes on a temp station — batch from a MAC range, bundle settings, pre-generation, an
 * encrypted manifest, and the owner's bulk claim from it with openssl-made keys.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { onlyJson, runGwjs, type GwjsRun } from '../helpers/gwjs-cli';
import { makeTempDir } from '../helpers/tmp-dir';

const PASS = { GWJS_HSM_PASSPHRASE: 'a long enough test passphrase' };

const gwjs = (args: string[]): Promise<GwjsRun> => runGwjs(args, PASS);
const json = onlyJson;

describe('gwjs factory commands', () => {
  let data: string;
  let work: string;
  let batch: string;

  beforeAll(async () => {
    work = makeTempDir('factory-cli', { until: 'exit' });
    data = path.join(work, 'station');
    const init = await gwjs(['init', '--data', data, '--json']);
    expect(init.code, init.stderr).toBe(0);
    const owner = await gwjs(['owner', 'create', '--data', data, '--id', 'a::1', '--json']);
    expect(owner.code, owner.stderr).toBe(0);
    const created = await gwjs([
      'batch',
      'create',
      '--data',
      data,
      '--json',
      '--first',
      'b8:27:eb:00:00:00',
      '--last',
      'b8:27:eb:00:ff:ff',
      '--flavor',
      'corecell',
    ]);
    expect(created.code, created.stderr).toBe(0);
    batch = String(json(created).batch);
  }, 60_000);

  it('configures a batch, refuses an overlapping one, and lists KCV and counts', async () => {
    const overlap = await gwjs([
      'batch',
      'create',
      '--data',
      data,
      '--json',
      '--first',
      'B8-27-EB-FF-FE-00-10-00',
      '--last',
      'B8-27-EB-FF-FE-01-00-00',
    ]);
    expect(overlap.code).toBe(1);
    expect(json(overlap)).toMatchObject({
      code: 'batch_conflict',
      error: expect.stringContaining(`overlaps batch ${batch}`),
    });

    const conf = await gwjs([
      'batch',
      'configure',
      '--data',
      data,
      '--json',
      '--batch',
      batch,
      '--model',
      'GW-8',
      '--cups-uri',
      'https://js.example.net:443',
    ]);
    expect(conf.code, conf.stderr).toBe(0);
    expect(json(conf)).toMatchObject({
      batch: { model: 'GW-8', cupsUri: 'https://js.example.net:443', size: '65536' },
    });
  }, 30_000);

  it('pre-generates bundles and labels, exports a manifest, and the owner bulk-claims it', async () => {
    const out = path.join(work, 'out');
    const pre = await gwjs([
      'pregenerate',
      '--data',
      data,
      '--json',
      '--batch',
      batch,
      '--count',
      '300',
      '--out',
      out,
      '--chunk',
      '100',
    ]);
    expect(pre.code, pre.stderr).toBe(0);
    expect(json(pre)).toMatchObject({ job: { state: 'done', done: 300, first: 'b827:ebff:fe00:0' } });
    expect(pre.stderr).toContain('100/300');
    expect(readdirSync(path.join(out, 'labels'))).toHaveLength(300);
    expect(readFileSync(path.join(out, 'B827EBFFFE00012B', 'cups.uri'), 'utf8')).toBe(
      'https://js.example.net:443\n',
    );

    const list = await gwjs(['batch', 'list', '--data', data, '--json']);
    expect(json(list)).toMatchObject({ batches: [{ id: batch, counts: { personalized: 300, printed: 0 } }] });

    const key = path.join(work, 'owner.pem');
    execFileSync('openssl', [
      'genpkey',
      '-algorithm',
      'EC',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-out',
      key,
    ]);
    writeFileSync(path.join(work, 'owner.pub'), execFileSync('openssl', ['pkey', '-in', key, '-pubout']));
    const manifest = path.join(work, 'a1.manifest.json');
    const exp = await gwjs([
      'manifest',
      'export',
      '--data',
      data,
      '--json',
      '--batch',
      batch,
      '--owner-key',
      path.join(work, 'owner.pub'),
      '--out',
      manifest,
    ]);
    expect(exp.code, exp.stderr).toBe(0);
    expect(json(exp)).toMatchObject({ count: 300, manifest });

    // tampering is detected (bad input: exit 2), and a stranger's key does not open it
    const doc = JSON.parse(readFileSync(manifest, 'utf8')) as { ciphertext: string };
    const tampered = path.join(work, 'tampered.json');
    const ct = doc.ciphertext;
    const flipped = `${ct.slice(0, 10)}${ct[10] === 'A' ? 'B' : 'A'}${ct.slice(11)}`;
    writeFileSync(tampered, JSON.stringify({ ...doc, ciphertext: flipped }));
    const stranger = path.join(work, 'stranger.pem');
    execFileSync('openssl', ['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', stranger]);
    const [bad, wrongKey] = await Promise.all([
      gwjs(['claim', '--data', data, '--json', '--owner', 'a::1', '--manifest', tampered, '--key', key]),
      gwjs(['claim', '--data', data, '--json', '--owner', 'a::1', '--manifest', manifest, '--key', stranger]),
    ]);
    expect(bad.code).toBe(2);
    expect(json(bad)).toMatchObject({ code: 'invalid_credential' });
    expect(wrongKey.code).toBe(2);
    expect(json(wrongKey)).toMatchObject({
      code: 'invalid_credential',
      error: expect.stringContaining('not for this key'),
    });

    const claim = await gwjs([
      'claim',
      '--data',
      data,
      '--json',
      '--owner',
      'a::1',
      '--manifest',
      manifest,
      '--key',
      key,
    ]);
    expect(claim.code, claim.stderr).toBe(0);
    expect(json(claim)).toMatchObject({ claimed: 300, batch });
    expect(existsSync(manifest)).toBe(true);
  }, 90_000);
});
