/**
 * A join server for benchmarks: a station created through the CLI's composition root on a temp
 * directory, a batch imported with the SPEC §2 vector root key, one owner with an API key, and the
 * HTTPS server on 127.0.0.1 with rate limits out of the way (benchmarks measure throughput, not the
 * limiter). Also the vector-key KDF in plain node:crypto, to know PINs without asking the server.
 */
import { createHmac } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startServer, type RunningServer } from '../src-main/adapters/http/server';
import { OWNER_SCOPES } from '../src-main/cli/commands/owner';
import { freePort } from '../src-main/cli/free-port';
import { openStation, writeSettings, type Station } from '../src-main/compose/station';
import { claimPinFromGmk } from '../src-main/core/kdf';
import { idToBytes } from '../src-shared/ids';

/** SPEC §2 vector batch root key (bytes 00 01 … 1f). */
export const BRK_HEX = '000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f';
/** First EUI of the bench batch (the SPEC §2 vector gateway 00-00-00-FF-FE-00-0A-BC lies inside). */
export const BATCH_FIRST = 0x0000_00ff_fe00_0000n;
/** Last EUI of the bench batch: room for 16 M gateways. */
export const BATCH_LAST = 0x0000_00ff_feff_ffffn;

/** Claim PIN of `eui` under the vector key (SPEC §2), computed locally. */
export function vectorPin(eui: bigint): string {
  const gmk = createHmac('sha256', Buffer.from(BRK_HEX, 'hex'))
    .update(Buffer.concat([Buffer.from('GWJS-GMK-v1', 'ascii'), idToBytes(eui)]))
    .digest();
  return claimPinFromGmk(new Uint8Array(gmk));
}

/** What {@link startBenchStation} returns. */
export interface BenchStation {
  dir: string;
  station: Station;
  server: RunningServer;
  ownerId: string;
  apiKey: string;
  close(): Promise<void>;
}

/**
 * A fresh SoftHSM2 token in its own temp `SOFTHSM2_CONF` (set for this process), for the PKCS#11
 * benchmarks (`bench/hsm.bench.ts`).
 */
export function benchToken(dir: string): { module: string; label: string; pin: string } {
  const tokens = path.join(dir, 'softhsm-tokens');
  mkdirSync(tokens, { recursive: true });
  const conf = path.join(dir, 'softhsm2.conf');
  writeFileSync(conf, `directories.tokendir = ${tokens}\nobjectstore.backend = file\nlog.level = ERROR\n`);
  process.env.SOFTHSM2_CONF = conf;
  const label = 'gwjs-bench';
  const pin = '4711-bench';
  execFileSync(
    'softhsm2-util',
    ['--init-token', '--free', '--label', label, '--pin', pin, '--so-pin', 'so-bench'],
    {
      stdio: 'ignore',
    },
  );
  return { module: '/usr/lib/softhsm/libsofthsm2.so', label, pin };
}

/**
 * Creates the station and starts its server (see the module comment). `$GWJS_BENCH_HSM=pkcs11`
 * puts the HSM on a SoftHSM2 token; `$GWJS_BENCH_TOKEN_CACHE=N` sets the number of cached token
 * digests (0: every poll derives through the HSM).
 */
export async function startBenchStation(): Promise<BenchStation> {
  const dir = mkdtempSync(path.join(tmpdir(), 'gwjs-bench-'));
  const port = await freePort();
  const token = process.env.GWJS_BENCH_HSM === 'pkcs11' ? benchToken(dir) : undefined;
  const tokenCache = process.env.GWJS_BENCH_TOKEN_CACHE;
  const station = await openStation({
    dataDir: path.join(dir, 'station'),
    passphrase: 'bench passphrase',
    scryptN: 2 ** 10,
    ...(token !== undefined ? { pin: token.pin } : {}),
    init: {
      publicHosts: ['127.0.0.1'],
      port,
      ...(token !== undefined
        ? { hsm: { backend: 'pkcs11', module: token.module, tokenLabel: token.label } }
        : {}),
    },
    coreConfig: {
      ...(tokenCache !== undefined ? { tokenCacheEntries: Number(tokenCache) } : {}),
      cupsRateLimit: {
        perRouter: { ratePerSecond: 1e9, burst: 1e9 },
        failuresPerAddress: { ratePerSecond: 1e9, burst: 1e9 },
      },
    },
  });
  const ctx = station.cliContext;
  await station.core.access.createApiKey(ctx, null, ['admin'], 'bench admin');
  await writeSettings(station.dataDir, station.settings);
  const brk = new Uint8Array(Buffer.from(BRK_HEX, 'hex'));
  await station.core.batches.import(
    ctx,
    { first: BATCH_FIRST.toString(16).padStart(16, '0'), last: BATCH_LAST.toString(16).padStart(16, '0') },
    brk,
  );
  const owner = await station.core.access.createOwner(ctx, 'be::1', 'bench owner');
  const { apiKey } = await station.core.access.createApiKey(ctx, owner.id, OWNER_SCOPES, 'bench');
  const server = await startServer({
    core: station.core,
    tls: { certPem: station.tls.certPem, keyPem: station.tls.keyPem, caCertPem: station.tls.caCertPem },
    host: '127.0.0.1',
    port,
    rateLimits: false,
  });
  return {
    dir,
    station,
    server,
    ownerId: owner.id,
    apiKey,
    close: async () => {
      try {
        await server.close();
        await station.close();
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
