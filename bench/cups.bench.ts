/**
 * CUPS steady state (SPEC §3): `update-info` requests per second from in-sync stations with token
 * auth, against a bare `node:https` server answering 14 bytes on the same certificate — measured in
 * the same run, rounds alternating so machine load hits both alike (target ratio ≥ 0.5).
 * Two client behaviours: a new TLS connection per request, as a Basics Station does, and
 * keep-alive (one connection reused). The servers run in a child process; the clients here.
 * Besides requests per second, the server process's CPU time per request is reported for both
 * (less sensitive to other load on the machine than throughput).
 */
import { fork, type ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';
import { pathToFileURL } from 'node:url';
import { StationClient } from '../test/helpers/station-client';
import type { BenchResult } from './bench-types';

const CONCURRENCY = 8;
const ROUND_MS = Number(process.env.GWJS_BENCH_ROUND_MS ?? 2000);
const ROUNDS = 2;

interface Ready {
  url: string;
  bareUrl: string;
  files: Record<string, string>;
}

/** CPU time the server process has used so far, µs. */
function serverCpu(child: ChildProcess): Promise<number> {
  return new Promise((resolve) => {
    const onMessage = (m: unknown) => {
      if (typeof m === 'object' && m !== null && 'cpu' in m) {
        child.off('message', onMessage);
        resolve(Number((m as { cpu: number }).cpu));
      }
    };
    child.on('message', onMessage);
    child.send('cpu');
  });
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

/** Runs the CUPS benchmarks (also used by bench/run.ts). */
export async function run(): Promise<BenchResult[]> {
  const child = fork(new URL('./cups-bench-server.ts', import.meta.url), [], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  try {
    const ready = await new Promise<Ready>((resolve, reject) => {
      child.once('message', (m) => resolve(m as Ready));
      child.once('exit', (code) => reject(new Error(`bench server exited with ${code}`)));
    });
    // one station syncs once (adopts the DER credentials and the LNS set), then is in sync
    const station = StationClient.fromFiles(ready.files);
    const first = await station.sync();
    if (first.response.status !== 200)
      throw new Error(`first sync: ${first.response.status} ${first.response.reason}`);
    const clone = (uri: string) => {
      const c = StationClient.fromFiles(ready.files);
      c.cups = { ...station.cups, uri };
      c.tc = { ...station.tc };
      return c;
    };
    const ours = Array.from({ length: CONCURRENCY }, () => clone(ready.url));
    const bare = Array.from({ length: CONCURRENCY }, () => clone(ready.bareUrl));
    await measure(ours, false, 300); // warm-up (JIT, caches)
    await measure(bare, false, 300);

    const results: BenchResult[] = [];
    /** one measured round, with the server's CPU time over it */
    const round = async (clients: StationClient[], keepAlive: boolean) => {
      const cpu0 = await serverCpu(child);
      const m = await measure(clients, keepAlive, ROUND_MS);
      return { ...m, cpu: (await serverCpu(child)) - cpu0 };
    };
    for (const keepAlive of [false, true]) {
      const o = { rate: 0, requests: 0, cpu: 0 };
      const b = { rate: 0, requests: 0, cpu: 0 };
      for (let i = 0; i < ROUNDS; i++) {
        for (const [sum, clients] of [
          [b, bare],
          [o, ours],
        ] as const) {
          const m = await round(clients, keepAlive);
          sum.rate += m.rate;
          sum.requests += m.requests;
          sum.cpu += m.cpu;
        }
      }
      const name = `cups.update-info.in-sync.${keepAlive ? 'keep-alive' : 'new-connection'}`;
      const value = o.rate / ROUNDS;
      const baseline = b.rate / ROUNDS;
      results.push({
        name,
        value: Math.round(value),
        unit: 'req/s',
        baseline: Math.round(baseline),
        ratio: Number((value / baseline).toFixed(2)),
        target: 'ratio ≥ 0.5',
      });
      const perRequest = o.cpu / o.requests;
      const barePerRequest = b.cpu / b.requests;
      results.push({
        name: `${name}.server-cpu`,
        value: Math.round(perRequest),
        unit: 'µs/req',
        baseline: Math.round(barePerRequest),
        ratio: Number((perRequest / barePerRequest).toFixed(2)),
      });
    }
    return results;
  } finally {
    child.send('stop');
    await new Promise((resolve) => child.once('exit', resolve));
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.table(await run());
}
