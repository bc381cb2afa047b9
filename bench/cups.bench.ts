/**
 * CUPS steady state (SPEC §3): `update-info` requests per second from in-sync stations with token
 * auth, against a bare `node:https` server answering 14 bytes on the same certificate — measured in
 * the same run, rounds alternating so machine load hits both alike (target ratio ≥ 0.5).
 * Two client behaviours: a new TLS connection per request, as a Basics Station does, and
 * keep-alive (one connection reused). The servers run in child processes; the clients here.
 * Besides requests per second, the server process's CPU time per request is reported for both
 * (less sensitive to other load on the machine than throughput).
 *
 * Before/after in the same run: the join server of an earlier revision (`$GWJS_BENCH_CUPS_BASELINE`,
 * default {@link DEFAULT_BASELINE_REV}, the last one before the CUPS handler became plan + effects;
 * `none` skips it) is extracted with `git archive` into a temp dir and run beside the current one,
 * its rounds interleaved with ours (`baseline.ts`). Its figures are the `baseline` of the `…vs-before` rows and of
 * the `cups.core.*` rows: CPU µs per `cups.updateInfo` call in-process (no TLS, no HTTP) — the
 * handler's own cost, which the TLS-dominated request rates hide. Without git or that revision
 * (a shallow clone) only the comparison with the bare server is printed.
 */
