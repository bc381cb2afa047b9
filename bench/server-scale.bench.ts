/**
 * Server mode at fleet scale (docs/server-mode.md, docs/performance.md): `$GWJS_BENCH_GATEWAYS`
 * (default 1 000 000) claimed and set-up batch gateways written straight into the store with SQL
 * (PostgreSQL `generate_series`, sql.js a recursive CTE — seconds, not the API), then real
 * `gwjs serve` processes polled by in-sync stations with token auth, a **new TLS connection per
 * request** as a Basics Station does, each poll for a random gateway of the fleet. The client
 * derives each gateway's token with the SPEC §2 KDF under the bench batch's root key and reports
 * the cupsCred CRC the server would issue, so every poll authenticates for real (token digest
 * through the HSM on a cache miss) and is answered the 14-byte in-sync answer.
 *
 * Printed, same run: CUPS req/s and p50/p99 latency with 1, 2 and 4 instances on one PostgreSQL
 * database (ratios against 1 instance); the same with the sql.js store (one instance: it has one
 * writer) as the baseline of the PostgreSQL single instance; bulk claim and bulk setup of
 * `$GWJS_BENCH_BULK` (default 10 000) gateways in one Owner API request on both stores; and the cost
 * growth from 1 000 gateways to the full fleet (p50 latency ratio, target ≤ 1.2).
 * PostgreSQL: `$GWJS_BENCH_PG`, else `$GWJS_TEST_PG`, else a private throw-away cluster
 * (scripts/pg-cluster.mjs, fsync off). `$GWJS_BENCH_INSTANCES` (default `1,2,4`),
 * `$GWJS_BENCH_ROUND_MS` (default 4000) per measurement, `$GWJS_BENCH_CONCURRENCY` (default 8).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHmac, X509Certificate } from 'node:crypto';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { OWNER_SCOPES } from '../src-main/cli/commands/owner';
import { freePort } from '../src-main/cli/free-port';
import { openStation, writeSettings } from '../src-main/compose/station';
import { cupsKeyFileContent, cupsTokenFromGmk } from '../src-main/core/kdf';
import { crc32 } from '../src-shared/crc32';
import { EMPTY_CRED_CRC, tokenBlob } from '../src-shared/cups-wire';
import { formatId6, idToBytes } from '../src-shared/ids';
import { BATCH_FIRST, BRK_HEX, vectorPin } from './bench-station';
import { ratio } from './baseline';
import type { BenchResult } from './bench-types';

const GATEWAYS = Number(process.env.GWJS_BENCH_GATEWAYS ?? 1_000_000);
const SMALL = Math.min(1000, GATEWAYS);
const BULK = Number(process.env.GWJS_BENCH_BULK ?? 10_000);
const INSTANCES = (process.env.GWJS_BENCH_INSTANCES ?? '1,2,4').split(',').map(Number);
const ROUND_MS = Number(process.env.GWJS_BENCH_ROUND_MS ?? 4000);
const CONCURRENCY = Number(process.env.GWJS_BENCH_CONCURRENCY ?? 8);
const PASSPHRASE = 'bench passphrase';
const LNS_URI = 'ws://lns.example.com:1887';
const GWJS_BIN = path.resolve(import.meta.dirname, '../bin/gwjs.mjs');

const log = (m: string) => process.stderr.write(`server-scale: ${m}\n`);

/** The generation-0 token of the k-th fleet gateway, by the SPEC §2 KDF under the bench root key. */
function tokenOf(eui: bigint): string {
  const gmk = createHmac('sha256', Buffer.from(BRK_HEX, 'hex'))
    .update(Buffer.concat([Buffer.from('GWJS-GMK-v1', 'ascii'), idToBytes(eui)]))
    .digest();
  return cupsTokenFromGmk(new Uint8Array(gmk), 0);
}

/** One prepared station data directory and where its store is. */
interface Prepared {
  dir: string;
  db: string | undefined;
  ownerId: string;
  ownerHex: string;
  batchId: string;
  apiKey: string;
  caPem: string;
  caDer: Uint8Array;
}

