/**
 * A join server for benchmarks: a station created through the CLI's composition root on a temp
 * directory, a batch imported with the SPEC §2 vector root key, one owner with an API key, and the
 * HTTPS server on 127.0.0.1 with rate limits out of the way (benchmarks measure throughput, not the
 * limiter). Also the vector-key KDF in plain node:crypto, to know PINs without asking the server.
 */
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
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

/** Creates the station and starts its server (see the module comment). */
export async function startBenchStation(): Promise<BenchStation> {
  const dir = mkdtempSync(path.join(tmpdir(), 'gwjs-bench-'));
  const port = await freePort();
  const station = await openStation({
    dataDir: dir,
    passphrase: 'bench passphrase',
    scryptN: 2 ** 10,
    init: { publicHosts: ['127.0.0.1'], port },
    coreConfig: {
      cupsRateLimit: {
        perRouter: { ratePerSecond: 1e9, burst: 1e9 },
        failuresPerAddress: { ratePerSecond: 1e9, burst: 1e9 },
      },
    },
  });
  const ctx = station.cliContext;
  await station.core.access.createApiKey(ctx, null, ['admin'], 'bench admin');
  await writeSettings(dir, station.settings);
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
