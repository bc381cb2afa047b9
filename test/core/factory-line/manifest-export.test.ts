import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { euiFromHex, euiHex, formatId6 } from '../../../src-shared/ids';
import { openManifest, privateKeyPkcs8FromPem } from '../../../src-shared/manifest';
import { KDF_VECTORS } from '../../helpers/core-fixture';
import { makeTempDir } from '../../helpers/tmp-dir';
import { createLineFixture, type LineFixture } from './helpers/line-fixture';

const FIRST = euiFromHex('000000FFFE000000');

function ownerKeys(): { privatePem: string; publicPem: string } {
  const dir = makeTempDir('owner-key');
  const key = join(dir, 'owner.pem');
  execFileSync('openssl', [
    'genpkey',
    '-algorithm',
    'EC',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-out',
    key,
  ]);
  return {
    privatePem: readFileSync(key, 'utf8'),
    publicPem: execFileSync('openssl', ['pkey', '-in', key, '-pubout'], { encoding: 'utf8' }),
  };
}

describe('ManifestExporter', () => {
  let lf: LineFixture;
  afterEach(async () => lf?.close());

  it('exports a batch to the owner key; the owner opens it and bulk-claims every gateway', async () => {
    lf = await createLineFixture({ wiring: { jobs: { chunkSize: 25 } } });
    const batchId = lf.fx.batch.id;
    await lf.line.jobs.startAndWait(lf.fx.admin, { batchId, count: 60, labels: false });
    // one line unit blocked by a mis-scan: not exported by default
    await lf.line.line.scan(lf.fx.admin, { batchId, input: KDF_VECTORS.gw2.hex });
    await lf.line.line.verify(lf.fx.admin, {
      gateway: KDF_VECTORS.gw2.hex,
      scanned: 'GWJS:1:000000FFFE000ABC:6CVHEQSA',
    });

    const owner = ownerKeys();
    const exported = await lf.line.manifests.export(lf.fx.admin, {
      batchId,
      format: 'csv',
      ownerPublicKey: owner.publicPem,
    });
    expect(exported.count).toBe(60);
    expect(exported.fileName).toBe(`gwjs-manifest-${batchId}-60.json`);

    const opened = await openManifest(exported.text, privateKeyPkcs8FromPem(owner.privatePem));
    expect(opened.header).toMatchObject({ count: 60, batch: batchId, kid: exported.kid });
    expect(opened.gateways.map((g) => g.eui)).toEqual(
      Array.from({ length: 60 }, (_, i) => euiHex(FIRST + BigInt(i))),
    );
    for (const g of opened.gateways.slice(0, 5)) {
      const bundle = JSON.parse(readFileSync(join(lf.outDir, g.eui, 'gateway.json'), 'utf8')) as {
        claimPin: string;
      };
      expect(g.pin).toBe(bundle.claimPin.replace('-', ''));
    }

    const audit = await lf.fx.core.audit.list(lf.fx.admin, { action: 'factory.manifest.export' });
    expect(audit[0]).toMatchObject({ detail: { count: 60, kid: exported.kid, format: 'csv' } });
    expect(JSON.stringify(audit)).not.toContain(opened.gateways[0]!.pin);

    const { ownerA } = lf.fx;
    const results = await lf.fx.core.owner.claim(
      ownerA.ctx,
      ownerA.id6,
      opened.gateways.map((g) => ({ gateway: g.id6, claim: g.pin })),
    );
    expect(results).toHaveLength(60);
    expect(results.filter((r) => r.error !== undefined)).toEqual([]);
    expect(results[0]).toEqual({ gateway: formatId6(FIRST) });
    const info = await lf.fx.core.owner.info(ownerA.ctx, ownerA.id6, [opened.gateways[59]!.id6]);
    expect(info[0]?.info).toMatchObject({ owner: ownerA.id6, claimed: true });
  });

  it('exports a selection in JSON, and refuses gateways that are not units of the batch', async () => {
    lf = await createLineFixture({ settings: { printer: { kind: 'none' } } });
    const batchId = lf.fx.batch.id;
    await lf.line.line.scan(lf.fx.admin, { batchId, input: KDF_VECTORS.gw1.hex });
    await lf.line.line.scan(lf.fx.admin, { batchId, input: KDF_VECTORS.gw2.hex });
    const owner = ownerKeys();
    const exported = await lf.line.manifests.export(lf.fx.admin, {
      batchId,
      gateways: [KDF_VECTORS.gw2.id6],
      format: 'json',
      ownerPublicKey: owner.publicPem,
    });
    const opened = await openManifest(exported.text, privateKeyPkcs8FromPem(owner.privatePem));
    expect(opened.gateways).toEqual([
      { eui: KDF_VECTORS.gw2.hex, id6: KDF_VECTORS.gw2.id6, pin: KDF_VECTORS.gw2.pin },
    ]);
    await expect(
      lf.line.manifests.export(lf.fx.admin, {
        batchId,
        gateways: ['::1'],
        format: 'csv',
        ownerPublicKey: owner.publicPem,
      }),
    ).rejects.toMatchObject({
      code: 'not_found',
      message: expect.stringContaining('::1 is not a personalized unit'),
    });
    await expect(
      lf.line.manifests.export(lf.fx.admin, { batchId, format: 'csv', ownerPublicKey: 'hello' }),
    ).rejects.toMatchObject({ code: 'invalid_request', message: expect.stringContaining('ownerPublicKey') });
    await expect(
      lf.line.manifests.export(lf.fx.admin, {
        batchId,
        states: ['verified'],
        format: 'csv',
        ownerPublicKey: owner.publicPem,
      }),
    ).rejects.toMatchObject({ code: 'invalid_request', message: expect.stringContaining('no units') });
  });
});
