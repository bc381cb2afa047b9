import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCoreFixture, KDF_VECTORS, OUTSIDE_ID, type CoreFixture } from '../helpers/core-fixture';

describe('batches', () => {
  let f: CoreFixture;
  beforeEach(async () => {
    f = await createCoreFixture();
  });
  afterEach(async () => f.close());

  it('imports the SPEC key with its KCV and finds gateways in its range', async () => {
    expect(f.batch).toMatchObject({
      firstEui: '0:ff:fe00:0',
      kcv: KDF_VECTORS.kcv,
      kdf: 'GWJS-v1',
      flavor: 'test',
    });
    expect((await f.core.batches.findForEui(0x000000fffe000abcn))?.id).toBe(f.batch.id);
    expect(await f.core.batches.findForEui(0xb827ebfffe123456n)).toBeUndefined();
  });

  it('creates a batch with a key generated in the HSM, and refuses an overlapping range', async () => {
    const b = await f.core.batches.create(f.admin, {
      first: 'f000::',
      last: 'f000::ffff',
      cupsUri: 'https://j.example.com:443',
    });
    expect(b.kcv).toMatch(/^[0-9A-F]{6}$/);
    expect((await f.hsm.status()).keyCount).toBe(2);
    await expect(
      f.core.batches.create(f.admin, { first: 'f000::ff00', last: 'f000::1:0' }),
    ).rejects.toMatchObject({ code: 'batch_conflict' });
    // a refused range leaves no orphan key in the HSM
    expect((await f.hsm.status()).keyCount).toBe(2);
    expect((await f.core.batches.list(f.admin)).map((x) => x.id)).toEqual([f.batch.id, b.id]);
    const [entry] = await f.core.audit.list(f.admin, { action: 'batch.create' });
    expect(entry?.detail).toMatchObject({ first: 'f000::', last: 'f000::ffff', kcv: b.kcv });
  });

  it('refuses a range that holds an added gateway, or runs backwards', async () => {
    await f.core.owner.add(f.ownerA.ctx, f.ownerA.id6, [{ gateway: OUTSIDE_ID, flavorid: 'f', token: 't' }]);
    await expect(
      f.core.batches.create(f.admin, { first: 'b827:ebff:fe00:0', last: 'b827:ebff:feff:ffff' }),
    ).rejects.toMatchObject({ code: 'batch_conflict', message: expect.stringContaining(OUTSIDE_ID) });
    await expect(f.core.batches.create(f.admin, { first: 'f::2', last: 'f::1' })).rejects.toMatchObject({
      code: 'invalid_request',
    });
    await expect(
      f.core.batches.import(f.admin, { first: 'f::1', last: 'f::2' }, new Uint8Array(16)),
    ).rejects.toMatchObject({ code: 'invalid_request' });
  });
});
