/**
 * Cold start with 1 000 000 gateways (target ≤ 5 s from open to listening). The database is
 * generated through the store (claimed batch gateways with a setup each, in transactions of
 * 50 000 rows), the station closed (checkpoint), then timed twice:
 * - in-process: `openStation` → `startServer` listening (modules already loaded);
 * - as an operator sees it: `gwjs serve` spawned → its `{"event":"listening"}` line.
 * GWJS_BENCH_GATEWAYS overrides the count.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { startServer } from '../src-main/adapters/http/server';
import { openStation, writeSettings } from '../src-main/compose/station';
import { freePort } from '../src-main/cli/free-port';
import { BATCH_FIRST, BATCH_LAST, BRK_HEX } from './bench-station';
import type { BenchResult } from './bench-types';
import { euiHex, parseId } from '../src-shared/ids';

const GATEWAYS = Number(process.env.GWJS_BENCH_GATEWAYS ?? 1_000_000);
const CHUNK = 50_000;
const PASSPHRASE = 'bench passphrase';
const BIN = fileURLToPath(new URL('../bin/gwjs.mjs', import.meta.url));

const hex16 = (n: bigint) => n.toString(16).padStart(16, '0').toUpperCase();

/** Creates a station holding `GATEWAYS` claimed, set-up gateways; returns the seconds it took. */
async function generate(dir: string): Promise<number> {
  const started = performance.now();
  const station = await openStation({
    dataDir: dir,
    passphrase: PASSPHRASE,
    scryptN: 2 ** 10,
    init: { publicHosts: ['127.0.0.1'], port: await freePort() },
  });
  try {
    const ctx = station.cliContext;
    await station.core.access.createApiKey(ctx, null, ['admin'], 'bench admin');
    await writeSettings(dir, station.settings);
    const batch = await station.core.batches.import(
      ctx,
      { first: hex16(BATCH_FIRST), last: hex16(BATCH_LAST) },
      new Uint8Array(Buffer.from(BRK_HEX, 'hex')),
    );
    await station.core.access.createOwner(ctx, 'be::1', 'bench owner');
    const ownerHex = euiHex(parseId('be::1').id); // owners are stored by 16-hex id
    const at = new Date().toISOString();
    for (let from = 0; from < GATEWAYS; from += CHUNK) {
      const to = Math.min(GATEWAYS, from + CHUNK);
      await station.store.transaction(async (tx) => {
        for (let i = from; i < to; i++) {
          const eui = hex16(BATCH_FIRST + BigInt(i));
          await tx.run(
            `INSERT INTO gateways (eui, origin, batch_id, owner_id, claimed_at, token_generation, token_target, created_at)
             VALUES (?, 'batch', ?, ?, ?, 0, 0, ?)`,
            [eui, batch.id, ownerHex, at, at],
          );
          await tx.run('INSERT INTO setups (eui, lns_uri, updated_at) VALUES (?, ?, ?)', [
            eui,
            'ws://lns.example.com:1887',
            at,
          ]);
        }
      });
    }
  } finally {
    await station.close();
  }
  return (performance.now() - started) / 1000;
}

/** Seconds from `openStation` to a listening server, in this process. */
async function openToListening(dir: string): Promise<number> {
  const started = performance.now();
  const station = await openStation({ dataDir: dir, passphrase: PASSPHRASE });
  const server = await startServer({
    core: station.core,
    tls: { certPem: station.tls.certPem, keyPem: station.tls.keyPem, caCertPem: station.tls.caCertPem },
    host: '127.0.0.1',
    port: 0,
  });
  const seconds = (performance.now() - started) / 1000;
  await server.close();
  await station.close();
  return seconds;
}

/** Seconds from spawning `gwjs serve` to its listening line; then stops it with SIGTERM. */
function processToListening(dir: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [BIN, 'serve', '--data', dir, '--port', '0', '--json'], {
      env: { ...process.env, GWJS_HSM_PASSPHRASE: PASSPHRASE, GWJS_LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    let seconds: number | undefined;
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (seconds === undefined && out.includes('"event":"listening"')) {
        seconds = (performance.now() - started) / 1000;
        child.kill('SIGTERM');
      }
    });
    child.on('close', (code) =>
      seconds !== undefined ? resolve(seconds) : reject(new Error(`gwjs serve exited with ${code}: ${err}`)),
    );
  });
}

/** Runs the cold-start benchmark (also used by bench/run.ts). */
export async function run(): Promise<BenchResult[]> {
  const dir = mkdtempSync(path.join(tmpdir(), 'gwjs-bench-cold-'));
  try {
    const generated = await generate(dir);
    const inProcess = await openToListening(dir);
    const spawned = await processToListening(dir);
    const n = GATEWAYS.toLocaleString('en');
    return [
      { name: `cold-start.generate-${n}`, value: Number(generated.toFixed(1)), unit: 's' },
      {
        name: `cold-start.open-to-listening.${n}`,
        value: Number(inProcess.toFixed(2)),
        unit: 's',
        target: '≤ 5 s',
      },
      {
        name: `cold-start.gwjs-serve-to-listening.${n}`,
        value: Number(spawned.toFixed(2)),
        unit: 's',
        target: '≤ 5 s',
      },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.table(await run());
}
