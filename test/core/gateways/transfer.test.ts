import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCoreFixture, KDF_VECTORS, OUTSIDE_ID, type CoreFixture } from '../../helpers/core-fixture';

const { gw1, gw2 } = KDF_VECTORS;

describe('owner.transfer', () => {
  let f: CoreFixture;
  beforeEach(async () => {
    f = await createCoreFixture({
      config: { claimLockout: { windowMs: 3_600_000, perGateway: 3, perOwner: 50 } },
    });
    await f.core.owner.claim(f.ownerA.ctx, f.ownerA.id6, [{ gateway: gw1.id6, claim: gw1.pin }]);
    await f.core.owner.setup(f.ownerA.ctx, f.ownerA.id6, [
      { gateway: gw1.id6, lnsUri: 'ws://lns.example.com:80' },
    ]);
  });
  afterEach(async () => f.close());

  const infoOf = async (owner: CoreFixture['ownerA']) =>
    (await f.core.owner.info(owner.ctx, owner.id6, [gw1.id6]))[0]!;

  it('moves the gateway in one step, audited once as a transfer naming both owners', async () => {
    const done = await f.core.owner.transfer(f.admin, {
      gateway: gw1.eui,
      from: 'a::1',
      to: 'b::2',
      claim: gw1.pin.toLowerCase(),
    });
    expect(done).toEqual({ gateway: gw1.id6, from: 'a::1', to: 'b::2' });
    expect((await infoOf(f.ownerA)).code).toBe('not_found'); // another owner's gateway
    expect((await infoOf(f.ownerB)).info).toMatchObject({ owner: 'b::2', setup: null, claimed: true });
    const trail = await f.core.audit.list(f.admin, { target: gw1.id6 });
    expect(trail.map((e) => e.action).slice(0, 1)).toEqual(['transfer']);
    expect(trail.some((e) => e.action === 'delete')).toBe(false);
    expect(trail[0]!.detail).toMatchObject({ from: 'a::1', to: 'b::2' });
  });

  it('a wrong PIN changes nothing: the gateway stays with its owner, setup included, and the right PIN then works', async () => {
    await expect(
      f.core.owner.transfer(f.admin, { gateway: gw1.id6, from: 'a::1', to: 'b::2', claim: gw2.pin }),
    ).rejects.toMatchObject({ code: 'bad_claim' });
    const kept = await infoOf(f.ownerA);
    expect(kept.info).toMatchObject({ owner: 'a::1' });
    expect(kept.info?.setup?.lns.uri).toBe('ws://lns.example.com:80');
    const [failed] = await f.core.audit.list(f.admin, { target: gw1.id6, action: 'transfer.failed' });
    expect(failed?.detail).toMatchObject({ from: 'a::1', to: 'b::2', reason: 'bad_claim' });

    await f.core.owner.transfer(f.admin, { gateway: gw1.id6, from: 'a::1', to: 'b::2', claim: gw1.pin });
    expect((await infoOf(f.ownerB)).info?.owner).toBe('b::2');
  });

  it('wrong PINs count toward the claim lockout, which answers with the time left', async () => {
    for (let i = 0; i < 3; i++) {
      await expect(
        f.core.owner.transfer(f.admin, { gateway: gw1.id6, from: 'a::1', to: 'b::2', claim: gw2.pin }),
      ).rejects.toMatchObject({ code: 'bad_claim' });
    }
    f.clock.advance(10 * 60_000);
    const locked = f.core.owner.transfer(f.admin, {
      gateway: gw1.id6,
      from: 'a::1',
      to: 'b::2',
      claim: gw1.pin,
    });
    await expect(locked).rejects.toMatchObject({
      code: 'claim_locked',
      message: expect.stringMatching(/try again in 50 min$/),
      attributes: { retryAfterSeconds: 3000 },
    });
    expect((await infoOf(f.ownerA)).info?.owner).toBe('a::1');
  });

  it('refuses what is not the current owner’s, an added gateway, and the same owner, changing nothing', async () => {
    await f.core.owner.claim(f.ownerB.ctx, f.ownerB.id6, [{ gateway: gw2.id6, claim: gw2.pin }]);
    await f.core.owner.add(f.ownerA.ctx, f.ownerA.id6, [{ gateway: OUTSIDE_ID, flavorid: 'x', token: 't' }]);
    const attempt = (gateway: string, from: string, to: string, claim: string) =>
      f.core.owner.transfer(f.admin, { gateway, from, to, claim }).catch((e: { code: string }) => e.code);
    expect(await attempt(gw2.id6, 'a::1', 'b::2', gw2.pin)).toBe('claimed_by_other');
    expect(await attempt(OUTSIDE_ID, 'a::1', 'b::2', gw1.pin)).toBe('invalid_request');
    expect(await attempt(gw1.id6, 'a::1', 'a::1', gw1.pin)).toBe('invalid_request');
    expect(await attempt(gw1.id6, 'a::1', 'c::3', gw1.pin)).toBe('not_found');
    expect((await infoOf(f.ownerA)).info?.setup?.lns.uri).toBe('ws://lns.example.com:80');
  });

  it('needs delete on the current owner and claim on the new one', async () => {
    await expect(
      f.core.owner.transfer(f.ownerA.ctx, { gateway: gw1.id6, from: 'a::1', to: 'b::2', claim: gw1.pin }),
    ).rejects.toMatchObject({ code: 'forbidden' });
    const done = await f.core.owner.transfer(
      f.ownerA.ctx,
      { gateway: gw1.id6, from: 'a::1', to: 'b::2', claim: gw1.pin },
      f.ownerB.ctx,
    );
    expect(done.to).toBe('b::2');
  });
});