import type { ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';
import { pathToFileURL } from 'node:url';
import { StationClient } from '../test/helpers/station-client';
import {
  childCpu,
  extractRevision,
  forkBenchServer,
  ratio,
  removeRevision,
  reply,
  repo,
  stopChild,
} from './baseline';
import type { BenchResult } from './bench-types';

const CONCURRENCY = 8;
const ROUND_MS = Number(process.env.GWJS_BENCH_ROUND_MS ?? 2000);
const ROUNDS = Number(process.env.GWJS_BENCH_ROUNDS ?? 2);
/** The last revision whose CUPS handler recomputed the answer inside a transaction. */
const DEFAULT_BASELINE_REV = '5d3e27d92934ddb61466b061ad6bcb36e3b277a6';

interface Ready {
  url: string;
  bareUrl: string;
  files: Record<string, string>;
}

/** One join server child process and in-sync stations pointed at it. */
interface Server {
  child: ChildProcess;
  ready: Ready;
  /** a station that synced once: its JSON report is the in-sync one */
  station: StationClient;
  ours: StationClient[];
}

/** Stations that hold what `station` holds, pointed at `uri`. */
function clones(files: Record<string, string>, station: StationClient, uri: string): StationClient[] {
  return Array.from({ length: CONCURRENCY }, () => {
    const c = StationClient.fromFiles(files);
    c.cups = { ...station.cups, uri };
    c.tc = { ...station.tc };
    return c;
  });
}

/** Starts the bench server of the tree at `root` and syncs one station with it. */
async function startServer(root: string): Promise<Server> {
  const { child, ready } = await forkBenchServer<Ready>('cups-bench-server.ts', root);
  // one station syncs once (adopts the DER credentials and the LNS set), then is in sync
  const station = StationClient.fromFiles(ready.files);
  const first = await station.sync();
  if (first.response.status !== 200)
    throw new Error(`first sync: ${first.response.status} ${first.response.reason}`);
  return { child, ready, station, ours: clones(ready.files, station, ready.url) };
}

/** Requests/s and requests of `clients` (one loop each) for `ms`, every answer checked to be the 14-byte no-change. */
async function measure(
  clients: StationClient[],
  keepAlive: boolean,
  ms: number,
): Promise<{ rate: number; requests: number }> {
  let done = 0;
  const end = Date.now() + ms;
  const started = Date.now();
  await Promise.all(
    clients.map(async (c) => {
      let socket: Socket | undefined = keepAlive ? await c.connect() : undefined;
      try {
        while (Date.now() < end) {
          const r = await c.request('regular', socket);
          if (r.status !== 200 || r.body.length !== 14) {
            throw new Error(`unexpected answer ${r.status} ${r.reason} (${r.body.length} bytes)`);
          }
          done++;
        }
      } finally {
        socket?.destroy();
        socket = undefined;
      }
    }),
  );
  return { rate: done / ((Date.now() - started) / 1000), requests: done };
}

interface Sum {
  rate: number;
  requests: number;
  cpu: number;
}

/** Runs the CUPS benchmarks (also used by bench/run.ts). */
export async function run(): Promise<BenchResult[]> {
  const baselineRev = process.env.GWJS_BENCH_CUPS_BASELINE ?? DEFAULT_BASELINE_REV;
  const baselineDir = extractRevision(baselineRev, 'cups');
  const servers: Server[] = [];
  try {
    const now = await startServer(repo);
    servers.push(now);
    const before = baselineDir === undefined ? undefined : await startServer(baselineDir);
    if (before !== undefined) servers.push(before);
    const bare = clones(now.ready.files, now.station, now.ready.bareUrl);
    /** each contender: its clients and the child whose CPU time a round reads */
    const contenders = [
      { clients: bare, child: now.child },
      ...(before !== undefined ? [{ clients: before.ours, child: before.child }] : []),
      { clients: now.ours, child: now.child },
    ];
    for (const c of contenders) await measure(c.clients, false, 300); // warm-up (JIT, caches)

    const results: BenchResult[] = [];
    for (const keepAlive of [false, true]) {
      const sums: Sum[] = contenders.map(() => ({ rate: 0, requests: 0, cpu: 0 }));
      for (let i = 0; i < ROUNDS; i++) {
        for (const [k, c] of contenders.entries()) {
          const cpu0 = await childCpu(c.child);
          const m = await measure(c.clients, keepAlive, ROUND_MS);
          const s = sums[k]!;
          s.rate += m.rate / ROUNDS;
          s.requests += m.requests;
          s.cpu += (await childCpu(c.child)) - cpu0;
        }
      }
      const b = sums[0]!;
      const o = sums[sums.length - 1]!;
      const p = before !== undefined ? sums[1]! : undefined;
      const name = `cups.update-info.in-sync.${keepAlive ? 'keep-alive' : 'new-connection'}`;
      const cpuOf = (s: Sum) => s.cpu / s.requests;
      results.push(
        {
          name,
          value: Math.round(o.rate),
          unit: 'req/s',
          baseline: Math.round(b.rate),
          ratio: ratio(o.rate, b.rate),
          target: 'ratio ≥ 0.5',
        },
        {
          name: `${name}.server-cpu`,
          value: Math.round(cpuOf(o)),
          unit: 'µs/req',
          baseline: Math.round(cpuOf(b)),
          ratio: ratio(cpuOf(o), cpuOf(b)),
        },
      );
      if (p !== undefined) {
        results.push(
          {
            name: `${name}.vs-before`,
            value: Math.round(o.rate),
            unit: 'req/s',
            baseline: Math.round(p.rate),
            ratio: ratio(o.rate, p.rate),
            target: 'not worse (noise ± 10 %)',
          },
          {
            name: `${name}.server-cpu.vs-before`,
            value: Math.round(cpuOf(o)),
            unit: 'µs/req',
            baseline: Math.round(cpuOf(p)),
            ratio: ratio(cpuOf(o), cpuOf(p)),
            target: 'not worse',
          },
        );
      }
    }

    // in-process handler cost, rounds interleaved
    const core = async (s: Server) => {
      const r = reply<Record<string, number>>(s.child, 'coreCpu');
      s.child.send({ core: s.station.body() });
      return r;
    };
    const coreSums = new Map<string, { now: number; before: number }>();
    for (let i = 0; i < ROUNDS; i++) {
      const b = before !== undefined ? await core(before) : undefined;
      const o = await core(now);
      for (const [k, v] of Object.entries(o)) {
        const e = coreSums.get(k) ?? { now: 0, before: 0 };
        e.now += v / ROUNDS;
        e.before += (b?.[k] ?? Number.NaN) / ROUNDS;
        coreSums.set(k, e);
      }
    }
    for (const [k, e] of coreSums) {
      results.push({
        name: `cups.core.${k}.cpu`,
        value: Number(e.now.toFixed(1)),
        unit: 'µs/poll',
        ...(before !== undefined
          ? {
              baseline: Number(e.before.toFixed(1)),
              ratio: ratio(e.now, e.before),
              target: 'ratio ≤ 1 (vs before)',
            }
          : {}),
      });
    }
    return results;
  } finally {
    for (const s of servers) await stopChild(s.child);
    removeRevision(baselineDir);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.table(await run());
}
