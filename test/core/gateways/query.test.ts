import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatId6 } from '../../../src-shared/ids';
import { createCoreFixture, KDF_VECTORS, type CoreFixture } from '../../helpers/core-fixture';

const { gw1 } = KDF_VECTORS;

describe('owner.info', () => {
  let f: CoreFixture;
  beforeEach(async () => {
    f = await createCoreFixture();
  });
  afterEach(async () => f.close());

  it('describes an owned gateway and hides other owners’ gateways', async () => {
    await f.core.owner.claim(f.ownerA.ctx, f.ownerA.id6, [{ gateway: gw1.id6, claim: gw1.pin }]);
    const [mine] = await f.core.owner.info(f.ownerA.ctx, f.ownerA.id6, [gw1.eui]);
    expect(mine).toEqual({
      gateway: gw1.id6,
      info: {
        gateway: gw1.id6,
        eui: gw1.eui,
        owner: 'a::1',
        origin: 'batch',
        batch: f.batch.id,
        claimed: true,
        claimedAt: '2030-01-01T00:00:00.000Z',
        setup: null,
        tokenGeneration: 0,
        rotation: { state: 'idle', generation: 0, target: 0, history: [] },
        firmware: null,
        lastContact: null,
      },
    });
    const [theirs] = await f.core.owner.info(f.ownerB.ctx, f.ownerB.id6, [gw1.id6]);
    expect(theirs).toMatchObject({ code: 'not_found' });
    expect(theirs?.info).toBeUndefined();
    const [asAdmin] = await f.core.owner.info(f.admin, f.ownerB.id6, [gw1.id6]);
    expect(asAdmin).toMatchObject({ code: 'claimed_by_other' });
  });
});

describe('owner.list', () => {
  let f: CoreFixture;
  beforeEach(async () => {
    f = await createCoreFixture();
  });
  afterEach(async () => f.close());

  it('pages an owner’s gateways in EUI order with a cursor, next = null at the end', async () => {
    const ids = Array.from({ length: 25 }, (_, i) =>
      BigInt(`0x000000FFFE0001${i.toString(16).padStart(2, '0')}`),
    );
    await f.store.transaction(async (tx) => {
      for (const id of ids) {
        const hex = id.toString(16).toUpperCase().padStart(16, '0');
        await tx.run(
          `INSERT INTO gateways (eui, origin, batch_id, owner_id, claimed_at, token_generation, token_target, created_at)
           VALUES (?, 'batch', ?, ?, ?, 0, 0, ?)`,
          [hex, f.batch.id, '000A000000000001', 'x', 'x'],
        );
      }
    });
    const seen: string[] = [];
    let after: string | undefined;
    for (;;) {
      const page = await f.core.owner.list(f.ownerA.ctx, f.ownerA.id6, { after, limit: 10 });
      seen.push(...page.gateways);
      if (page.next === null) break;
      expect(page.next).toBe(page.gateways[page.gateways.length - 1]);
      after = page.next;
    }
    expect(seen).toEqual(ids.map(formatId6));
    expect((await f.core.owner.list(f.ownerB.ctx, f.ownerB.id6, {})).gateways).toEqual([]);
    const exact = await f.core.owner.list(f.ownerA.ctx, f.ownerA.id6, { limit: 25 });
    expect(exact.next).toBeNull();
  });

  it('rejects a bad cursor or limit as invalid_request naming the field', async () => {
    await expect(f.core.owner.list(f.ownerA.ctx, f.ownerA.id6, { after: 'zz' })).rejects.toMatchObject({
      code: 'invalid_request',
      message: expect.stringContaining('after'),
    });
    await expect(f.core.owner.list(f.ownerA.ctx, f.ownerA.id6, { limit: 0 })).rejects.toMatchObject({
      code: 'invalid_request',
      message: expect.stringContaining('limit'),
    });
    await expect(f.core.owner.list(f.ownerA.ctx, f.ownerA.id6, { limit: 10_001 })).rejects.toMatchObject({
      code: 'invalid_request',
    });
  });
});