/** Creates a station (CA, keystore, the bench batch, one owner + key) on `db` (or sql.js). */
async function prepare(root: string, db: string | undefined): Promise<Prepared> {
  const dir = path.join(root, 'a');
  const station = await openStation({
    dataDir: dir,
    ...(db !== undefined ? { db } : {}),
    passphrase: PASSPHRASE,
    scryptN: 2 ** 10,
    init: { publicHosts: ['127.0.0.1'], port: await freePort() },
  });
  try {
    await writeSettings(dir, station.settings);
    const ctx = station.cliContext;
    const batch = await station.core.batches.import(
      ctx,
      { first: BATCH_FIRST.toString(16).padStart(16, '0'), last: '000000FFFEFFFFFF' },
      new Uint8Array(Buffer.from(BRK_HEX, 'hex')),
    );
    const owner = await station.core.access.createOwner(ctx, 'be::1', 'bench owner');
    const { apiKey } = await station.core.access.createApiKey(ctx, owner.id, OWNER_SCOPES, 'bench');
    const row = await station.store.read((tx) => tx.get<{ id: string }>('SELECT id FROM owners'));
    return {
      dir,
      db,
      ownerId: owner.id,
      ownerHex: row!.id,
      batchId: batch.id,
      apiKey,
      caPem: station.tls.caCertPem,
      caDer: new Uint8Array(new X509Certificate(station.tls.caCertPem).raw),
    };
  } finally {
    await station.close();
  }
}

/** Writes fleet gateways `from`…`to − 1` (claimed by the owner, set up) with SQL. */
async function populate(p: Prepared, from: number, to: number): Promise<number> {
  const started = performance.now();
  const at = new Date().toISOString();
  const base = Number(BATCH_FIRST);
  if (p.db !== undefined) {
    const u = new URL(p.db);
    const schema = u.searchParams.get('schema')!;
    u.searchParams.delete('schema');
    const client = new pg.Client({ connectionString: u.toString(), options: `-c search_path=${schema}` });
    await client.connect();
    try {
      await client.query('BEGIN');
      await client.query(
        `INSERT INTO gateways (eui, origin, batch_id, owner_id, claimed_at, token_generation, token_target, created_at)
         SELECT lpad(upper(to_hex($1::bigint + i)), 16, '0'), 'batch', $2, $3, $4, 0, 0, $4
           FROM generate_series($5::bigint, $6::bigint) AS i`,
        [base, p.batchId, p.ownerHex, at, from, to - 1],
      );
      await client.query(
        `INSERT INTO setups (eui, lns_uri, updated_at)
         SELECT lpad(upper(to_hex($1::bigint + i)), 16, '0'), $2, $3 FROM generate_series($4::bigint, $5::bigint) AS i`,
        [base, LNS_URI, at, from, to - 1],
      );
      await client.query('COMMIT');
      await client.query('ANALYZE gateways; ANALYZE setups');
    } finally {
      await client.end();
    }
  } else {
    const { openSqljsStore, DEFAULT_MIGRATIONS_DIR, loadMigrations } =
      await import('../src-main/adapters/store/sqljs-store');
    const store = await openSqljsStore({
      dir: path.join(p.dir, 'db'),
      migrations: loadMigrations(DEFAULT_MIGRATIONS_DIR),
    });
    try {
      await store.transaction(async (tx) => {
        await tx.run(
          `WITH RECURSIVE seq(i) AS (SELECT ? UNION ALL SELECT i + 1 FROM seq WHERE i + 1 < ?)
           INSERT INTO gateways (eui, origin, batch_id, owner_id, claimed_at, token_generation, token_target, created_at)
           SELECT printf('%016X', ? + i), 'batch', ?, ?, ?, 0, 0, ? FROM seq`,
          [from, to, base, p.batchId, p.ownerHex, at, at],
        );
        await tx.run(
          `WITH RECURSIVE seq(i) AS (SELECT ? UNION ALL SELECT i + 1 FROM seq WHERE i + 1 < ?)
           INSERT INTO setups (eui, lns_uri, updated_at) SELECT printf('%016X', ? + i), ?, ? FROM seq`,
          [from, to, base, LNS_URI, at],
        );
      });
      await store.checkpoint();
    } finally {
      await store.close();
    }
  }
  return (performance.now() - started) / 1000;
}

