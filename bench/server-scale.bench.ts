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
 * `$GWJS_BENCH_ROUND_MS` (default 3000) per round, `$GWJS_BENCH_ROUNDS` (default 3; the
 * configurations' rounds alternate, so machine load hits them alike), `$GWJS_BENCH_CONCURRENCY` (default 8).
 */
import { createHmac, X509Certificate } from 'node:crypto';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
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
import { postOnce, spawnServe, type ServeProcess } from '../test/helpers/serve-process';
import { ratio } from './baseline';
import type { BenchResult } from './bench-types';

const GATEWAYS = Number(process.env.GWJS_BENCH_GATEWAYS ?? 1_000_000);
const SMALL = Math.min(1000, GATEWAYS);
const BULK = Number(process.env.GWJS_BENCH_BULK ?? 10_000);
const INSTANCES = (process.env.GWJS_BENCH_INSTANCES ?? '1,2,4').split(',').map(Number);
const ROUND_MS = Number(process.env.GWJS_BENCH_ROUND_MS ?? 3000);
const ROUNDS = Number(process.env.GWJS_BENCH_ROUNDS ?? 3);
const CONCURRENCY = Number(process.env.GWJS_BENCH_CONCURRENCY ?? 8);
const PASSPHRASE = 'bench passphrase';
const LNS_URI = 'ws://lns.example.com:1887';

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

type Served = ServeProcess;

/** Starts `gwjs serve` on `dir` (its own data directory) and `db`, on a free port. */
async function serve(dir: string, db: string | undefined): Promise<Served> {
  return spawnServe({ dir, db, port: await freePort(), passphrase: PASSPHRASE, timeoutMs: 300_000 });
}

const post = postOnce;

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

/** One measured configuration: a fleet on a store, polled through `servers`. */
interface Contender {
  name: string;
  fleet: Prepared;
  size: number;
  servers: Served[];
  sum: { rate: number; p50: number; p99: number; requests: number };
}

/** Runs the benchmark (also used by bench/run.ts). */
export async function run(): Promise<BenchResult[]> {
  const root = mkdtempSync(path.join(tmpdir(), 'gwjs-scale-'));
  const server = await pgServer();
  const schemas: string[] = [];
  const dbOf = () => {
    const schema = `bench_${Date.now().toString(36)}_${schemas.length}`;
    schemas.push(schema);
    const u = new URL(server.url);
    u.searchParams.set('schema', schema);
    return u.toString();
  };
  const running: Served[] = [];
  const started = (s: Served) => (running.push(s), s);
  log(`${GATEWAYS} gateways, ${cpus().length} cores, load ${loadavg()[0]!.toFixed(1)}`);
  try {
    // four fleets, all live at once so the rounds can alternate: 1 000 and GATEWAYS gateways, on
    // PostgreSQL and on sql.js
    const fleets: Record<string, { p: Prepared; size: number; fill: number }> = {};
    for (const kind of ['pg', 'sqljs'] as const) {
      for (const size of [SMALL, GATEWAYS]) {
        const key = `${kind}.${size}`;
        const p = await prepare(path.join(root, key), kind === 'pg' ? dbOf() : undefined);
        const fill = await populate(p, 0, size);
        log(`${key}: ${size} gateways written in ${fill.toFixed(1)} s`);
        fleets[key] = { p, size, fill };
      }
    }
    const big = { pg: fleets[`pg.${GATEWAYS}`]!, sqljs: fleets[`sqljs.${GATEWAYS}`]! };
    // instances of the big PostgreSQL fleet: own data directories (copies without the store)
    const pgServers: Served[] = [];
    for (let i = 0; i < Math.max(...INSTANCES); i++) {
      const d = i === 0 ? big.pg.p.dir : `${big.pg.p.dir}-${i}`;
      if (i > 0)
        cpSync(big.pg.p.dir, d, {
          recursive: true,
          filter: (src) => !src.startsWith(path.join(big.pg.p.dir, 'db')),
        });
      pgServers.push(started(await serve(d, big.pg.p.db)));
    }
    const contenders: Contender[] = [];
    const add = (name: string, f: { p: Prepared; size: number }, servers: Served[]) =>
      contenders.push({
        name,
        fleet: f.p,
        size: f.size,
        servers,
        sum: { rate: 0, p50: 0, p99: 0, requests: 0 },
      });
    add(`sqljs.${SMALL}.x1`, fleets[`sqljs.${SMALL}`]!, [
      started(await serve(fleets[`sqljs.${SMALL}`]!.p.dir, undefined)),
    ]);
    add(`sqljs.${GATEWAYS}.x1`, big.sqljs, [started(await serve(big.sqljs.p.dir, undefined))]);
    add(`pg.${SMALL}.x1`, fleets[`pg.${SMALL}`]!, [
      started(await serve(fleets[`pg.${SMALL}`]!.p.dir, fleets[`pg.${SMALL}`]!.p.db)),
    ]);
    for (const n of INSTANCES) add(`pg.${GATEWAYS}.x${n}`, big.pg, pgServers.slice(0, n));

    for (const c of contenders) await measureCups(c.servers, c.fleet, c.size, 500); // warm-up
    for (let r = 0; r < ROUNDS; r++) {
      for (const c of contenders) {
        const m = await measureCups(c.servers, c.fleet, c.size, ROUND_MS);
        c.sum.rate += m.rate / ROUNDS;
        c.sum.p50 += m.p50 / ROUNDS;
        c.sum.p99 += m.p99 / ROUNDS;
        c.sum.requests += m.requests;
        log(
          `round ${r + 1}: ${c.name} ${m.rate.toFixed(0)} req/s p50 ${m.p50.toFixed(1)} ms p99 ${m.p99.toFixed(1)} ms`,
        );
      }
    }
    const bulkPg = await bulk(pgServers[0]!, big.pg.p);
    const bulkSq = await bulk(contenders[1]!.servers[0]!, big.sqljs.p);
    log(`bulk: pg ${JSON.stringify(bulkPg)} sqljs ${JSON.stringify(bulkSq)}`);

    const by = (name: string) => contenders.find((c) => c.name === name)!.sum;
    const n = String(GATEWAYS);
    const pg1 = by(`pg.${n}.x1`);
    const sq1 = by(`sqljs.${n}.x1`);
    const fixed = (v: number, d = 1) => Number(v.toFixed(d));
    const results: BenchResult[] = [
      {
        name: `scale.${n}.fill.pg`,
        value: fixed(big.pg.fill),
        unit: 's',
        baseline: fixed(big.sqljs.fill),
        ratio: ratio(big.pg.fill, big.sqljs.fill),
        target: 'baseline: sql.js',
      },
      {
        name: `scale.${n}.cups.new-connection.pg.x1`,
        value: Math.round(pg1.rate),
        unit: 'req/s',
        baseline: Math.round(sq1.rate),
        ratio: ratio(pg1.rate, sq1.rate),
        target: 'baseline: sql.js, 1 instance',
      },
      {
        name: `scale.${n}.cups.new-connection.pg.x1.p99`,
        value: fixed(pg1.p99),
        unit: 'ms',
        baseline: fixed(sq1.p99),
        ratio: ratio(pg1.p99, sq1.p99),
      },
    ];
    for (const k of INSTANCES.filter((x) => x > 1)) {
      const m = by(`pg.${n}.x${k}`);
      results.push(
        {
          name: `scale.${n}.cups.new-connection.pg.x${k}`,
          value: Math.round(m.rate),
          unit: 'req/s',
          baseline: Math.round(pg1.rate),
          ratio: ratio(m.rate, pg1.rate),
          target: `→ ${k} with ${k}+ free cores`,
        },
        {
          name: `scale.${n}.cups.new-connection.pg.x${k}.p99`,
          value: fixed(m.p99),
          unit: 'ms',
          baseline: fixed(pg1.p99),
          ratio: ratio(m.p99, pg1.p99),
        },
      );
    }
    for (const kind of ['pg', 'sqljs']) {
      const small = by(`${kind}.${SMALL}.x1`);
      const large = by(`${kind}.${n}.x1`);
      results.push(
        {
          name: `scale.growth.${SMALL}-to-${n}.cups.${kind}.p50`,
          value: fixed(large.p50, 2),
          unit: 'ms',
          baseline: fixed(small.p50, 2),
          ratio: ratio(large.p50, small.p50),
          target: 'ratio ≤ 1.2',
        },
        {
          name: `scale.growth.${SMALL}-to-${n}.cups.${kind}.p99`,
          value: fixed(large.p99, 2),
          unit: 'ms',
          baseline: fixed(small.p99, 2),
          ratio: ratio(large.p99, small.p99),
        },
      );
    }
    for (const op of ['claim', 'setup'] as const) {
      results.push({
        name: `scale.${n}.bulk-${op}.${BULK}.pg`,
        value: fixed(bulkPg[op], 2),
        unit: 's',
        baseline: fixed(bulkSq[op], 2),
        ratio: ratio(bulkPg[op], bulkSq[op]),
        target: 'baseline: sql.js',
      });
    }
    return results;
  } finally {
    for (const s of running.splice(0)) await s.stop();
    try {
      const c = new pg.Client({ connectionString: server.url });
      await c.connect();
      for (const schema of schemas) await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await c.end();
    } catch (e) {
      log(`could not drop schemas ${schemas.join(', ')}: ${(e as Error).message}`);
    }
    server.stop();
    rmSync(root, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.table(await run());
}
