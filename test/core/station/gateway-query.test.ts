import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  createGatewayQueryService,
  euiFilterOf,
  type GatewayQueryService,
} from '../../../src-main/core/station/gateway-query';
import { createActivityFollower } from '../../../src-shared/activity-feed';
import type { ActivityItem } from '../../../src-shared/ipc';
import { fillFleet } from '../../helpers/gateway-fleet';
import { movableClock, openTestStore } from '../../helpers/station-store';
import { KDF_VECTORS } from '../../helpers/core-fixture';
import { createLineFixture, type LineFixture } from '../factory-line/helpers/line-fixture';

describe('euiFilterOf', () => {
  it('matches a complete id in any form exactly', () => {
    for (const s of ['0:ff:fe00:abc', '00-00-00-FF-FE-00-0A-BC', '00:00:00:00:0a:bc', '000000FFFE000ABC']) {
      expect(euiFilterOf(s)).toEqual({ kind: 'exact', eui: '000000FFFE000ABC' });
    }
  });

  it('turns partial EUIs and partial ID6 into an index range', () => {
    expect(euiFilterOf('58-a0-cb')).toEqual({
      kind: 'range',
      lo: '58A0CB0000000000',
      hi: '58A0CBFFFFFFFFFF',
    });
    expect(euiFilterOf('58a0cb')).toEqual({ kind: 'range', lo: '58A0CB0000000000', hi: '58A0CBFFFFFFFFFF' });
    expect(euiFilterOf('f:a123:f')).toEqual({
      kind: 'range',
      lo: '000FA123F0000000',
      hi: '000FA123FFFFFFFF',
    });
  });

  it('matches nothing for text that cannot be an id, and everything for blank', () => {
    expect(euiFilterOf('hello')).toEqual({ kind: 'empty' });
    expect(euiFilterOf('1::2::')).toEqual({ kind: 'empty' });
    expect(euiFilterOf('  ')).toEqual({ kind: 'none' });
  });
});

