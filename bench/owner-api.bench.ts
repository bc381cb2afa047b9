/**
 * Owner API bulk operations over HTTPS (SPEC §4.2): one request claiming 10 000 gateways, then one
 * mixed setup request configuring the same 10 000 (top-level LNS URI, trust and token, items with
 * just the gateway id). Target ≤ 1 s each, measured from the first byte sent to the last received.
 * The server runs in a child process (`owner-bench-server.ts`); besides the wall time, its CPU time
 * per request is reported (steadier than wall time on a shared machine).
 *
 * Before/after in the same run: the join server of an earlier revision
 * (`$GWJS_BENCH_OWNER_BASELINE`, default {@link DEFAULT_BASELINE_REV}, the last one before items
 * were checked by the core; `none` skips it) is extracted with `git archive` (`baseline.ts`) and
 * run beside the current one. Each round claims and sets up a fresh range of 10 000 gateways on
 * both, the order alternating between rounds; the `…vs-before` rows compare the means.
 */
import type { ChildProcess } from 'node:child_process';
import { request } from 'node:https';
import { pathToFileURL } from 'node:url';
import { euiHex } from '../src-shared/ids';
import {
  childCpu,
  extractRevision,
  forkBenchServer,
  ratio,
  removeRevision,
  repo,
  stopChild,
} from './baseline';
import { BATCH_FIRST, vectorPin } from './bench-station';
import type { BenchResult } from './bench-types';

const N = 10_000;
const ROUNDS = Number(process.env.GWJS_BENCH_ROUNDS ?? 3);
/** main just before the one contract landed: its doors checked every bulk item whole (SPEC §4.2). */
const DEFAULT_BASELINE_REV = '83886cd44a8b6d6ea14c7968cc2b546ad22763a7';

/** What `owner-bench-server.ts` sends once it listens. */
interface Ready {
  url: string;
  ca: string;
  apiKey: string;
  ownerId: string;
}

interface Server {
  child: ChildProcess;
  ready: Ready;
}

/** POSTs JSON and returns the parsed answer and the wall time in ms. */
function post(
  server: Ready,
  path: string,
  body: unknown,
): Promise<{ ms: number; status: number; json: unknown }> {
  const payload = Buffer.from(JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = request(
      `${server.url}/api/v1/${path}`,
      {
        method: 'POST',
        ca: server.ca,
        headers: {
          'content-type': 'application/json',
          'content-length': payload.length,
          authorization: `Bearer ${server.apiKey}`,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const ms = performance.now() - started;
          resolve({
            ms,
            status: res.statusCode ?? 0,
            json: JSON.parse(Buffer.concat(chunks).toString('utf8')),
          });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

function checkAllOk(what: string, n: number, r: { status: number; json: unknown }): void {
  const items = r.json as { error?: string }[];
  const failed = Array.isArray(items) ? items.filter((i) => i.error !== undefined) : [];
  if (r.status !== 200 || !Array.isArray(items) || items.length !== n || failed.length > 0) {
    throw new Error(
      `${what}: status ${r.status}, ${failed.length} failed, e.g. ${JSON.stringify(failed[0] ?? r.json).slice(0, 200)}`,
    );
  }
}

/** The claim and the mixed setup body for `n` gateways from `first` on. */
function bodies(server: Ready, first: bigint, n: number): { claim: unknown; setup: unknown } {
  const euis = Array.from({ length: n }, (_, i) => first + BigInt(i));
  const trust = Buffer.from(server.ca.replace(/-----[^-]+-----|\s/g, ''), 'base64').toString('base64');
  return {
    claim: {
      ownerid: server.ownerId,
      gateways: euis.map((e) => ({ gateway: euiHex(e), claim: vectorPin(e) })),
    },
    setup: {
      ownerid: server.ownerId,
      lnsUri: 'wss://lns.example.com:443',
      lnsTrust: trust,
      lnsKey: Buffer.from('Authorization: Bearer lns-token').toString('base64'),
      gateways: euis.map((e) => ({ gateway: euiHex(e) })),
    },
  };
}

/** Wall ms and server CPU ms of one claim and one setup of `n` gateways from `first` on. */
async function round(
  s: Server,
  first: bigint,
  n: number,
): Promise<{ claim: number; setup: number; claimCpu: number; setupCpu: number }> {
  const b = bodies(s.ready, first, n);
  const cpu0 = await childCpu(s.child);
  const claim = await post(s.ready, 'gateway/claim', b.claim);
  const cpu1 = await childCpu(s.child);
  checkAllOk('claim', n, claim);
  const setup = await post(s.ready, 'gateway/setup', b.setup);
  const cpu2 = await childCpu(s.child);
  checkAllOk('setup', n, setup);
  return { claim: claim.ms, setup: setup.ms, claimCpu: (cpu1 - cpu0) / 1000, setupCpu: (cpu2 - cpu1) / 1000 };
}

type Sums = Awaited<ReturnType<typeof round>>;

/** Runs the Owner API bulk benchmarks (also used by bench/run.ts). */
export async function run(): Promise<BenchResult[]> {
  const baselineDir = extractRevision(
    process.env.GWJS_BENCH_OWNER_BASELINE ?? DEFAULT_BASELINE_REV,
    'owner-api',
  );
  const servers: Server[] = [];
  try {
    const now = await forkBenchServer<Ready>('owner-bench-server.ts', repo);
    servers.push(now);
    const before =
      baselineDir === undefined
        ? undefined
        : await forkBenchServer<Ready>('owner-bench-server.ts', baselineDir);
    if (before !== undefined) servers.push(before);
    const contenders = before === undefined ? [now] : [now, before];
    const sums: Sums[] = contenders.map(() => ({ claim: 0, setup: 0, claimCpu: 0, setupCpu: 0 }));
    // warm-up (JIT, statement cache): a round of 1 000 on a range of its own
    for (const s of contenders) await round(s, BATCH_FIRST + 0x1000n, 1000);
    for (let i = 0; i < ROUNDS; i++) {
      const first = BATCH_FIRST + 0x10000n + BigInt(i) * 0x10000n;
      const order = i % 2 === 0 ? [...contenders.keys()] : [...contenders.keys()].reverse();
      for (const k of order) {
        const r = await round(contenders[k]!, first, N);
        const s = sums[k]!;
        for (const f of ['claim', 'setup', 'claimCpu', 'setupCpu'] as const) s[f] += r[f] / ROUNDS;
      }
    }
    const o = sums[0]!;
    const p = before !== undefined ? sums[1]! : undefined;
    const results: BenchResult[] = [];
    for (const [op, name] of [
      ['claim', 'owner-api.claim.bulk-10000'],
      ['setup', 'owner-api.setup.mixed-10000'],
    ] as const) {
      const cpu = `${op}Cpu` as const;
      results.push(
        { name, value: Math.round(o[op]), unit: 'ms', target: '≤ 1000 ms' },
        { name: `${name}.server-cpu`, value: Math.round(o[cpu]), unit: 'ms' },
      );
      if (p !== undefined) {
        results.push(
          {
            name: `${name}.vs-before`,
            value: Math.round(o[op]),
            unit: 'ms',
            baseline: Math.round(p[op]),
            ratio: ratio(o[op], p[op]),
            target: 'ratio ≤ 1 (noise ± 10 %)',
          },
          {
            name: `${name}.server-cpu.vs-before`,
            value: Math.round(o[cpu]),
            unit: 'ms',
            baseline: Math.round(p[cpu]),
            ratio: ratio(o[cpu], p[cpu]),
            target: 'ratio ≤ 1',
          },
        );
      }
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
