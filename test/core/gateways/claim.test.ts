import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCoreFixture, KDF_VECTORS, OUTSIDE_ID, type CoreFixture } from '../../helpers/core-fixture';

const { gw1, gw2 } = KDF_VECTORS;
const HOUR = 3_600_000;

describe('owner.claim', () => {
  let f: CoreFixture;
  beforeEach(async () => {
    f = await createCoreFixture({ config: { claimLockout: { perGateway: 10, perOwner: 25 } } });
  });
  afterEach(async () => f.close());

  const claim = (who: 'ownerA' | 'ownerB', items: { gateway: string; claim: string }[]) =>
    f.core.owner.claim(f[who].ctx, f[who].id6, items);

  it('claims with the HSM-derived PIN in any accepted form and answers canonical ID6 in request order', async () => {
    const r = await claim('ownerA', [
      { gateway: gw2.eui, claim: 's07v-ythr' },
      { gateway: '00:00:00:00:0a:bc', claim: '6CVH EQSA' },
    ]);
    expect(r).toEqual([{ gateway: gw2.id6 }, { gateway: gw1.id6 }]);
    const [info] = await f.core.owner.info(f.ownerA.ctx, f.ownerA.id6, [gw1.id6]);
    expect(info?.info).toMatchObject({ owner: 'a::1', claimed: true, origin: 'batch', batch: f.batch.id });
  });

  it('is idempotent for the holder and answers claimed_by_other to another owner who knows the PIN', async () => {
    await claim('ownerA', [{ gateway: gw1.id6, claim: gw1.pin }]);
    expect(await claim('ownerA', [{ gateway: gw1.id6, claim: gw1.pin }])).toEqual([{ gateway: gw1.id6 }]);
    const [other] = await claim('ownerB', [{ gateway: gw1.id6, claim: gw1.pin }]);
    expect(other).toMatchObject({ gateway: gw1.id6, code: 'claimed_by_other' });
  });

  it('answers per item: invalid_id, not_found, bad_claim, duplicate_in_request', async () => {
    const r = await claim('ownerA', [
      { gateway: '1:::2', claim: gw1.pin },
      { gateway: OUTSIDE_ID, claim: gw1.pin },
      { gateway: gw1.id6, claim: 'AAAA-AAAA' },
      { gateway: gw2.id6, claim: 'UUUU-UUUU' },
      { gateway: gw2.eui, claim: gw2.pin },
      { gateway: '58a0:cbff:fe80:0102', claim: gw2.pin },
    ]);
    expect(r.map((x) => [x.gateway, x.code])).toEqual([
      ['1:::2', 'invalid_id'],
      [OUTSIDE_ID, 'not_found'],
      [gw1.id6, 'bad_claim'],
      [gw2.id6, 'bad_claim'],
      [gw2.id6, 'duplicate_in_request'],
      [gw2.id6, 'duplicate_in_request'],
    ]);
    expect(r[0]!.error).toContain('gateway');
    expect(r[0]!.error).toContain('1:::2');
    expect(r[4]!.error).toContain('item 3');
  });

  it('locks a gateway for the owner after 10 wrong PINs in an hour, audits every try, and unlocks when the window passes', async () => {
    for (let i = 0; i < 10; i++) {
      const [r] = await claim('ownerB', [{ gateway: gw1.id6, claim: 'AAAA-AAAA' }]);
      expect(r?.code).toBe('bad_claim');
      f.clock.advance(60_000);
    }
    const [locked] = await claim('ownerB', [{ gateway: gw1.id6, claim: gw1.pin }]);
    expect(locked).toMatchObject({ code: 'claim_locked' });
    // 50 minutes left until the first failure leaves the window
    expect(locked?.error).toMatch(/try again in 50 min$/);
    const failed = await f.core.audit.list(f.admin, { target: gw1.id6, action: 'claim.failed' });
    expect(failed).toHaveLength(10);
    expect(failed[0]).toMatchObject({ actor: `api-key:${f.ownerB.principal.id}`, address: '192.0.2.1' });
    expect(JSON.stringify(failed)).not.toContain('AAAAAAAA');
    expect(await f.core.audit.list(f.admin, { target: gw1.id6, action: 'claim.locked' })).toHaveLength(1);

    // the first failure leaves the window 50 minutes after the last one
    f.clock.advance(HOUR - 9 * 60_000);
    expect(await claim('ownerB', [{ gateway: gw1.id6, claim: gw1.pin }])).toEqual([{ gateway: gw1.id6 }]);
  });

  it('also locks an owner that guesses across many gateways', async () => {
    const items = Array.from({ length: 30 }, (_, i) => ({
      gateway: `0:ff:fe00:${(0x100 + i).toString(16)}`,
      claim: 'AAAA-AAAA',
    }));
    const r = await claim('ownerB', items);
    expect(r.filter((x) => x.code === 'bad_claim')).toHaveLength(25);
    expect(r.filter((x) => x.code === 'claim_locked')).toHaveLength(5);
    // the owner limit does not lock other owners out
    expect(await claim('ownerA', [{ gateway: gw1.id6, claim: gw1.pin }])).toEqual([{ gateway: gw1.id6 }]);
    const [stillLocked] = await claim('ownerB', [{ gateway: gw2.id6, claim: gw2.pin }]);
    expect(stillLocked?.code).toBe('claim_locked');
  });

  it('answers added gateways: idempotent for the adder, claimed_by_other for others', async () => {
    await f.core.owner.add(f.ownerA.ctx, f.ownerA.id6, [
      { gateway: OUTSIDE_ID, flavorid: 'ttig', token: 'tok-123' },
    ]);
    expect(await claim('ownerA', [{ gateway: OUTSIDE_ID, claim: gw1.pin }])).toEqual([
      { gateway: OUTSIDE_ID },
    ]);
    expect((await claim('ownerB', [{ gateway: OUTSIDE_ID, claim: gw1.pin }]))[0]?.code).toBe(
      'claimed_by_other',
    );
  });

  it('audits a claim without the PIN', async () => {
    await claim('ownerA', [{ gateway: gw1.id6, claim: gw1.pin }]);
    const [entry] = await f.core.audit.list(f.admin, { target: gw1.eui, action: 'claim' });
    expect(entry).toMatchObject({ target: gw1.id6, detail: { owner: 'a::1', batch: f.batch.id } });
    expect(JSON.stringify(entry)).not.toContain(gw1.pin);
  });

  it('counts item outcomes in the metrics', async () => {
    await claim('ownerA', [
      { gateway: gw1.id6, claim: gw1.pin },
      { gateway: gw2.id6, claim: 'AAAA-AAAA' },
    ]);
    expect(f.core.metrics().ownerApi).toMatchObject({ 'claim.ok': 1, 'claim.bad_claim': 1 });
  });
});
