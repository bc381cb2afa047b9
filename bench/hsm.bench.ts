/**
 * The twin HSM backends (docs/twin-hsm.md), measured in the same run:
 * - HMAC derivations/s (GMK = HMAC(BRK, "GWJS-GMK-v1" ‖ EUI), SPEC §2) on a SoftHSM2 token through
 *   PKCS#11 against the software keystore, in this process;
 * - CUPS in-sync keep-alive requests/s against a PKCS#11-backed join server, with the software-backed
 *   one as baseline (target ≥ 0.8 once token digests are cached), and the same cold: no cached
 *   token digests (`tokenCacheEntries: 0`), so every poll derives GMK and token through the HSM.
 * The servers are `cups-bench-server.ts` child processes (backend chosen by `$GWJS_BENCH_HSM`);
 * rounds alternate so machine load hits all alike.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Pkcs11Hsm } from '../src-main/adapters/hsm/pkcs11-hsm';
import { SoftwareHsm } from '../src-main/adapters/hsm/software-hsm';
import { deriveGmk } from '../src-main/core/kdf';
import type { Hsm } from '../src-main/core/ports';
import { StationClient } from '../test/helpers/station-client';
import type { BenchResult } from './bench-types';
import { BRK_HEX, benchToken } from './bench-station';

const CONCURRENCY = 8;
const ROUND_MS = Number(process.env.GWJS_BENCH_ROUND_MS ?? 2000);
const ROUNDS = Number(process.env.GWJS_BENCH_ROUNDS ?? 2);
const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

interface Ready {
  url: string;
  files: Record<string, string>;
}

async function startServer(
  env: Record<string, string>,
): Promise<{ child: ChildProcess; clients: StationClient[] }> {
  const child = fork(path.join(repo, 'bench/cups-bench-server.ts'), [], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const ready = await new Promise<Ready>((resolve, reject) => {
    child.once('message', (m) => resolve(m as Ready));
    child.once('exit', (code) => reject(new Error(`bench server exited with ${code}`)));
  });
  const station = StationClient.fromFiles(ready.files);
  const first = await station.sync();
  if (first.response.status !== 200)
    throw new Error(`first sync: ${first.response.status} ${first.response.reason}`);
  const clients = Array.from({ length: CONCURRENCY }, () => {
    const c = StationClient.fromFiles(ready.files);
    c.cups = { ...station.cups, uri: ready.url };
    c.tc = { ...station.tc };
    return c;
  });
  return { child, clients };
}

async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  child.send('stop');
  await new Promise((resolve) => child.once('exit', resolve));
}

/** Keep-alive requests/s of `clients` for `ms`; every answer must be the 14-byte no-change. */
async function measure(clients: StationClient[], ms: number): Promise<number> {
  let done = 0;
  const end = Date.now() + ms;
  const started = Date.now();
  await Promise.all(
    clients.map(async (c) => {
      const socket: Socket = await c.connect();
      try {
        while (Date.now() < end) {
          const r = await c.request('regular', socket);
          if (r.status !== 200 || r.body.length !== 14)
            throw new Error(`unexpected answer ${r.status} ${r.reason}`);
          done++;
        }
      } finally {
        socket.destroy();
      }
    }),
  );
  return done / ((Date.now() - started) / 1000);
}

/** GMK derivations/s through `hsm` over `n` EUIs (after a warm-up). */
async function derivations(hsm: Hsm, handle: string, n: number): Promise<number> {
  for (let i = 0; i < 1000; i++) await deriveGmk(hsm, handle, BigInt(i));
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await deriveGmk(hsm, handle, 0x58a0cbfffe800000n + BigInt(i));
  return n / ((performance.now() - t0) / 1000);
}

const ratio = (a: number, b: number) => Number((a / b).toFixed(2));

/** Runs the HSM benchmarks (also used by bench/run.ts). */
export async function run(): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  const dir = mkdtempSync(path.join(tmpdir(), 'gwjs-bench-hsm-'));
  const brk = new Uint8Array(Buffer.from(BRK_HEX, 'hex'));
  try {
    const t = benchToken(dir);
    const token = Pkcs11Hsm.open({ module: t.module, tokenLabel: t.label });
    await token.unlock(t.pin);
    const soft = await SoftwareHsm.open(path.join(dir, 'keystore.json'), { scryptN: 2 ** 10 });
    await soft.initialize('bench passphrase');
    const [ht, hs] = [await token.importRootKey('bench', brk), await soft.importRootKey('bench', brk)];
    let [onToken, inSoftware] = [0, 0];
    for (let r = 0; r < ROUNDS; r++) {
      onToken += await derivations(token, ht, 20_000);
      inSoftware += await derivations(soft, hs, 20_000);
    }
    results.push({
      name: 'hsm.hmac.derivations.pkcs11-vs-software',
      value: Math.round(onToken / ROUNDS),
      unit: 'ops/s',
      baseline: Math.round(inSoftware / ROUNDS),
      ratio: ratio(onToken, inSoftware),
      target: 'HMAC on the SoftHSM2 token',
    });
    await token.close();
    soft.lock();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  for (const cold of [false, true]) {
    const cache = cold ? { GWJS_BENCH_TOKEN_CACHE: '0' } : {};
    const servers = [
      await startServer({ GWJS_BENCH_HSM: 'pkcs11', ...cache }),
      await startServer({ GWJS_BENCH_HSM: 'software', ...cache }),
    ];
    try {
      for (const s of servers) await measure(s.clients, 300); // warm-up (JIT, TLS session, caches)
      const sums = [0, 0];
      for (let r = 0; r < ROUNDS; r++) {
        for (const [i, s] of servers.entries()) sums[i]! += await measure(s.clients, ROUND_MS);
      }
      const [p11, sw] = sums.map((x) => x / ROUNDS) as [number, number];
      results.push({
        name: `cups.in-sync.keepalive.pkcs11-vs-software${cold ? '.cold-cache' : ''}`,
        value: Math.round(p11),
        unit: 'req/s',
        baseline: Math.round(sw),
        ratio: ratio(p11, sw),
        target: cold ? 'every poll derives through the HSM' : '≥ 0.8',
      });
    } finally {
      for (const s of servers) await stopServer(s.child);
    }
  }
  return results;
}
