import { afterEach, describe, expect, it } from 'vitest';
import { createCoreFixture, KDF_VECTORS, type CoreFixture } from '../helpers/core-fixture';

describe('core fixture', () => {
  let f: CoreFixture;
  afterEach(async () => f?.close());

  it('imports the vector batch and creates two owners', async () => {
    f = await createCoreFixture();
    expect(f.batch.kcv).toBe(KDF_VECTORS.kcv);
    expect(f.ownerA.id6).toBe('a::1');
    const r = await f.core.owner.claim(f.ownerA.ctx, f.ownerA.id6, [
      { gateway: KDF_VECTORS.gw1.eui, claim: '6CVH-EQSA' },
    ]);
    expect(r).toEqual([{ gateway: KDF_VECTORS.gw1.id6 }]);
  });
});
