import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCoreFixture, KDF_VECTORS, OUTSIDE_ID, type CoreFixture } from '../../helpers/core-fixture';

const { gw1, gw2 } = KDF_VECTORS;

describe('owner.delete', () => {
  let f: CoreFixture;
  beforeEach(async () => {
    f = await createCoreFixture();
  });
  afterEach(async () => f.close());

  it('un-claims a batch gateway and drops its setup, so another owner can claim it (ownership transfer)', async () => {
    await f.core.owner.claim(f.ownerA.ctx, f.ownerA.id6, [{ gateway: gw1.id6, claim: gw1.pin }]);
    await f.core.owner.setup(f.ownerA.ctx, f.ownerA.id6, [
      { gateway: gw1.id6, lnsUri: 'ws://lns.example.com:80' },
    ]);
    expect(await f.core.owner.delete(f.ownerA.ctx, f.ownerA.id6, [gw1.eui])).toEqual([{ gateway: gw1.id6 }]);
    expect((await f.core.owner.info(f.ownerA.ctx, f.ownerA.id6, [gw1.id6]))[0]?.code).toBe('not_found');
    expect((await f.core.owner.info(f.admin, f.ownerA.id6, [gw1.id6]))[0]?.code).toBe('not_claimed');
    expect(
      await f.core.owner.claim(f.ownerB.ctx, f.ownerB.id6, [{ gateway: gw1.id6, claim: gw1.pin }]),
    ).toEqual([{ gateway: gw1.id6 }]);
    const [info] = await f.core.owner.info(f.ownerB.ctx, f.ownerB.id6, [gw1.id6]);
    expect(info?.info).toMatchObject({ owner: 'b::2', setup: null });
    const [entry] = await f.core.audit.list(f.admin, { target: gw1.id6, action: 'delete' });
    expect(entry?.detail).toEqual({ owner: 'a::1', origin: 'batch' });
  });

  it('answers an owner not_found for any gateway it does not hold, an admin not_claimed / claimed_by_other / not_found', async () => {
    await f.core.owner.claim(f.ownerB.ctx, f.ownerB.id6, [{ gateway: gw2.id6, claim: gw2.pin }]);
    const ids = [gw1.id6, gw2.id6, OUTSIDE_ID, '::', gw2.eui];
    const r = await f.core.owner.delete(f.ownerA.ctx, f.ownerA.id6, ids);
    expect(r.map((x) => x.code)).toEqual([
      'not_found',
      'not_found',
      'not_found',
      'invalid_id',
      'duplicate_in_request',
    ]);
    // one wording for all three: the message tells nothing either
    expect(r[0]?.error).toBe(`gateway ${gw1.id6} is not a gateway of owner a::1`);
    expect(r[1]?.error).toBe(`gateway ${gw2.id6} is not a gateway of owner a::1`);
    const admin = await f.core.owner.delete(f.admin, f.ownerA.id6, ids);
    expect(admin.map((x) => x.code)).toEqual([
      'not_claimed',
      'claimed_by_other',
      'not_found',
      'invalid_id',
      'duplicate_in_request',
    ]);
  });

  it('removes an added gateway entirely', async () => {
    await f.core.owner.add(f.ownerA.ctx, f.ownerA.id6, [
      { gateway: OUTSIDE_ID, flavorid: 'ttig', token: 't' },
    ]);
    await f.core.owner.delete(f.ownerA.ctx, f.ownerA.id6, [OUTSIDE_ID]);
    expect((await f.core.owner.info(f.ownerA.ctx, f.ownerA.id6, [OUTSIDE_ID]))[0]?.code).toBe('not_found');
    expect(
      await f.core.owner.add(f.ownerB.ctx, f.ownerB.id6, [
        { gateway: OUTSIDE_ID, flavorid: 'x', token: 'u' },
      ]),
    ).toEqual([{ gateway: OUTSIDE_ID }]);
  });
});

