/**
 * Enumeration over the Owner API on real HTTPS (docs/security.md "Enumeration"): `info`, `setup`,
 * `delete` and `rotate` tell an owner key nothing about gateways it does not hold — an unclaimed
 * batch gateway, another owner's gateway and an unknown id all answer the same `not_found` with the
 * same wording — while an admin key still learns which it is.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KDF_VECTORS, OUTSIDE_ID, startTestServer, type TestServer } from '../../helpers/server-fixture';

const { gw1, gw2 } = KDF_VECTORS;
/** inside the batch, claimed by nobody */
const UNCLAIMED = '0:ff:fe00:1';

interface Item {
  gateway: string;
  code?: string;
  error?: string;
}

describe('Owner API: no enumeration of gateways the caller does not own', () => {
  let t: TestServer;

  beforeAll(async () => {
    t = await startTestServer({ rateLimits: false });
    const claim = await t.api('claim', t.ownerB.apiKey, {
      ownerid: 'b::2',
      gateway: gw2.id6,
      claim: gw2.pin,
    });
    expect(claim.json).toEqual([{ gateway: gw2.id6 }]);
    const own = await t.api('claim', t.ownerA.apiKey, { ownerid: 'a::1', gateway: gw1.id6, claim: gw1.pin });
    expect(own.json).toEqual([{ gateway: gw1.id6 }]);
  });
  afterAll(() => t?.close());

  const bodies: Record<string, (ids: string[]) => Record<string, unknown>> = {
    info: (ids) => ({ gateways: ids }),
    delete: (ids) => ({ gateways: ids }),
    rotate: (ids) => ({ gateways: ids }),
    setup: (ids) => ({ lnsUri: 'ws://lns.example.com:80', gateways: ids.map((gateway) => ({ gateway })) }),
  };

  it.each(Object.keys(bodies))(
    '%s answers an owner key not_found alike for unclaimed, foreign and unknown ids',
    async (op) => {
      const ids = [UNCLAIMED, gw2.id6, OUTSIDE_ID];
      const r = await t.api(op, t.ownerA.apiKey, { ownerid: 'a::1', ...bodies[op]!(ids) });
      expect(r.status).toBe(200);
      const items = r.json as Item[];
      expect(items.map((i) => i.code)).toEqual(['not_found', 'not_found', 'not_found']);
      // the wording differs only by the id: nothing to tell them apart
      const shapes = new Set(items.map((i) => i.error!.replace(i.gateway, '<id>')));
      expect([...shapes]).toEqual(['gateway <id> is not a gateway of owner a::1']);
      // B's gateway is untouched
      const theirs = await t.api('info', t.ownerB.apiKey, { ownerid: 'b::2', gateway: gw2.id6 });
      expect((theirs.json as Item[])[0]).toEqual(expect.objectContaining({ gateway: gw2.id6 }));
      expect((theirs.json as Item[])[0]?.code).toBeUndefined();
    },
  );

  it('answers a bulk info of 10 000 ids with not_found only, except the owned one', async () => {
    const ids = Array.from({ length: 9_999 }, (_, i) => `0:ff:fe00:${(0x1000 + i).toString(16)}`);
    ids.push(gw2.id6);
    ids[5] = gw1.id6;
    const r = await t.api('info', t.ownerA.apiKey, { ownerid: 'a::1', gateways: ids });
    expect(r.status).toBe(200);
    const codes = new Set((r.json as Item[]).map((i) => i.code ?? 'ok'));
    expect([...codes].sort()).toEqual(['not_found', 'ok']);
  });

  it('still tells an admin key not_claimed / claimed_by_other / not_found', async () => {
    const r = await t.api('info', t.adminKey, {
      ownerid: 'a::1',
      gateways: [UNCLAIMED, gw2.id6, OUTSIDE_ID],
    });
    expect((r.json as Item[]).map((i) => i.code)).toEqual(['not_claimed', 'claimed_by_other', 'not_found']);
  });
});
