/**
 * Property (docs/sync.md "Must show"): whatever the fault schedule between station and remote —
 * connections dropped mid-request or mid-response, delays, duplicated requests — once the faults
 * stop both sides converge, and no operation is lost or applied twice. Each run draws a random
 * sequence of owner operations on gateways of its own, makes them on the station (a twin of the
 * remote's batch), then syncs through the fault-injecting proxy until the outbox is empty.
 *
 * Checked per run: every queued operation ends `sent` (a doubled delete would come back
 * `not_claimed` and be `rejected`); the remote's audit trail of each gateway equals the
 * station's (a doubled setup would show twice); the remote's ownership and setup equal the
 * station's. Runs share the two instances (real HTTPS, real data directories) so 200 runs stay
 * cheap: the cost of a run is its few requests, not two server starts. The seed is printed on
 * failure; `SYNC_PROPERTY_SEED=<n>` replays a run.
 */
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crockford32 } from '../../../src-shared/pin';
import { KDF_VECTORS } from '../../helpers/core-fixture';
import { startFaultProxy, type Fault, type FaultProxy } from '../../helpers/fault-proxy';
import { startSyncPair, type SyncPair } from '../../helpers/sync-pair';

const RUNS = Number(process.env.SYNC_PROPERTY_RUNS ?? 200);
const BRK = Buffer.from(KDF_VECTORS.brkHex, 'hex');

/** mulberry32: a small seeded PRNG. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Claim PIN of a batch gateway (SPEC §2) from the vector BRK, computed independently of the core. */
function pinOf(hex: string): string {
  const gmk = createHmac('sha256', BRK)
    .update(Buffer.concat([Buffer.from('GWJS-GMK-v1'), Buffer.from(hex, 'hex')]))
    .digest();
  return crockford32(createHmac('sha256', gmk).update('GWJS-PIN-v1').digest().subarray(0, 5));
}

let pair: SyncPair;
let proxy: FaultProxy;

beforeAll(async () => {
  pair = await startSyncPair({
    linkUrl: async (remote) => {
      proxy = await startFaultProxy({
        targetPort: Number(new URL(remote.url).port),
        certPem: remote.station.tls.certPem,
        keyPem: remote.station.tls.keyPem,
        caPem: remote.caPem,
      });
      return proxy.url;
    },
  });
}, 60_000);

afterAll(async () => {
  await proxy?.close();
  await pair?.close();
});

type Op = { kind: 'claim' | 'delete' } | { kind: 'setup'; lns: string };

function drawFault(r: () => number): Fault {
  const x = r();
  if (x < 0.3) return { kind: 'none' };
  if (x < 0.45) return { kind: 'drop-request', fraction: 0.05 + r() * 0.9 };
  if (x < 0.65) return { kind: 'drop-response', afterBytes: 1 + Math.floor(r() * 60) };
  if (x < 0.8) return { kind: 'delay', ms: 1 + Math.floor(r() * 20) };
  return { kind: 'duplicate' };
}

const ACTIONS = new Set(['claim', 'setup', 'delete']);

async function trail(core: SyncPair['station']['core'], ctx: SyncPair['station']['cliContext'], id6: string) {
  const entries = await core.audit.list(ctx, { target: id6, limit: 1000 });
  return entries
    .filter((e) => ACTIONS.has(e.action))
    .sort((a, b) => a.id - b.id)
    .map((e) =>
      e.action === 'setup' ? `setup:${String((e.detail.lns as { uri?: unknown }).uri)}` : e.action,
    );
}

async function oneRun(seed: number, run: number): Promise<void> {
  const r = prng(seed);
  const { station, remote } = pair;
  const ctx = station.cliContext;
  const gateways = Array.from({ length: 1 + Math.floor(r() * 2) }, (_, i) => {
    const hex = `000000FFFE${(run * 4 + i + 0x10000).toString(16).toUpperCase().padStart(6, '0')}`;
    return { hex, eui: hex.match(/../g)!.join('-'), pin: pinOf(hex) };
  });
  const ops = Array.from({ length: 1 + Math.floor(r() * 4) }, () => {
    const gw = gateways[Math.floor(r() * gateways.length)]!;
    const x = r();
    const op: Op =
      x < 0.4
        ? { kind: 'claim' }
        : x < 0.8
          ? { kind: 'setup', lns: `ws://lns${Math.floor(r() * 3)}.example.com:1887` }
          : { kind: 'delete' };
    return { gw, op };
  });
  for (const { gw, op } of ops) {
    if (op.kind === 'claim')
      await station.core.owner.claim(ctx, pair.owner, [{ gateway: gw.eui, claim: gw.pin }]);
    else if (op.kind === 'setup')
      await station.core.owner.setup(ctx, pair.owner, [{ gateway: gw.eui, lnsUri: op.lns }]);
    else await station.core.owner.delete(ctx, pair.owner, [gw.eui]);
  }
  // faults for the first requests, then a healthy link
  let faults = 1 + Math.floor(r() * 8);
  proxy.schedule = () => (faults-- > 0 ? drawFault(r) : { kind: 'none' });
  let rounds = 0;
  for (;;) {
    rounds++;
    try {
      const s = await station.core.sync.syncNow(ctx);
      if (s.counts.pending === 0) break;
    } catch {
      // a faulted round: the loop would back off; the test retries at once
    }
    if (rounds > 40) throw new Error('did not converge within 40 rounds after the faults stopped');
  }
  const status = await station.core.sync.status();
  expect(status.counts.rejected, 'no operation rejected (none doubled)').toBe(0);
  expect(status.counts.conflict, 'no false conflict').toBe(0);
  for (const gw of gateways) {
    const id6 = (await station.core.owner.info(ctx, pair.owner, [gw.eui]))[0]!.gateway;
    expect(await trail(remote.station.core, remote.station.cliContext, id6), `audit trail of ${id6}`).toEqual(
      await trail(station.core, ctx, id6),
    );
    const local = (await station.core.owner.info(ctx, pair.owner, [gw.eui]))[0]!;
    const far = (await remote.station.core.owner.info(remote.station.cliContext, pair.owner, [gw.eui]))[0]!;
    expect(far.code ?? 'ok', `claimed state of ${id6}`).toBe(local.code ?? 'ok');
    expect(far.info?.setup?.lns.uri ?? null).toBe(local.info?.setup?.lns.uri ?? null);
  }
}

describe('sync through a fault-injecting proxy (property)', () => {
  it(`converges with nothing lost or doubled over ${RUNS} seeded runs`, async () => {
    const base = Number(process.env.SYNC_PROPERTY_SEED ?? Math.floor(Math.random() * 2 ** 31));
    const started = Date.now();
    for (let run = 0; run < RUNS; run++) {
      const seed = (base + run) >>> 0;
      try {
        await oneRun(seed, run);
      } catch (e) {
        const message = e instanceof Error ? e.message : String(e);
        throw new Error(
          `sync property failed at run ${run}, seed ${seed} (replay: SYNC_PROPERTY_SEED=${seed} SYNC_PROPERTY_RUNS=1): ${message}`,
        );
      }
    }
    // the schedule really injected every kind of fault
    for (const kind of ['drop-request', 'drop-response', 'delay', 'duplicate'] as const) {
      expect(proxy.applied[kind], kind).toBeGreaterThan(0);
    }
    console.log(
      `sync property: ${RUNS} runs from seed ${base} in ${Date.now() - started} ms; faults ${JSON.stringify(proxy.applied)}`,
    );
  }, 600_000);
});
