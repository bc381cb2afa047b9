/**
 * CUPS steady state (SPEC §3): `update-info` requests per second from in-sync stations with token
 * auth, against a bare `node:https` server answering 14 bytes on the same certificate — measured in
 * the same run, rounds alternating so machine load hits both alike (target ratio ≥ 0.5).
 * Two client behaviours: a new TLS connection per request, as a Basics Station does, and
 * keep-alive (one connection reused). The servers run in a child process; the clients here.
 */
import { fork } from 'node:child_process';
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

/** Requests/s of `clients` (one loop each) for `ms`, every answer checked to be the 14-byte no-change. */
async function measure(clients: StationClient[], keepAlive: boolean, ms: number): Promise<number> {
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
  return done / ((Date.now() - started) / 1000);
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
    for (const keepAlive of [false, true]) {
      let o = 0;
      let b = 0;
      for (let i = 0; i < ROUNDS; i++) {
        b += await measure(bare, keepAlive, ROUND_MS);
        o += await measure(ours, keepAlive, ROUND_MS);
      }
      const value = o / ROUNDS;
      const baseline = b / ROUNDS;
      results.push({
        name: `cups.update-info.in-sync.${keepAlive ? 'keep-alive' : 'new-connection'}`,
        value: Math.round(value),
        unit: 'req/s',
        baseline: Math.round(baseline),
        ratio: Number((value / baseline).toFixed(2)),
        target: 'ratio ≥ 0.5',
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
