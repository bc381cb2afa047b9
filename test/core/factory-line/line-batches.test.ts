import { afterEach, describe, expect, it } from 'vitest';
import { issueCertificate, loadOrCreateCa } from '../../../src-main/adapters/tls/local-ca';
import { makeTempDir } from '../../helpers/tmp-dir';
import { createLineFixture, type LineFixture } from './helpers/line-fixture';

describe('FactoryBatches', () => {
  let lf: LineFixture;
  afterEach(async () => lf?.close());

  it('creates a batch from a MAC range with model, CUPS URI and trust, and shows KCV and counts', async () => {
    lf = await createLineFixture();
    const { ca } = await loadOrCreateCa(makeTempDir('public-ca'));
    const b = await lf.line.batches.create(lf.fx.admin, {
      first: 'b8:27:eb:00:00:00',
      last: 'b8:27:eb:00:03:ff',
      flavor: 'rpi-corecell',
      model: 'GW-8 outdoor',
      cupsUri: 'https://cups.example.net:443',
      trustPem: ca.certPem,
    });
    expect(b).toMatchObject({
      firstEui64: 'B8-27-EB-FF-FE-00-00-00',
      lastEui64: 'B8-27-EB-FF-FE-00-03-FF',
      size: '1024',
      flavor: 'rpi-corecell',
      model: 'GW-8 outdoor',
      cupsUri: 'https://cups.example.net:443',
      ownTrust: true,
      counts: { personalized: 0, printed: 0, verified: 0, blocked: 0 },
    });
    expect(b.kcv).toMatch(/^[0-9A-F]{6}$/);
    expect(b.trustFingerprint).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);

    // bundles of that batch carry its URI and trust
    const r = await lf.line.line.scan(lf.fx.admin, { batchId: b.id, input: 'b8:27:eb:00:01:00' });
    expect(r.unit.mac).toBe('B8:27:EB:00:01:00');
    const list = await lf.line.batches.list();
    expect(list.find((x) => x.id === b.id)?.counts).toEqual({
      personalized: 1,
      printed: 1,
      verified: 0,
      blocked: 0,
    });
  });

  it('surfaces the overlap refusal of the batch service and checks settings before making a key', async () => {
    lf = await createLineFixture();
    const keysBefore = (await lf.fx.hsm.status()).keyCount;
    await expect(
      lf.line.batches.create(lf.fx.admin, {
        first: '00-00-00-FF-FE-00-0A-00',
        last: '00-00-00-FF-FE-00-0B-00',
      }),
    ).rejects.toMatchObject({
      code: 'batch_conflict',
      message: expect.stringContaining(`overlaps batch ${lf.fx.batch.id}`),
    });
    await expect(
      lf.line.batches.create(lf.fx.admin, {
        first: 'a::',
        last: 'a::ff',
        cupsUri: 'http://cups.example.net:80',
      }),
    ).rejects.toMatchObject({ code: 'invalid_uri', message: expect.stringContaining('must be https') });
    await expect(
      lf.line.batches.create(lf.fx.admin, { first: 'a::', last: 'a::ff', trustPem: 'not a certificate' }),
    ).rejects.toMatchObject({ code: 'invalid_credential' });
    expect((await lf.fx.hsm.status()).keyCount).toBe(keysBefore);
  });

  it('changes what later bundles carry, falling back to the station defaults when cleared', async () => {
    lf = await createLineFixture({ settings: { printer: { kind: 'none' } } });
    const dir = makeTempDir('other-ca');
    const { ca } = await loadOrCreateCa(dir);
    const leaf = await issueCertificate(ca, { commonName: 'x', sans: [], usage: 'client', days: 1 });
    const id = lf.fx.batch.id;
    const b = await lf.line.batches.configure(lf.fx.admin, {
      batchId: id,
      model: 'M2',
      cupsUri: 'https://cups.example.org:8443',
      trustPem: leaf.certPem,
    });
    expect(b).toMatchObject({ model: 'M2', cupsUri: 'https://cups.example.org:8443', ownTrust: true });
    const cleared = await lf.line.batches.configure(lf.fx.admin, {
      batchId: id,
      cupsUri: null,
      trustPem: null,
    });
    expect(cleared).toMatchObject({ model: 'M2', cupsUri: 'https://js.example.com:6041', ownTrust: false });
    const audit = await lf.fx.core.audit.list(lf.fx.admin, { action: 'factory.batch.configure' });
    expect(audit).toHaveLength(2);
    await expect(lf.line.batches.configure(lf.fx.admin, { batchId: 'nope' })).rejects.toMatchObject({
      code: 'not_found',
    });
  });
});
