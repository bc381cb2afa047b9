/**
 * Several `gwjs serve` instances on one PostgreSQL database (docs/server-mode.md), in this
 * process: the first station is created with `init` (CA, keystore, the SPEC §2 vector batch, two
 * owners), its data directory (keystore, tls, settings — not a store) is copied for every other
 * instance, and each opens its own core and connection pool on the same schema. All share one
 * public CUPS URI, as behind a load balancer.
 */
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { hexToBytes } from '../../src-shared/bytes';
import { freePort } from '../../src-main/cli/free-port';
import { openStation, writeSettings, type Station } from '../../src-main/compose/station';
import { OWNER_SCOPES } from '../../src-main/cli/commands/owner';
import type { CoreConfigInput } from '../../src-main/core/config';
import type { BatchRow, RequestContext } from '../../src-main/core/api';
import { claimPinFromGmk, cupsTokenFromGmk, deriveGmk } from '../../src-main/core/kdf';
import { parseId } from '../../src-shared/ids';
import { BATCH_RANGE, KDF_VECTORS } from './core-fixture';
import { freshPgSchema, pgUrlWithSchema } from './pg-schema';
import { makeTempDir } from './tmp-dir';

/** The load balancer's address every instance hands out as the CUPS URI. */
export const SHARED_CUPS_URI = 'https://cups.example.com:6041';

/** An owner usable on every instance. */
export interface InstanceOwner {
  id6: string;
  apiKey: string;
  /** the owner's context on instance i */
  ctx(i: number): Promise<RequestContext>;
}

/** What {@link startInstances} returns. */
export interface Instances {
  /** the PostgreSQL URL (with `?schema=`) every instance uses */
  db: string;
  /** data directories of the instances (same keystore and CA) */
  dirs: string[];
  stations: Station[];
  batch: BatchRow;
  admin: RequestContext;
  /** creates an owner with an API key of every owner scope */
  addOwner(id: string): Promise<InstanceOwner>;
  /** the claim PIN of a batch gateway (ID6 or EUI text), derived through the HSM */
  pinOf(gateway: string): Promise<string>;
  /** the generation-0 CUPS token of a batch gateway, derived through the HSM */
  tokenOf(gateway: string): Promise<string>;
  close(): Promise<void>;
}

/** Starts `n` instances on a fresh schema (see the module comment). */
export async function startInstances(n: number, coreConfig: CoreConfigInput = {}): Promise<Instances> {
  const db = pgUrlWithSchema(freshPgSchema('mi'));
  const config: CoreConfigInput = {
    ...coreConfig,
    server: { cupsUri: SHARED_CUPS_URI, ...coreConfig.server },
  };
  const first = join(makeTempDir('instance'), 'a');
  const port = await freePort();
  const stations: Station[] = [];
  const a = await openStation({
    dataDir: first,
    db,
    passphrase: 'test passphrase',
    scryptN: 2 ** 10,
    init: { publicHosts: ['127.0.0.1'], port },
    coreConfig: config,
  });
  stations.push(a);
  await writeSettings(first, a.settings);
  const brk = hexToBytes(KDF_VECTORS.brkHex);
  const batch = await a.core.batches.import(a.cliContext, { ...BATCH_RANGE, flavor: 'test' }, brk);
  brk.fill(0);
  const dirs = [first];
  for (let i = 1; i < n; i++) {
    const dir = join(makeTempDir('instance'), String.fromCharCode(97 + i));
    cpSync(first, dir, { recursive: true, filter: (src) => !src.startsWith(join(first, 'db')) });
    dirs.push(dir);
    stations.push(await openStation({ dataDir: dir, db, passphrase: 'test passphrase', coreConfig: config }));
  }
  const addOwner = async (id: string): Promise<InstanceOwner> => {
    const row = await a.core.access.createOwner(a.cliContext, id, `owner ${id}`);
    const { apiKey } = await a.core.access.createApiKey(a.cliContext, row.id, OWNER_SCOPES, 'test');
    return {
      id6: row.id,
      apiKey,
      ctx: async (i) => ({
        principal: await stations[i]!.core.access.authenticate(apiKey),
        address: `192.0.2.${i}`,
      }),
    };
  };
  const withGmk = async (gateway: string, fn: (gmk: Uint8Array) => string): Promise<string> => {
    const row = await a.store.read((tx) =>
      tx.get<{ brk_handle: string }>('SELECT brk_handle FROM batches WHERE id = ?', [batch.id]),
    );
    const gmk = await deriveGmk(a.hsm, row!.brk_handle, parseId(gateway).id);
    try {
      return fn(gmk);
    } finally {
      gmk.fill(0);
    }
  };
  return {
    db,
    dirs,
    stations,
    batch,
    admin: a.cliContext,
    addOwner,
    pinOf: (gateway) => withGmk(gateway, claimPinFromGmk),
    tokenOf: (gateway) => withGmk(gateway, (gmk) => cupsTokenFromGmk(gmk, 0)),
    close: async () => {
      for (const s of stations) await s.close().catch(() => undefined);
    },
  };
}
