/**
 * Idempotency-Key on the Owner API and the change feed (docs/sync.md), over real HTTPS on a real
 * data directory: a retried write answers its first answer and is applied once — also after a
 * restart — until the key expires; a reused key with another request is refused; concurrent
 * duplicates apply once; the change feed pages through an owner's changes with a cursor.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { KDF_VECTORS } from '../../helpers/core-fixture';
import { startRestartableServer, type RestartableServer } from '../../helpers/restartable-server';

const gw1 = KDF_VECTORS.gw1;
const gw2 = KDF_VECTORS.gw2;
let server: RestartableServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function auditCount(s: RestartableServer, action: string, target: string): Promise<number> {
  const rows = await s.station.core.audit.list(s.station.cliContext, { action, target, limit: 1000 });
  return rows.length;
}

describe('Idempotency-Key on Owner API writes', () => {
  it('answers a retry with the first answer, applies once, and keeps doing so after a restart', async () => {
    let s = (server = await startRestartableServer());
    const a = s.ownerA;
    const claim = await s.api('claim', a.apiKey, { ownerid: a.id6, gateway: gw1.eui, claim: gw1.pin });
    expect(claim.json).toEqual([{ gateway: gw1.id6 }]);
    const body = { ownerid: a.id6, gateway: gw1.eui };
    const first = await s.api('delete', a.apiKey, body, { 'Idempotency-Key': 'op-delete-1' });
    expect(first.status).toBe(200);
    expect(first.json).toEqual([{ gateway: gw1.id6 }]);
    // without a key the same delete now fails: the gateway is no longer the owner's
    const plain = await s.api('delete', a.apiKey, body);
    expect((plain.json as { code?: string }[])[0]?.code).toBe('not_found');
    // with the key: the first answer, nothing applied
    const again = await s.api('delete', a.apiKey, body, { 'Idempotency-Key': 'op-delete-1' });
    expect(again.json).toEqual(first.json);
    expect(await auditCount(s, 'delete', gw1.id6)).toBe(1);

    server = s = await s.restart();
    const afterRestart = await s.api('delete', a.apiKey, body, { 'Idempotency-Key': 'op-delete-1' });
    expect(afterRestart.status).toBe(200);
    expect(afterRestart.json).toEqual(first.json);
    expect(await auditCount(s, 'delete', gw1.id6)).toBe(1);
  });

  it('refuses the same key with another request (422 idempotency_mismatch naming the header)', async () => {
    const s = (server = await startRestartableServer());
    const a = s.ownerA;
    const h = { 'Idempotency-Key': 'k-1' };
    await s.api('claim', a.apiKey, { ownerid: a.id6, gateway: gw1.eui, claim: gw1.pin }, h);
    const other = await s.api('claim', a.apiKey, { ownerid: a.id6, gateway: gw2.eui, claim: gw2.pin }, h);
    expect(other.status).toBe(422);
    expect(other.json).toMatchObject({ code: 'idempotency_mismatch' });
    expect((other.json as { error: string }).error).toMatch(/^Idempotency-Key: /);
    const otherOp = await s.api('delete', a.apiKey, { ownerid: a.id6, gateway: gw1.eui }, h);
    expect(otherOp.status).toBe(422);
    // gw2 was not claimed by the refused request
    const info = await s.api('info', a.apiKey, { ownerid: a.id6, gateway: gw2.eui });
    expect((info.json as { code?: string }[])[0]?.code).toBe('not_found');
  });

  it('answers a malformed header with 400 naming Idempotency-Key', async () => {
    const s = (server = await startRestartableServer());
    const a = s.ownerA;
    for (const bad of ['', 'has space', 'x'.repeat(129), 'ü']) {
      const r = await s.api(
        'claim',
        a.apiKey,
        { ownerid: a.id6, gateway: gw1.eui, claim: gw1.pin },
        {
          'Idempotency-Key': bad,
        },
      );
      expect(r.status, JSON.stringify(bad)).toBe(400);
      expect(r.json).toMatchObject({ code: 'invalid_request' });
      expect((r.json as { error: string }).error).toMatch(/^Idempotency-Key: /);
    }
  });

  it('keys are scoped to the owner: the same key of another owner is another operation', async () => {
    const s = (server = await startRestartableServer());
    const h = { 'Idempotency-Key': 'shared-key' };
    const a = await s.api(
      'claim',
      s.ownerA.apiKey,
      { ownerid: s.ownerA.id6, gateway: gw1.eui, claim: gw1.pin },
      h,
    );
    const b = await s.api(
      'claim',
      s.ownerB.apiKey,
      { ownerid: s.ownerB.id6, gateway: gw2.eui, claim: gw2.pin },
      h,
    );
    expect(a.json).toEqual([{ gateway: gw1.id6 }]);
    expect(b.json).toEqual([{ gateway: gw2.id6 }]);
  });

  it('applies again once the key expired (7 days, docs/sync.md)', async () => {
    const s = (server = await startRestartableServer());
    const a = s.ownerA;
    await s.api('claim', a.apiKey, { ownerid: a.id6, gateway: gw1.eui, claim: gw1.pin });
    const body = { ownerid: a.id6, gateway: gw1.eui };
    const h = { 'Idempotency-Key': 'expiring' };
    expect((await s.api('delete', a.apiKey, body, h)).json).toEqual([{ gateway: gw1.id6 }]);
    s.clock.advance(6 * 24 * 3600 * 1000);
    expect((await s.api('delete', a.apiKey, body, h)).json).toEqual([{ gateway: gw1.id6 }]);
    s.clock.advance(2 * 24 * 3600 * 1000);
    const late = await s.api('delete', a.apiKey, body, h);
    expect((late.json as { code?: string }[])[0]?.code).toBe('not_found');
  });

  it('applies concurrent duplicates once, all answered alike', async () => {
    const s = (server = await startRestartableServer());
    const a = s.ownerA;
    const body = { ownerid: a.id6, gateway: gw1.eui, claim: gw1.pin };
    const answers = await Promise.all(
      Array.from({ length: 6 }, () => s.api('claim', a.apiKey, body, { 'Idempotency-Key': 'race' })),
    );
    for (const r of answers) expect(r.json).toEqual([{ gateway: gw1.id6 }]);
    expect(await auditCount(s, 'claim', gw1.id6)).toBe(1);
  });
});

interface Page {
  changes: { seq: string; gateway: string; kind: string; opId: string | null; state: unknown }[];
  next: string;
  more: boolean;
}

describe('POST /api/v1/gateway/changes', () => {
  it('pages through the owner’s changes with a cursor; each gateway once, at its latest change', async () => {
    const s = (server = await startRestartableServer());
    const a = s.ownerA;
    const feed = async (after: string | undefined, limit?: number) => {
      const r = await s.api('changes', a.apiKey, {
        ownerid: a.id6,
        ...(after === undefined ? {} : { after }),
        ...(limit === undefined ? {} : { limit }),
      });
      expect(r.status, r.text).toBe(200);
      return r.json as Page;
    };
    expect(await feed(undefined)).toEqual({ changes: [], next: '0', more: false });
    await s.api(
      'claim',
      a.apiKey,
      { ownerid: a.id6, gateway: gw1.eui, claim: gw1.pin },
      { 'Idempotency-Key': 'c1' },
    );
    await s.api('claim', a.apiKey, { ownerid: a.id6, gateway: gw2.eui, claim: gw2.pin });
    await s.api('setup', a.apiKey, { ownerid: a.id6, gateway: gw1.eui, lnsUri: 'ws://lns.example.com:1887' });

    const p1 = await feed(undefined, 1);
    expect(p1.changes.map((c) => [c.gateway, c.kind])).toEqual([[gw2.id6, 'claim']]);
    expect(p1.more).toBe(true);
    const p2 = await feed(p1.next, 1);
    expect(p2.changes.map((c) => [c.gateway, c.kind, c.opId])).toEqual([[gw1.id6, 'setup', null]]);
    expect(p2.changes[0]!.state).toMatchObject({
      origin: 'batch',
      setup: { lnsUri: 'ws://lns.example.com:1887', lnsCrc: null, cupsUri: null },
    });
    const p3 = await feed(p2.next, 1);
    expect(p3).toEqual({ changes: [], next: p2.next, more: false });

    // a delete moves the gateway to the end with no state; the other owner sees nothing of it
    await s.api('delete', a.apiKey, { ownerid: a.id6, gateway: gw2.eui }, { 'Idempotency-Key': 'd2' });
    const p4 = await feed(p2.next);
    expect(p4.changes).toEqual([
      expect.objectContaining({ gateway: gw2.id6, kind: 'delete', opId: 'd2', state: null }),
    ]);
    const b = await s.api('changes', s.ownerB.apiKey, { ownerid: s.ownerB.id6 });
    expect((b.json as Page).changes).toEqual([]);
    // ownership moves to b: a's entry stays stateless, b's feed has the claim
    await s.api('claim', s.ownerB.apiKey, { ownerid: s.ownerB.id6, gateway: gw2.eui, claim: gw2.pin });
    expect(
      ((await s.api('changes', s.ownerB.apiKey, { ownerid: s.ownerB.id6 })).json as Page).changes,
    ).toHaveLength(1);
    expect((await feed(p2.next)).changes[0]!.state).toBeNull();
  });

  it('answers bad input with 400 naming the field, and another owner’s feed with 403', async () => {
    const s = (server = await startRestartableServer());
    const a = s.ownerA;
    for (const [body, field] of [
      [{ ownerid: a.id6, after: 'x' }, 'after'],
      [{ ownerid: a.id6, after: 5 }, 'after'],
      [{ ownerid: a.id6, limit: 0 }, 'limit'],
      [{ ownerid: a.id6, extra: 1 }, 'extra'],
      [{ ownerid: 'nope' }, 'ownerid'],
    ] as const) {
      const r = await s.api('changes', a.apiKey, body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect((r.json as { error: string }).error).toContain(field);
    }
    const other = await s.api('changes', a.apiKey, { ownerid: s.ownerB.id6 });
    expect(other.status).toBe(403);
  });
});
