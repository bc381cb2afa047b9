/**
 * Two real instances on 127.0.0.1 for sync tests (docs/sync.md): a **remote** join server (a
 * restartable HTTPS server with the SPEC §2 vector batch, owners a::1 and b::2) and a **station**
 * in its own data directory, a twin holding the same batch root key, with owner a::1 and a remote
 * link to the remote (optionally through a proxy URL) using a::1's API key.
 */
import { hexToBytes } from '../../src-shared/bytes';
import { openStation, writeSettings, type Station } from '../../src-main/compose/station';
import { freePort } from '../../src-main/cli/free-port';
import type { StationSyncOptions } from '../../src-main/core/sync/service';
import type { Logger } from '../../src-main/core/ports';
import { BATCH_RANGE, KDF_VECTORS, TestClock } from './core-fixture';
import { startRestartableServer, type RestartableServer } from './restartable-server';
import { makeTempDir } from './tmp-dir';

/** A remote and a linked station. */
export interface SyncPair {
  remote: RestartableServer;
  station: Station;
  stationDir: string;
  /** the owner both sides know, as ID6 */
  owner: string;
  /** opens the station's data directory again (after a close or a kill) */
  reopenStation(): Promise<Station>;
  close(): Promise<void>;
}

/** Options of {@link startSyncPair}. */
export interface SyncPairOptions {
  /** the URL the station links to (a proxy in front of the remote); default the remote itself */
  linkUrl?: (remote: RestartableServer) => string | Promise<string>;
  sync?: StationSyncOptions;
  /** import the batch root key into the station (a twin); default true */
  twin?: boolean;
  /** the station's logger (a test collects its lines); default silent */
  logger?: Logger;
  /** the station's store on PostgreSQL (a URL with `?schema=`); default sql.js in its directory */
  db?: string;
}

const PASSPHRASE = 'test passphrase';

/** Opens an existing station directory as the tests do. */
export function openTestStation(
  dir: string,
  sync?: StationSyncOptions,
  logger?: Logger,
  db?: string,
): Promise<Station> {
  return openStation({
    dataDir: dir,
    ...(db !== undefined ? { db } : {}),
    passphrase: PASSPHRASE,
    scryptN: 2 ** 10,
    clock: new TestClock(Date.now()),
    ...(sync ? { sync } : {}),
    ...(logger ? { logger } : {}),
  });
}

/** A logger that keeps every line (JSON of the message and its fields) in `lines`. */
export function collectingLogger(lines: string[]): Logger {
  const at = (level: string) => (fields: unknown, message?: string) => {
    lines.push(JSON.stringify({ level, fields, message }));
  };
  return { info: at('info'), warn: at('warn'), error: at('error'), debug: at('debug') } as Logger;
}

/** Starts a remote and creates a linked station. */
export async function startSyncPair(options: SyncPairOptions = {}): Promise<SyncPair> {
  const remote = await startRestartableServer();
  const stationDir = makeTempDir('sync-station', { until: 'exit' });
  const port = await freePort();
  let station = await openStation({
    dataDir: stationDir,
    ...(options.db !== undefined ? { db: options.db } : {}),
    passphrase: PASSPHRASE,
    scryptN: 2 ** 10,
    clock: new TestClock(Date.now()),
    init: { publicHosts: ['127.0.0.1'], port },
    ...(options.sync ? { sync: options.sync } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
  });
  const ctx = station.cliContext;
  await writeSettings(stationDir, station.settings);
  if (options.twin !== false) {
    await station.core.batches.import(
      ctx,
      { ...BATCH_RANGE, flavor: 'test' },
      hexToBytes(KDF_VECTORS.brkHex),
    );
  }
  await station.core.access.createOwner(ctx, remote.ownerA.id6, 'owner a');
  const url = options.linkUrl === undefined ? remote.url : await options.linkUrl(remote);
  await station.core.sync.link(ctx, {
    url,
    caPem: remote.caPem,
    ownerId: remote.ownerA.id6,
    apiKey: remote.ownerA.apiKey,
  });
  const pair: SyncPair = {
    remote,
    station,
    stationDir,
    owner: remote.ownerA.id6,
    reopenStation: async () => {
      station = await openTestStation(stationDir, options.sync, options.logger, options.db);
      pair.station = station;
      return station;
    },
    close: async () => {
      await pair.station.close().catch(() => undefined);
      await pair.remote.close();
    },
  };
  return pair;
}