describe('gateway query service at 100 000 gateways', () => {
  const N = 100_000;
  let t: Awaited<ReturnType<typeof openTestStore>>;
  let q: GatewayQueryService;

  beforeAll(async () => {
    t = await openTestStore();
    const started = performance.now();
    await fillFleet(t.store, N);
    console.log(`inserted ${N} gateways in ${Math.round(performance.now() - started)} ms`);
    q = createGatewayQueryService({ store: t.store, clock: movableClock() });
  }, 120_000);
  afterAll(() => t.close());

  const timed = async <T>(label: string, fn: () => Promise<T>): Promise<T> => {
    const s = performance.now();
    const r = await fn();
    const ms = performance.now() - s;
    // figures only: latency is measured by bench/gateway-query.bench.ts, never asserted here
    console.log(`${label}: ${ms.toFixed(1)} ms`);
    return r;
  };

  it('pages one owner in EUI order with the total count', async () => {
    const first = await timed('first page', () => q.query({ ownerId: '::1', offset: 0, limit: 100 }));
    expect(first.total).toBe(90_000);
    expect(first.rows).toHaveLength(100);
    expect(first.rows[0]).toEqual({
      gateway: '58a0:cbff:fe00:0',
      eui: '58-A0-CB-FF-FE-00-00-00',
      owner: '::1',
      origin: 'batch',
      claimedAt: '2025-01-01T00:00:00.000Z',
      configured: true,
      lastContactAt: '2025-01-01T00:00:00.000Z',
      lastOutcome: 'unauthorized',
      unit: null,
    });
    const deep = await timed('page at offset 80 000', () =>
      q.query({ ownerId: '::1', offset: 80_000, limit: 100 }),
    );
    expect(deep.rows).toHaveLength(100);
    const euis = deep.rows.map((r) => r.eui);
    expect([...euis].sort()).toEqual(euis);
  });

  it('finds a gateway by any id form and narrows by prefix', async () => {
    const exact = await timed('exact search', () =>
      q.query({ ownerId: '::1', search: '58:a0:cb:ff:fe:00:30:39', offset: 0, limit: 50 }),
    );
    expect(exact.rows.map((r) => r.gateway)).toEqual(['58a0:cbff:fe00:3039']);
    const prefix = await timed('prefix search', () =>
      q.query({ ownerId: '::1', search: '58-A0-CB-FF-FE-00-30', offset: 0, limit: 1000 }),
    );
    // 0x3000..0x30FF = 256 gateways, 9 of 10 belong to ::1
    expect(prefix.total).toBeGreaterThan(200);
    expect(prefix.rows.every((r) => r.eui.startsWith('58-A0-CB-FF-FE-00-30'))).toBe(true);
  });

  it('filters by state server-side', async () => {
    const configured = await timed('configured', () =>
      q.query({ ownerId: '::1', state: 'configured', offset: 0, limit: 10 }),
    );
    const unconfigured = await timed('unconfigured', () =>
      q.query({ ownerId: '::1', state: 'unconfigured', offset: 0, limit: 10 }),
    );
    expect(configured.total + unconfigured.total).toBe(90_000);
    expect(configured.rows.every((r) => r.configured)).toBe(true);
    const failing = await timed('failing', () =>
      q.query({ ownerId: '::1', state: 'failing', offset: 0, limit: 10 }),
    );
    expect(failing.total).toBe(2000);
    expect(failing.rows.every((r) => r.lastOutcome === 'unauthorized')).toBe(true);
    const never = await timed('never seen', () =>
      q.query({ ownerId: null, state: 'never_seen', offset: 0, limit: 10 }),
    );
    expect(never.total).toBe(80_000);
  });

  it('feeds the newest CUPS contacts, then those after the cursor (less the lag)', async () => {
    const latest = await q.activity({ limit: 3 });
    expect(latest.items.map((i) => i.gateway)).toEqual([
      '58a0:cbff:fe01:8691',
      '58a0:cbff:fe01:8696',
      '58a0:cbff:fe01:869b',
    ]);
    expect(latest.cursor).toBe(latest.items[2]!.at);
    // contacts here are 5 s apart: the 45 s lag answers the last ten again (the follower drops them)
    const again = await q.activity({ after: latest.cursor, limit: 200 });
    expect(again.items).toHaveLength(10);
    expect(again.items.at(-1)!.gateway).toBe('58a0:cbff:fe01:869b');
    expect(again.cursor).toBe(latest.cursor);
    const owned = await q.activity({ limit: 200, ownerId: '::2' });
    expect(owned.items).toEqual([]);
  });
});

