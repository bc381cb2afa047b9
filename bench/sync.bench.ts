/**
 * Sync benchmarks (docs/sync.md): a remote (bench station) and a linked station, both real, over
 * HTTPS on 127.0.0.1.
 * - `sync.push.10k`: time to push 10 000 queued setup operations (each its own request with its
 *   Idempotency-Key, answer recorded in the station's store) — baseline: the same 10 000 setups sent
 *   as plain single requests on the same keep-alive client, no outbox and no key.
 * - `sync.pull.100k`: time to pull 100 000 changes into the mirror (pages of 1000, one transaction
 *   each) — baseline: reading the same pages over HTTP without applying them.
 * - `sync.sitepack.10k`: time to fetch and store the site pack of 10 000 gateways.
 * - `sync.idle.*`: steady-state overhead of the loop when nothing changed (with that site pack
 *   stored): requests and JSON bytes (request + answer bodies; TLS and HTTP framing not counted)
 *   per minute at the default 30 s interval.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { HttpsRemote } from '../src-main/adapters/remote/https-remote';
import { freePort } from '../src-main/cli/free-port';
import { openStation, writeSettings } from '../src-main/compose/station';
import { SITE_PACK_MAX_AGE_MS } from '../src-main/core/sync/service';
import { euiHex, formatId6, parseIdField } from '../src-shared/ids';
import { BATCH_FIRST, startBenchStation, vectorPin } from './bench-station';
import type { BenchResult } from './bench-types';

const PUSH_OPS = 10_000;
const PULL_CHANGES = 100_000;
const IDLE_ROUNDS = 20;
const INTERVAL_S = 30;

const seconds = (ms: number) => Math.round(ms) / 1000;

export async function run(): Promise<BenchResult[]> {
  const remote = await startBenchStation();
  const dir = mkdtempSync(path.join(tmpdir(), 'gwjs-bench-sync-'));
  const station = await openStation({
    dataDir: dir,
    passphrase: 'bench passphrase',
    scryptN: 2 ** 10,
    init: { publicHosts: ['127.0.0.1'], port: await freePort() },
  });
  const out: BenchResult[] = [];
  try {
    const ctx = station.cliContext;
    await writeSettings(dir, station.settings);
    await station.core.access.createOwner(ctx, remote.ownerId, 'bench owner');
    await station.core.sync.link(ctx, {
      url: remote.server.url,
      caPem: remote.station.tls.caCertPem,
      ownerId: remote.ownerId,
      apiKey: remote.apiKey,
    });
    const rctx = remote.station.cliContext;
    const ids = (from: number, n: number) =>
      Array.from({ length: n }, (_, i) => BATCH_FIRST + BigInt(from + i));
    const claimAll = async (euis: bigint[]) => {
      for (let i = 0; i < euis.length; i += 10_000) {
        const chunk = euis.slice(i, i + 10_000);
        await remote.station.core.owner.claim(
          rctx,
          remote.ownerId,
          chunk.map((e) => ({ gateway: formatId6(e), claim: vectorPin(e) })),
        );
      }
    };

    // push: 2 × 10 000 claimed gateways, setups queued in the outbox in one transaction
    const pushIds = ids(0, PUSH_OPS);
    const directIds = ids(PUSH_OPS, PUSH_OPS);
    await claimAll([...pushIds, ...directIds]);
    const env = station.core.sync.outbox;
    const ownerHex = euiHex(parseIdField(remote.ownerId, 'ownerid'));
    const at = new Date().toISOString();
    await station.store.transaction(async (tx) => {
      for (const e of pushIds) {
        await env.enqueue(
          tx,
          'setup',
          ownerHex,
          [{ gateway: formatId6(e), lnsUri: 'ws://lns.example.com:1887' }],
          at,
        );
      }
    });
    const direct = new HttpsRemote({
      url: remote.server.url,
      caPem: remote.station.tls.caCertPem,
      apiKey: remote.apiKey,
    });
    let t = performance.now();
    for (const e of directIds) {
      const a = await direct.post('/api/v1/gateway/setup', {
        ownerid: remote.ownerId,
        gateway: formatId6(e),
        lnsUri: 'ws://lns.example.com:1887',
      });
      if (a.status !== 200) throw new Error(`direct setup answered ${a.status}`);
    }
    const directMs = performance.now() - t;
    t = performance.now();
    const report = await station.core.sync.push(ctx);
    const pushMs = performance.now() - t;
    if (report.sent !== PUSH_OPS)
      throw new Error(`push sent ${report.sent} of ${PUSH_OPS}: ${JSON.stringify(report)}`);
    out.push({
      name: 'sync.push.10k',
      value: seconds(pushMs),
      unit: 's',
      baseline: seconds(directMs),
      ratio: pushMs / directMs,
      target: 'ratio ≤ 2 (outbox bookkeeping vs plain requests)',
    });

    // pull: 100 000 changes (the 20 000 above + 80 000 more claims)
    await claimAll(ids(2 * PUSH_OPS, PULL_CHANGES - 2 * PUSH_OPS));
    t = performance.now();
    let after = '0';
    let pages = 0;
    for (;;) {
      const a = await direct.post('/api/v1/gateway/changes', { ownerid: remote.ownerId, after, limit: 1000 });
      const body = a.body as { changes: unknown[]; next: string; more: boolean };
      after = body.next;
      pages++;
      if (!body.more) break;
    }
    const readMs = performance.now() - t;
    await station.store.transaction((tx) => tx.run("UPDATE sync_link SET cursor = '0' WHERE id = 'remote'"));
    t = performance.now();
    const pulled = await station.core.sync.pull(ctx);
    const pullMs = performance.now() - t;
    if (pulled.changes < PULL_CHANGES) throw new Error(`pulled ${pulled.changes} of ${PULL_CHANGES}`);
    out.push({
      name: 'sync.pull.100k',
      value: seconds(pullMs),
      unit: 's',
      baseline: seconds(readMs),
      ratio: pullMs / readMs,
      target: `${pages} pages; ratio = applying vs only reading`,
    });
    direct.close();

    // site pack (docs/sync.md "Site packs"): 10 000 gateways — two HSM token derivations each on the
    // remote, SHA-256 verifiers, the desired state with blobs — fetched and stored in one transaction
    const beforePack = (await station.core.sync.status()).traffic;
    t = performance.now();
    const pack = await station.core.sync.fetchSitePack(
      ctx,
      pushIds.map((e) => formatId6(e)),
    );
    const packMs = performance.now() - t;
    const afterPack = (await station.core.sync.status()).traffic;
    const packBytes = afterPack.bytesOut + afterPack.bytesIn - beforePack.bytesOut - beforePack.bytesIn;
    if (pack.gateways !== PUSH_OPS) throw new Error(`site pack holds ${pack.gateways} of ${PUSH_OPS}`);
    out.push({
      name: 'sync.sitepack.10k',
      value: seconds(packMs),
      unit: 's',
      target: 'fetch + store a pack of 10 000 gateways',
    });

    // idle: rounds with nothing to do (a site pack present: a quiet round fetches none)
    const before = (await station.core.sync.status()).traffic;
    t = performance.now();
    for (let i = 0; i < IDLE_ROUNDS; i++) await station.core.sync.syncNow(ctx);
    const roundMs = (performance.now() - t) / IDLE_ROUNDS;
    const after2 = (await station.core.sync.status()).traffic;
    const perRound = (k: 'requests' | 'bytesOut' | 'bytesIn') => (after2[k] - before[k]) / IDLE_ROUNDS;
    const perMinute = 60 / INTERVAL_S;
    out.push({
      name: 'sync.idle.requests',
      value: perRound('requests') * perMinute,
      unit: 'req/min',
      target: `at the ${INTERVAL_S} s interval`,
    });
    out.push({
      name: 'sync.idle.bytes',
      value: Math.round((perRound('bytesOut') + perRound('bytesIn')) * perMinute),
      unit: 'B/min',
      target: 'JSON bodies, both ways',
    });
    // a quiet loop still refreshes the pack once it is SITE_PACK_MAX_AGE_MS old (docs/sync.md
    // "Site packs"): its bytes spread over that time
    out.push({
      name: 'sync.idle.packRefresh',
      value: Math.round(packBytes / (SITE_PACK_MAX_AGE_MS / 60_000)),
      unit: 'B/min',
      target: `the 10 000-gateway pack (${packBytes} B) once every ${SITE_PACK_MAX_AGE_MS / 60_000} min`,
    });
    out.push({
      name: 'sync.idle.round',
      value: Math.round(roundMs * 10) / 10,
      unit: 'ms',
      target: 'one empty round (pull, push, pull)',
    });
  } finally {
    await station.close();
    rmSync(dir, { recursive: true, force: true });
    await remote.close();
  }
  return out;
}
