/**
 * Seqs of the ordered feeds on a shared PostgreSQL database (docs/sync.md "Pull", "Push";
 * core/sync/seq.ts): writers on two instances and a reader paging concurrently. Every seq is
 * handed out once, in commit order, so the reader never passes a seq that commits later — it sees
 * every gateway's last change (change feed) and every acknowledged operation (outbox), each once.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { GatewayChange } from '../../../src-main/core/sync/change-feed';
import { parseId } from '../../../src-shared/ids';
import { startInstances, type Instances } from '../../helpers/pg-instances';

let mi: Instances | undefined;
afterEach(async () => {
  await mi?.close();
  mi = undefined;
});

/** EUI text of the k-th gateway of the vector batch (00-00-00-FF-FE-00-kk-kk). */
const euiAt = (k: number) =>
  `00-00-00-FF-FE-00-${((k >> 8) & 0xff).toString(16).padStart(2, '0')}-${(k & 0xff).toString(16).padStart(2, '0')}`.toUpperCase();

/** Runs `n` workers over `jobs` (each job taken once). */
async function pool<T>(jobs: T[], n: number, work: (job: T, worker: number) => Promise<void>): Promise<void> {
  const queue = [...jobs];
  await Promise.all(
    Array.from({ length: n }, async (_, w) => {
      for (let job = queue.shift(); job !== undefined; job = queue.shift()) await work(job, w);
    }),
  );
}

describe('feed seqs with writers on two instances and a concurrent reader', () => {
  it('the change-feed reader sees every gateway at its last change, no seq twice or out of order', async () => {
    mi = await startInstances(2);
    const o = await mi.addOwner('a::51');
    const gateways = Array.from({ length: 240 }, (_, k) => euiAt(k + 1));
    const pins = new Map<string, string>();
    for (const g of gateways) pins.set(g, await mi.pinOf(g));
    const ctx = [await o.ctx(0), await o.ctx(1)];
    const { stations } = mi;

    let writing = true;
    const seen: GatewayChange[] = [];
    let cursor = '';
    let pages = 0;
    const readPage = async (i: number) => {
      const page = await stations[i]!.core.owner.changes(ctx[i]!, o.id6, { after: cursor, limit: 7 });
      seen.push(...page.changes);
      cursor = page.next;
      pages++;
      return page;
    };
    const reader = (async () => {
      // pages alternate between the instances, as a station behind a load balancer would
      while (writing) await readPage(pages % 2);
      while ((await readPage(pages % 2)).more);
    })();

    // writers spread over both instances: odd gateways are claimed only (the claim stays their last
    // change), even ones claimed and then set up on the other instance
    const lnsOf = (g: string) => `ws://lns-${g.replace(/-/g, '').toLowerCase()}.example.com:1887`;
    const setUp = (k: number) => k % 2 === 0;
    try {
      await pool(
        gateways.map((g, k) => ({ g, k })),
        10,
        async ({ g, k }, w) => {
          const i = w % 2;
          const [claimed] = await stations[i]!.core.owner.claim(ctx[i]!, o.id6, [
            { gateway: g, claim: pins.get(g)! },
          ]);
          expect(claimed!.code, `claim ${g}`).toBeUndefined();
          if (!setUp(k)) return;
          const j = 1 - i;
          const [set] = await stations[j]!.core.owner.setup(ctx[j]!, o.id6, [
            { gateway: g, lnsUri: lnsOf(g) },
          ]);
          expect(set!.code, `setup ${g}`).toBeUndefined();
        },
      );
    } finally {
      writing = false;
      await reader;
    }

    // seqs strictly increasing over all pages: none twice, none out of order
    const seqs = seen.map((c) => Number(c.seq));
    for (let k = 1; k < seqs.length; k++) expect(seqs[k]!, `entry ${k}`).toBeGreaterThan(seqs[k - 1]!);
    // the feed as stored: one row per gateway, at its setup; the reader saw exactly that row last
    const rows = await stations[1]!.store.read((tx) =>
      tx.all<{ seq: number; kind: string }>('SELECT seq, kind FROM gateway_changes ORDER BY seq'),
    );
    expect(rows).toHaveLength(gateways.length);
    expect(rows.filter((r) => r.kind === 'setup')).toHaveLength(gateways.length / 2);
    const last = new Map<bigint, GatewayChange>();
    for (const c of seen) last.set(parseId(c.gateway).id, c);
    const missed = rows.filter((r) => !seqs.includes(Number(r.seq)));
    expect(missed, 'changes the reader skipped').toEqual([]);
    gateways.forEach((g, k) => {
      const c = last.get(parseId(g).id);
      expect(c?.kind, g).toBe(setUp(k) ? 'setup' : 'claim');
      expect(c?.state?.claimedAt, g).not.toBeNull();
      expect(c?.state?.setup?.lnsUri ?? null, g).toBe(setUp(k) ? lnsOf(g) : null);
    });
  });

  it('the outbox reader sees every acknowledged operation once, in seq order, with no gap', async () => {
    mi = await startInstances(2);
    const { stations } = mi;
    const owner = '000A000000000001';
    const acked: string[] = [];
    let writing = true;
    const read: { seq: number; opId: string }[] = [];
    let after = 0;
    let turn = 0;
    const readPage = async () => {
      const entries = await stations[turn++ % 2]!.core.sync.outbox.list({ afterSeq: after, limit: 5 });
      for (const e of entries) read.push({ seq: e.seq, opId: e.opId });
      if (entries.length > 0) after = entries[entries.length - 1]!.seq;
      return entries.length;
    };
    const reader = (async () => {
      while (writing) await readPage();
      while ((await readPage()) > 0);
    })();
    try {
      await pool(
        Array.from({ length: 160 }, (_, k) => k),
        8,
        async (k, w) => {
          const s = stations[w % 2]!;
          const opId = await s.store.transaction((tx) =>
            s.core.sync.outbox.enqueue(
              tx,
              'setup',
              owner,
              [{ gateway: euiAt(k + 1), lnsUri: 'ws://l:1' }],
              't',
            ),
          );
          acked.push(opId);
        },
      );
    } finally {
      writing = false;
      await reader;
    }
    expect(read.map((r) => r.seq)).toEqual(Array.from({ length: acked.length }, (_, k) => k + 1));
    expect(new Set(read.map((r) => r.opId))).toEqual(new Set(acked));
  });
});