describe('gateway query service: following the activity feed', () => {
  const LAG = 10_000;
  let t: Awaited<ReturnType<typeof openTestStore>>;
  let q: GatewayQueryService;
  const base = Date.parse('2026-03-01T10:00:00.000Z');
  const at = (s: number) => new Date(base + s * 1000).toISOString();
  const hex = (i: number) => (0x58a0cbfffe000000n + BigInt(i)).toString(16).toUpperCase();
  const id6 = (i: number) => `58a0:cbff:fe00:${i.toString(16)}`;
  /** stores a contact the way the core's write-behind does: maybe late, with its own time */
  const contact = (i: number, when: string) =>
    t.store.transaction((tx) =>
      tx.run(
        `INSERT INTO cups_contacts (eui, at, outcome, keys) VALUES (?, ?, 'ok', '[]')
         ON CONFLICT (eui) DO UPDATE SET at = excluded.at`,
        [hex(i), when],
      ),
    );

  beforeAll(async () => {
    t = await openTestStore();
    q = createGatewayQueryService({ store: t.store, clock: movableClock(), activityLagMs: LAG });
  });
  afterAll(() => t.close());

  it('delivers late-written and same-millisecond contacts once each, none skipped', async () => {
    const follower = createActivityFollower<ActivityItem>(LAG);
    const poll = async () =>
      follower.accept(await q.activity(follower.request())).map((i) => `${i.gateway}@${i.at}`);
    await contact(1, at(0));
    expect(await poll()).toEqual([]); // priming: what happened before subscribing is not news
    await contact(2, at(5));
    expect(await poll()).toEqual([`${id6(2)}@${at(5)}`]);
    // written behind: stamped before the newest contact already delivered
    await contact(3, at(2));
    expect(await poll()).toEqual([`${id6(3)}@${at(2)}`]);
    expect(await poll()).toEqual([]);
    // three gateways in one millisecond, then one more in it
    for (const i of [4, 5, 6]) await contact(i, at(6));
    expect(await poll()).toEqual([4, 5, 6].map((i) => `${id6(i)}@${at(6)}`));
    await contact(7, at(6));
    expect(await poll()).toEqual([`${id6(7)}@${at(6)}`]);
    // a gateway calling again is news again
    await contact(2, at(8));
    expect(await poll()).toEqual([`${id6(2)}@${at(8)}`]);
    expect(await poll()).toEqual([]);
  });

  it('starts from the beginning with an empty cursor, and refuses a cursor it did not make', async () => {
    const all = await q.activity({ after: '', limit: 200 });
    expect(all.items.length).toBeGreaterThan(5);
    await expect(q.activity({ after: '1700000000000' })).rejects.toMatchObject({
      code: 'invalid_request',
      message: expect.stringContaining('after:'),
    });
  });
});

describe('gateway query service: personalized units nobody claimed', () => {
  const NEXT = { hex: '000000FFFE000ABD', eui: '00-00-00-FF-FE-00-0A-BD', id6: '0:ff:fe00:abd' };
  let lf: LineFixture | undefined;
  afterEach(async () => lf?.close());

  it('a search over every owner finds them (listed without an owner); an owner scope does not', async () => {
    lf = await createLineFixture({ settings: { printer: { kind: 'none' } } });
    for (const hex of [KDF_VECTORS.gw1.hex, NEXT.hex]) {
      await lf.line.line.scan(lf.fx.admin, { batchId: lf.fx.batch.id, input: hex });
    }
    const at = '2026-01-01T00:00:00.000Z';
    await lf.fx.store.transaction(async (tx) => {
      await tx.run(
        "INSERT INTO owners (id, name, add_count, created_at) VALUES ('00000000000000AA', 'o', 0, ?)",
        [at],
      );
      await tx.run(
        "INSERT INTO gateways (eui, origin, owner_id, claimed_at, created_at) VALUES (?, 'batch', '00000000000000AA', ?, ?)",
        [KDF_VECTORS.gw1.hex, at, at],
      );
    });
    const q = createGatewayQueryService({ store: lf.fx.store, clock: movableClock() });
    const one = await q.query({ ownerId: null, search: NEXT.eui, offset: 0, limit: 10 });
    expect(one).toMatchObject({
      total: 1,
      rows: [{ gateway: NEXT.id6, owner: null, claimedAt: null, unit: 'personalized' }],
    });
    // a prefix over both: the claimed one once (with its owner), the unclaimed one without
    const both = await q.query({
      ownerId: null,
      search: KDF_VECTORS.gw1.hex.slice(0, 12),
      offset: 0,
      limit: 10,
    });
    expect(both.rows.map((r) => [r.gateway, r.owner])).toEqual([
      [KDF_VECTORS.gw1.id6, '::aa'],
      [NEXT.id6, null],
    ]);
    expect(both.total).toBe(2);
    expect((await q.query({ ownerId: null, offset: 0, limit: 10 })).total).toBe(1);
    expect((await q.query({ ownerId: '::aa', search: NEXT.eui, offset: 0, limit: 10 })).total).toBe(0);
  });
});