interface Served {
  child: ChildProcess;
  url: string;
  cupsUri: string;
}

/** Starts `gwjs serve` on `dir` (its own data directory) and `db`. */
async function serve(dir: string, db: string | undefined): Promise<Served> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [
      GWJS_BIN,
      'serve',
      '--data',
      dir,
      ...(db !== undefined ? ['--db', db] : []),
      '--port',
      String(port),
      '--json',
    ],
    {
      env: { ...process.env, GWJS_DATA: '', GWJS_HSM_PASSPHRASE: PASSPHRASE, GWJS_LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const listening = await new Promise<{ url: string; cupsUri: string }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`gwjs serve did not start in 300 s:\n${err}`)), 300_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n').find((l) => l.includes('"listening"'));
      if (line !== undefined) {
        clearTimeout(timer);
        resolve(JSON.parse(line) as { url: string; cupsUri: string });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`gwjs serve exited ${code}:\n${err}`));
    });
  });
  return { child, ...listening };
}

async function stop(s: Served): Promise<void> {
  if (s.child.exitCode !== null || s.child.signalCode !== null) return;
  const exited = new Promise((resolve) => s.child.once('exit', resolve));
  s.child.kill('SIGTERM');
  await exited;
}

/** One POST on a new TLS connection; resolves with status, body and latency (ms). */
function post(
  url: string,
  ca: string,
  headers: Record<string, string>,
  body: string,
): Promise<{ status: number; body: Buffer; ms: number }> {
  const payload = Buffer.from(body);
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      url,
      {
        method: 'POST',
        ca,
        agent: false,
        headers: {
          'content-type': 'application/json',
          'content-length': String(payload.length),
          connection: 'close',
          ...headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            body: Buffer.concat(chunks),
            ms: performance.now() - started,
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

interface Cups {
  rate: number;
  p50: number;
  p99: number;
  requests: number;
}

const pct = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;

/** In-sync polls of random fleet gateways (`0…fleet − 1`) spread over `servers` for `ms`. */
async function measureCups(servers: Served[], p: Prepared, fleet: number, ms: number): Promise<Cups> {
  const latencies: number[] = [];
  let turn = 0;
  const end = Date.now() + ms;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (Date.now() < end) {
        const s = servers[turn++ % servers.length]!;
        const eui = BATCH_FIRST + BigInt(Math.floor(Math.random() * fleet));
        const token = tokenOf(eui);
        const report = JSON.stringify({
          router: formatId6(eui),
          cupsUri: s.cupsUri,
          tcUri: LNS_URI,
          cupsCredCrc: crc32(tokenBlob(p.caDer, cupsKeyFileContent(token))),
          tcCredCrc: EMPTY_CRED_CRC,
        });
        const r = await post(`${s.url}/update-info`, p.caPem, { authorization: `Bearer ${token}` }, report);
        if (r.status !== 200 || r.body.length !== 14) {
          throw new Error(
            `CUPS poll: ${r.status} (${r.body.length} bytes) ${r.body.toString('utf8').slice(0, 200)}`,
          );
        }
        latencies.push(r.ms);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    rate: latencies.length / seconds,
    p50: pct(latencies, 0.5),
    p99: pct(latencies, 0.99),
    requests: latencies.length,
  };
}

/** Bulk claim, then bulk setup, of BULK gateways past the fleet in one request each (seconds). */
async function bulk(s: Served, p: Prepared): Promise<{ claim: number; setup: number }> {
  const euis = Array.from({ length: BULK }, (_, k) => BATCH_FIRST + BigInt(GATEWAYS + k));
  const call = async (op: string, body: unknown) => {
    const r = await post(
      `${s.url}/api/v1/gateway/${op}`,
      p.caPem,
      { authorization: `Bearer ${p.apiKey}` },
      JSON.stringify(body),
    );
    const items = JSON.parse(r.body.toString('utf8')) as { code?: string }[];
    const bad = Array.isArray(items) ? items.filter((i) => i.code !== undefined) : [items];
    if (r.status !== 200 || bad.length > 0)
      throw new Error(`bulk ${op}: ${r.status} ${JSON.stringify(bad.slice(0, 3))}`);
    return r.ms / 1000;
  };
  const claim = await call('claim', {
    ownerid: p.ownerId,
    gateways: euis.map((e) => ({ gateway: formatId6(e), claim: vectorPin(e) })),
  });
  const setup = await call('setup', {
    ownerid: p.ownerId,
    lnsUri: 'ws://lns-bulk.example.com:1887',
    gateways: euis.map((e) => ({ gateway: formatId6(e) })),
  });
  return { claim, setup };
}

/** The PostgreSQL server: `$GWJS_BENCH_PG`, `$GWJS_TEST_PG`, else a private cluster. */
async function pgServer(): Promise<{ url: string; stop(): void }> {
  const given = process.env.GWJS_BENCH_PG || process.env.GWJS_TEST_PG;
  if (given) return { url: given, stop() {} };
  const { startPgCluster, stopPgCluster } = (await import('../scripts/pg-cluster.mjs')) as {
    startPgCluster(): Promise<{ url: string; dir: string }>;
    stopPgCluster(dir: string): void;
  };
  const c = await startPgCluster();
  return { url: c.url, stop: () => stopPgCluster(c.dir) };
}

/** Runs the benchmark (also used by bench/run.ts). */
export async function run(): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  const root = mkdtempSync(path.join(tmpdir(), 'gwjs-scale-'));
  const server = await pgServer();
  const schema = `bench_${Date.now().toString(36)}`;
  const u = new URL(server.url);
  u.searchParams.set('schema', schema);
  const db = u.toString();
  const running: Served[] = [];
  const started = (s: Served) => (running.push(s), s);
  const stopAll = async () => {
    for (const s of running.splice(0)) await stop(s);
  };
  log(`${GATEWAYS} gateways, ${cpus().length} cores, load ${loadavg()[0]!.toFixed(1)}`);
  try {
    const figures: Record<
      string,
      { small: Cups; one: Cups; bulk: { claim: number; setup: number }; fill: number }
    > = {};
    const scaled: Cups[] = [];
    for (const kind of ['pg', 'sqljs'] as const) {
      const kroot = path.join(root, kind);
      const p = await prepare(kroot, kind === 'pg' ? db : undefined);
      // cost growth: the same single instance at 1 000 gateways, then at the full fleet
      await populate(p, 0, SMALL);
      let s = started(await serve(p.dir, p.db));
      await measureCups([s], p, SMALL, 500); // warm-up
      const small = await measureCups([s], p, SMALL, ROUND_MS);
      await stopAll();
      const fill = await populate(p, SMALL, GATEWAYS);
      log(`${kind}: ${GATEWAYS} gateways written in ${fill.toFixed(1)} s`);
      const dirs = [p.dir];
      if (kind === 'pg') {
        for (let i = 1; i < Math.max(...INSTANCES); i++) {
          const d = path.join(kroot, String.fromCharCode(97 + i));
          cpSync(p.dir, d, { recursive: true, filter: (src) => !src.startsWith(path.join(p.dir, 'db')) });
          dirs.push(d);
        }
      }
      s = started(await serve(p.dir, p.db));
      await measureCups([s], p, GATEWAYS, 500);
      const one = await measureCups([s], p, GATEWAYS, ROUND_MS);
      log(`${kind}: 1 instance ${one.rate.toFixed(0)} req/s p99 ${one.p99.toFixed(1)} ms`);
      if (kind === 'pg') {
        for (const n of INSTANCES.filter((k) => k > 1)) {
          for (let i = running.length; i < n; i++) started(await serve(dirs[i]!, p.db));
          const all = running.slice(0, n);
          await measureCups(all, p, GATEWAYS, 500);
          const m = await measureCups(all, p, GATEWAYS, ROUND_MS);
          scaled[n] = m;
          log(`pg: ${n} instances ${m.rate.toFixed(0)} req/s p99 ${m.p99.toFixed(1)} ms`);
        }
      }
      const b = await bulk(running[0]!, p);
      log(`${kind}: bulk claim ${b.claim.toFixed(2)} s, setup ${b.setup.toFixed(2)} s`);
      await stopAll();
      figures[kind] = { small, one, bulk: b, fill };
    }
    const pgF = figures.pg!;
    const sq = figures.sqljs!;
    const n = String(GATEWAYS);
    results.push(
      {
        name: `scale.${n}.pg.fill`,
        value: Number(pgF.fill.toFixed(1)),
        unit: 's',
        baseline: Number(sq.fill.toFixed(1)),
        ratio: ratio(pgF.fill, sq.fill),
      },
      {
        name: `scale.${n}.cups.new-connection.pg.x1`,
        value: Math.round(pgF.one.rate),
        unit: 'req/s',
        baseline: Math.round(sq.one.rate),
        ratio: ratio(pgF.one.rate, sq.one.rate),
        target: 'baseline: sql.js, 1 instance',
      },
      {
        name: `scale.${n}.cups.new-connection.pg.x1.p99`,
        value: Number(pgF.one.p99.toFixed(1)),
        unit: 'ms',
        baseline: Number(sq.one.p99.toFixed(1)),
        ratio: ratio(pgF.one.p99, sq.one.p99),
      },
    );
    for (const k of INSTANCES.filter((x) => x > 1)) {
      const m = scaled[k];
      if (m === undefined) continue;
      results.push(
        {
          name: `scale.${n}.cups.new-connection.pg.x${k}`,
          value: Math.round(m.rate),
          unit: 'req/s',
          baseline: Math.round(pgF.one.rate),
          ratio: ratio(m.rate, pgF.one.rate),
          target: `ratio → ${k} with ${k}+ free cores`,
        },
        {
          name: `scale.${n}.cups.new-connection.pg.x${k}.p99`,
          value: Number(m.p99.toFixed(1)),
          unit: 'ms',
          baseline: Number(pgF.one.p99.toFixed(1)),
          ratio: ratio(m.p99, pgF.one.p99),
        },
      );
    }
    for (const [kind, f] of Object.entries(figures)) {
      results.push(
        {
          name: `scale.growth.${SMALL}→${n}.cups.${kind}.p50`,
          value: Number(f.one.p50.toFixed(2)),
          unit: 'ms',
          baseline: Number(f.small.p50.toFixed(2)),
          ratio: ratio(f.one.p50, f.small.p50),
          target: 'ratio ≤ 1.2',
        },
        {
          name: `scale.growth.${SMALL}→${n}.cups.${kind}.p99`,
          value: Number(f.one.p99.toFixed(2)),
          unit: 'ms',
          baseline: Number(f.small.p99.toFixed(2)),
          ratio: ratio(f.one.p99, f.small.p99),
        },
      );
    }
    for (const op of ['claim', 'setup'] as const) {
      results.push({
        name: `scale.${n}.bulk-${op}.${BULK}.pg`,
        value: Number(pgF.bulk[op].toFixed(2)),
        unit: 's',
        baseline: Number(sq.bulk[op].toFixed(2)),
        ratio: ratio(pgF.bulk[op], sq.bulk[op]),
        target: 'baseline: sql.js',
      });
    }
    return results;
  } finally {
    await stopAll();
    try {
      const c = new pg.Client({ connectionString: server.url });
      await c.connect();
      await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await c.end();
    } catch (e) {
      log(`could not drop schema ${schema}: ${(e as Error).message}`);
    }
    server.stop();
    rmSync(root, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.table(await run());
}