describe('owner.add', () => {
  let f: CoreFixture;
  beforeEach(async () => {
    f = await createCoreFixture({ config: { addLimitPerOwner: 3 } });
  });
  afterEach(async () => f.close());

  const add = (items: { gateway: string; flavorid: string; token: string }[]) =>
    f.core.owner.add(f.ownerA.ctx, f.ownerA.id6, items);

  it('adds outside every batch, owned and claimed by the adder, token stored only as a hash', async () => {
    expect(await add([{ gateway: OUTSIDE_ID, flavorid: 'ttig', token: 'Bearer secret-token-1' }])).toEqual([
      { gateway: OUTSIDE_ID },
    ]);
    const [info] = await f.core.owner.info(f.ownerA.ctx, f.ownerA.id6, [OUTSIDE_ID]);
    expect(info?.info).toMatchObject({ origin: 'added', owner: 'a::1', claimed: true, batch: null });
    const rows = await f.store.read((tx) => tx.all('SELECT * FROM gateways WHERE origin = ?', ['added']));
    expect(JSON.stringify(rows)).not.toContain('secret-token-1');
    expect(rows[0]?.token_hash).toBeInstanceOf(Uint8Array);
  });

  it('answers batch_conflict inside a batch, already_exists for a known gateway, invalid_credential for a bad token', async () => {
    await add([{ gateway: OUTSIDE_ID, flavorid: 'ttig', token: 't1' }]);
    const r = await add([
      { gateway: gw1.id6, flavorid: 'ttig', token: 't' },
      { gateway: OUTSIDE_ID, flavorid: 'ttig', token: 't' },
      { gateway: 'ffff::1', flavorid: 'ttig', token: ' padded' },
      { gateway: 'ffff::2', flavorid: 'ttig', token: '' },
      { gateway: 'ffff::3', flavorid: '', token: 'ok' },
    ]);
    expect(r.map((x) => x.code)).toEqual([
      'batch_conflict',
      'already_exists',
      'invalid_credential',
      'invalid_credential',
      'invalid_request',
    ]);
    expect(r[2]?.error).not.toContain('padded');
  });

  it('stops at the add limit, counting adds ever made (deleting does not free quota)', async () => {
    const r = await add([
      { gateway: 'ffff::1', flavorid: 'f', token: 'a' },
      { gateway: 'ffff::2', flavorid: 'f', token: 'b' },
      { gateway: 'ffff::3', flavorid: 'f', token: 'c' },
      { gateway: 'ffff::4', flavorid: 'f', token: 'd' },
    ]);
    expect(r.map((x) => x.code)).toEqual([undefined, undefined, undefined, 'add_limit']);
    await f.core.owner.delete(f.ownerA.ctx, f.ownerA.id6, ['ffff::1']);
    expect((await add([{ gateway: 'ffff::1', flavorid: 'f', token: 'a' }]))[0]?.code).toBe('add_limit');
    // other owners have their own quota
    expect(
      await f.core.owner.add(f.ownerB.ctx, f.ownerB.id6, [{ gateway: 'ffff::5', flavorid: 'f', token: 'e' }]),
    ).toEqual([{ gateway: 'ffff::5' }]);
  });
});

describe('owner.rotate', () => {
  let f: CoreFixture;
  beforeEach(async () => {
    f = await createCoreFixture();
  });
  afterEach(async () => f.close());

  it('arms generation g + 1 once for batch gateways, refuses added gateways', async () => {
    await f.core.owner.claim(f.ownerA.ctx, f.ownerA.id6, [{ gateway: gw1.id6, claim: gw1.pin }]);
    await f.core.owner.add(f.ownerA.ctx, f.ownerA.id6, [{ gateway: OUTSIDE_ID, flavorid: 'f', token: 't' }]);
    const r = await f.core.owner.rotate(f.ownerA.ctx, f.ownerA.id6, [gw1.id6, OUTSIDE_ID, gw2.id6]);
    expect(r.map((x) => x.code)).toEqual([undefined, 'invalid_request', 'not_found']);
    await f.core.owner.rotate(f.ownerA.ctx, f.ownerA.id6, [gw1.id6]);
    const rows = await f.store.read((tx) =>
      tx.all('SELECT token_generation, token_target FROM gateways WHERE eui = ?', [gw1.hex]),
    );
    expect(rows).toEqual([{ token_generation: 0, token_target: 1 }]);
    expect(await f.core.audit.list(f.admin, { target: gw1.id6, action: 'token.rotate' })).toHaveLength(1);
  });

  it('needs the setup scope', async () => {
    const reader = await f.addOwner('c::3', ['read']);
    await expect(f.core.owner.rotate(reader.ctx, reader.id6, [gw1.id6])).rejects.toMatchObject({
      code: 'forbidden',
    });
  });
});
