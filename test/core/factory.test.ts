import { X509Certificate } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BUNDLE_FILES } from '../../src-main/core/factory-bundle';
import {
  createCoreFixture,
  KDF_VECTORS,
  OUTSIDE_ID,
  SERVER_CUPS_URI,
  type CoreFixture,
} from '../helpers/core-fixture';

const { gw1 } = KDF_VECTORS;
const GMK1 = 'd08b2147c0a27bbfd93494b3251a1eb203c6b6af80d3a6eeb033f0341b058f80';

describe('factory.personalize', () => {
  let f: CoreFixture;
  beforeEach(async () => {
    f = await createCoreFixture();
  });
  afterEach(async () => f.close());

  it('writes the SPEC §5 bundle from the SPEC §2 vectors', async () => {
    const bundle = await f.core.factory.personalize(f.admin, '00:00:00:00:0a:bc', {
      cupsUri: SERVER_CUPS_URI,
      trustPem: f.pki.caPem,
    });
    expect(bundle).toMatchObject({ eui: gw1.hex, id6: gw1.id6, pin: '6CVH-EQSA' });
    expect(Object.keys(bundle.files).sort()).toEqual([...BUNDLE_FILES].sort());
    expect(bundle.files['cups.uri']).toBe(`${SERVER_CUPS_URI}\n`);
    expect(bundle.files['cups-boot.uri']).toBe(bundle.files['cups.uri']);
    expect(bundle.files['cups.key']).toBe(`Authorization: Bearer ${gw1.token0}\r\n`);
    expect(bundle.files['cups-boot.key']).toBe(bundle.files['cups.key']);
    expect(new X509Certificate(bundle.files['cups.trust']!).raw).toEqual(Buffer.from(f.pki.caDer));
    expect(JSON.parse(bundle.files['gateway.json']!)).toEqual({
      eui: gw1.hex,
      id6: gw1.id6,
      batch: f.batch.id,
      kdf: 'GWJS-v1',
      gmk: GMK1,
      claimPin: '6CVH-EQSA',
    });
    expect(JSON.parse(bundle.files['station.conf']!)).toEqual({
      station_conf: { routerid: gw1.eui, euiprefix: '::0' },
    });
    // the GMK is in gateway.json only
    for (const [name, text] of Object.entries(bundle.files)) {
      if (name !== 'gateway.json') expect(text).not.toContain(GMK1);
    }
  });

  it('audits the personalization without GMK, PIN or token', async () => {
    await f.core.factory.personalize(f.admin, gw1.id6, { cupsUri: SERVER_CUPS_URI, trustPem: f.pki.caPem });
    const entries = await f.core.audit.list(f.admin, { target: gw1.id6, action: 'personalize' });
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ actor: 'cli:cli', detail: { batch: f.batch.id, generation: 0 } });
    const text = JSON.stringify(entries);
    for (const secret of [GMK1, gw1.pin, '6CVH-EQSA', gw1.token0]) expect(text).not.toContain(secret);
  });

  it('refuses gateways outside every batch, plain-http CUPS and non-admins', async () => {
    const opts = { cupsUri: SERVER_CUPS_URI, trustPem: '' };
    await expect(f.core.factory.personalize(f.admin, OUTSIDE_ID, opts)).rejects.toMatchObject({
      code: 'not_found',
    });
    await expect(
      f.core.factory.personalize(f.admin, gw1.id6, {
        cupsUri: 'http://js.example.com:80',
        trustPem: f.pki.caPem,
      }),
    ).rejects.toMatchObject({ code: 'invalid_uri' });
    await expect(f.core.factory.personalize(f.admin, gw1.id6, opts)).rejects.toMatchObject({
      code: 'invalid_credential',
    });
    await expect(
      f.core.factory.personalize(f.ownerA.ctx, gw1.id6, { cupsUri: SERVER_CUPS_URI, trustPem: f.pki.caPem }),
    ).rejects.toMatchObject({ code: 'forbidden' });
  });

  it('gives a label its id and HSM-derived PIN, audited as a label render, not a personalization', async () => {
    const label = await f.core.factory.labelData(f.admin, '00:00:00:00:0a:bc', {
      kind: 'render',
      format: 'zpl',
      template: 'default-50x30',
    });
    expect(label).toEqual({
      id: 0xfffe000abcn,
      id6: gw1.id6,
      eui: gw1.hex,
      pin: gw1.pin,
      batch: f.batch.id,
    });
    const entries = await f.core.audit.list(f.admin, { target: gw1.id6 });
    expect(entries.map((e) => e.action)).toEqual(['factory.label.render']);
    expect(entries[0]!.detail).toEqual({ batch: f.batch.id, format: 'zpl', template: 'default-50x30' });
    expect(JSON.stringify(entries)).not.toContain(gw1.pin);
    await f.core.factory.labelData(f.admin, gw1.id6, { kind: 'print', format: 'zpl', template: 't' });
    expect((await f.core.audit.list(f.admin, { target: gw1.id6 }))[0]!.action).toBe('factory.label.print');
    await expect(
      f.core.factory.labelData(f.admin, OUTSIDE_ID, { kind: 'render', format: 'png', template: 't' }),
    ).rejects.toMatchObject({ code: 'not_found' });
    await expect(
      f.core.factory.labelData(f.ownerA.ctx, gw1.id6, { kind: 'render', format: 'png', template: 't' }),
    ).rejects.toMatchObject({ code: 'forbidden' });
  });
});
