/**
 * Claim lockout over the real Owner API on HTTPS (docs/security.md "Claim lockout"): wrong PINs
 * count per (gateway, owner), so a hostile owner locks only itself out — also after a restart —;
 * a per-gateway ceiling over all owners needs several owners; a locked answer says how long is
 * left; an admin key lifts a lock, audited.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { KDF_VECTORS, startTestServer, type TestServer } from '../../helpers/server-fixture';
import { startRestartableServer, type RestartableServer } from '../../helpers/restartable-server';

const { gw1, gw2 } = KDF_VECTORS;
const WRONG = 'AAAA-AAAA';

interface Item {
  gateway: string;
  code?: string;
  error?: string;
}

describe('claim lockout per (gateway, owner), across a restart', () => {
  let s: RestartableServer | undefined;
  afterEach(async () => {
    await s?.close();
    s = undefined;
  });

  it('locks the owner guessing a PIN, never the rightful owner, and keeps it after a restart', async () => {
    s = await startRestartableServer();
    const claim = async (key: string, ownerid: string, pin: string) =>
      ((await s!.api('claim', key, { ownerid, gateway: gw1.id6, claim: pin })).json as Item[])[0]!;
    for (let i = 0; i < 10; i++) expect((await claim(s.ownerB.apiKey, 'b::2', WRONG)).code).toBe('bad_claim');
    const locked = await claim(s.ownerB.apiKey, 'b::2', gw1.pin);
    expect(locked.code).toBe('claim_locked');
    expect(locked.error).toMatch(/try again in 60 min$/);
    s = await s.restart();
    // still locked for the guesser after the restart (the counts are in the store)
    expect((await claim(s.ownerB.apiKey, 'b::2', gw1.pin)).code).toBe('claim_locked');
    // the rightful owner claims with the PIN from the label
    expect(await claim(s.ownerA.apiKey, 'a::1', gw1.pin)).toEqual({ gateway: gw1.id6 });
  });
});

describe('claim lockout: ceiling, time left, admin unlock', () => {
  let t: TestServer;

  beforeAll(async () => {
    t = await startTestServer({
      rateLimits: false,
      coreConfig: { claimLockout: { perGateway: 3, perGatewayAllOwners: 5, perOwner: 100 } },
    });
  });
  afterAll(() => t?.close());

  const claim = async (key: string, ownerid: string, gateway: string, pin: string) =>
    ((await t.api('claim', key, { ownerid, gateway, claim: pin })).json as Item[])[0]!;

  it('locks a gateway for everybody only when several owners together reach the ceiling', async () => {
    const admin = await t.station.core.access.authenticate(t.adminKey);
    const ctx = { principal: admin };
    await t.station.core.access.createOwner(ctx, 'c::3', 'owner C');
    const { apiKey: keyC } = await t.station.core.access.createApiKey(ctx, 'c::3', ['claim', 'read'], 'c');
    for (let i = 0; i < 3; i++)
      expect((await claim(t.ownerB.apiKey, 'b::2', gw2.id6, WRONG)).code).toBe('bad_claim');
    // B alone (3 of the ceiling's 5) locked itself out, nobody else
    expect((await claim(t.ownerB.apiKey, 'b::2', gw2.id6, gw2.pin)).code).toBe('claim_locked');
    for (let i = 0; i < 2; i++) expect((await claim(keyC, 'c::3', gw2.id6, WRONG)).code).toBe('bad_claim');
    // B and C together reached the ceiling: the gateway is locked, with the time left
    const locked = await claim(t.ownerA.apiKey, 'a::1', gw2.id6, gw2.pin);
    expect(locked.code).toBe('claim_locked');
    expect(locked.error).toMatch(
      /^gateway 58a0:cbff:fe80:102 is locked after too many wrong claim PINs; try again in \d+ min$/,
    );
  });

  it('lets an admin key lift a lock (one owner’s or all), audited; owner keys may not', async () => {
    const asOwner = await t.request('/api/v1/gateway/unlock', {
      key: t.ownerA.apiKey,
      body: { gateway: gw2.id6 },
    });
    expect(asOwner.status).toBe(403);
    const bad = await t.request('/api/v1/gateway/unlock', {
      key: t.adminKey,
      body: { gateway: gw2.id6, pin: 1 },
    });
    expect(bad.status).toBe(400);
    expect(bad.json).toMatchObject({ code: 'invalid_request', error: 'pin: unknown field' });
    const one = await t.request('/api/v1/gateway/unlock', {
      key: t.adminKey,
      body: { gateway: gw2.eui, ownerid: 'b::2' },
    });
    expect(one.status).toBe(200);
    expect(one.json).toEqual({ gateway: gw2.id6, removed: 3 });
    // the ceiling no longer holds (2 left), so A claims
    expect(await claim(t.ownerA.apiKey, 'a::1', gw2.id6, gw2.pin)).toEqual({ gateway: gw2.id6 });
    const all = await t.request('/api/v1/gateway/unlock', { key: t.adminKey, body: { gateway: gw2.id6 } });
    expect(all.json).toEqual({ gateway: gw2.id6, removed: 2 });
    const admin = await t.station.core.access.authenticate(t.adminKey);
    const audit = await t.station.core.audit.list(
      { principal: admin },
      { target: gw2.id6, action: 'claim.unlock' },
    );
    expect(audit.map((a) => a.detail)).toEqual(
      expect.arrayContaining([
        { owner: 'b::2', removed: 3 },
        { owner: null, removed: 2 },
      ]),
    );
  });
});
