/**
 * Composition of the core (DESIGN §1): `createCore` wires the services over the ports. One call
 * per process; the doors (HTTP, CLI, IPC) call the returned {@link Core}.
 */
import { randomBytes } from 'node:crypto';
import { DomainError } from '../../src-shared/errors';
import { checkStationDer } from '../../src-shared/cups-wire';
import { parseEndpointUri } from '../../src-shared/uri';
import { Access } from './access';
import type { Core } from './api';
import { AuditLog } from './audit';
import { Batches } from './batches';
import { Ceremony } from './ceremony/service';
import { sha256Hex } from './ceremony/files';
import { resolveCoreConfig, type CoreConfigInput } from './config';
import { ClientCertificates } from './client-certs/service';
import { ContactLog } from './cups/contact-log';
import { CupsHandler } from './cups/handler';
import type { CoreEnv } from './env';
import { Factory } from './factory';
import { FirmwareCatalogue } from './firmware/catalogue';
import { UpdateSigningKeys } from './firmware/signing-keys';
import { OwnerOperations } from './gateways/owner-service';
import { Counters } from './metrics';
import { recordChanges } from './sync/change-feed';
import { CommitHooks } from './sync/commit';
import { IdempotencyKeys } from './sync/idempotency';
import { FactoryRecords } from './factory-records';
import { SitePack } from './sync/site-pack';
import { StationSync, type RemoteFactory, type StationSyncOptions } from './sync/service';
import type { CertificateAuthority, Clock, Hsm, Logger, Random, Store } from './ports';

export type { CoreConfigInput } from './config';

/**
 * What `createCore` needs: the store and HSM ports, and optionally a clock (default: wall clock),
 * randomness (default: `node:crypto`), a logger (default: silent) and the configuration (defaults
 * fill the gaps).
 */
interface CoreDeps {
  store: Store;
  hsm: Hsm;
  clock?: Clock;
  random?: Random;
  logger?: Logger;
  config?: CoreConfigInput;
  /** the station's CA, for gateway client certificates (SPEC §3.1); without it none are issued */
  ca?: CertificateAuthority | undefined;
  /** the HTTPS client of a remote link (docs/sync.md); without it the station cannot sync */
  remote?: RemoteFactory | undefined;
  /** sync loop timing */
  sync?: StationSyncOptions | undefined;
}

const SYSTEM_CLOCK: Clock = { now: () => Date.now() };
const SYSTEM_RANDOM: Random = { bytes: (n) => new Uint8Array(randomBytes(n)) };
const noRemote: RemoteFactory = () => {
  throw new DomainError('not_configured', 'sync: this process has no HTTPS client for a remote');
};
const SILENT: Logger = { info: () => {}, warn: () => {}, error: () => {}, debug: () => {} };

/** The core with its concrete services (doors may use the extras, e.g. `owner.rotate`). */
export interface CoreServices extends Core {
  owner: OwnerOperations;
  cups: CupsHandler;
  access: Access;
  batches: Batches;
  factory: Factory;
  audit: AuditLog;
  /** the key ceremony between twin HSMs and the custodian backup (docs/twin-hsm.md) */
  ceremony: Ceremony;
  /**
   * Run at the end of every Owner API write transaction: the change feed and the idempotent
   * answers are registered here; a syncing station adds its outbox (docs/sync.md).
   */
  commitHooks: CommitHooks;
  /** the station's sync with a remote join server (docs/sync.md); call `sync.open()` once */
  sync: StationSync;
  /**
   * Changes the join server's own CUPS URI at run time (Settings → Network, docs/station-ui.md
   * "Network"): CUPS answers and site packs name it from the next request on.
   * @throws DomainError('invalid_uri') for a URI a Basics Station cannot use
   */
  setServerCupsUri(uri: string | null): void;
}

/**
 * Wires the core. The server's CUPS URI and trust are checked here so a misconfiguration stops
 * the start instead of every CUPS answer.
 * @throws DomainError('invalid_uri' | 'invalid_credential') for a bad `config.server`; RangeError
 *   for a bad number.
 */
export function createCore(deps: CoreDeps): CoreServices {
  const config = resolveCoreConfig(deps.config);
  if (config.server.cupsUri !== null) parseEndpointUri(config.server.cupsUri, 'cups', 'server.cupsUri');
  if (config.server.trustDer !== null) checkStationDer(config.server.trustDer, 'server.trustDer');
  const commitHooks = new CommitHooks();
  const env: CoreEnv = {
    store: deps.store,
    hsm: deps.hsm,
    clock: deps.clock ?? SYSTEM_CLOCK,
    random: deps.random ?? SYSTEM_RANDOM,
    logger: deps.logger ?? SILENT,
    config,
    counters: new Counters(),
    commitHooks,
  };
  const idempotencyKeys = new IdempotencyKeys(env);
  commitHooks.add(recordChanges);
  commitHooks.add(idempotencyKeys.hook);
  const batches = new Batches(env);
  const clientCertificates = new ClientCertificates(env, batches, deps.ca);
  const signingKeys = new UpdateSigningKeys(env);
  const contacts = new ContactLog(env.store, env.clock, env.logger, {
    ...config.cupsContacts,
    shared: config.sharedStore,
  });
  const sitePack = new SitePack(env);
  const cups = new CupsHandler({ env, batches, clientCerts: clientCertificates, contacts, sitePack });
  const owner = new OwnerOperations(
    env,
    batches,
    { changed: (hex) => cups.forget(hex), contacts },
    idempotencyKeys,
  );
  const sync = new StationSync(env, owner, deps.remote ?? noRemote, deps.sync, sitePack, {
    batches,
    forget: (hex) => cups.forget(hex),
    contacts,
  });
  commitHooks.add(sync.outbox.hook);
  // a claim this station cannot check (no root key) is recorded as pending (docs/sync.md)
  owner.offlineClaims = (o, ctx) => sync.outbox.queues(o.hex, ctx);
  let closing: Promise<void> | undefined;
  return {
    owner,
    cups,
    access: new Access(env),
    batches,
    factory: new Factory(env, batches, {
      signingKeys,
      clientCertificates,
      records: sync.outbox.factoryRecords,
    }),
    audit: new AuditLog(env),
    ceremony: new Ceremony(
      env,
      batches,
      config.server.trustDer !== null ? sha256Hex(config.server.trustDer) : 'station without a CA',
    ),
    firmware: new FirmwareCatalogue(env, signingKeys),
    signingKeys,
    clientCertificates,
    commitHooks,
    sync,
    factoryRecords: new FactoryRecords(env, idempotencyKeys),
    metrics: () => env.counters.snapshot(),
    setServerCupsUri(uri) {
      if (uri !== null) parseEndpointUri(uri, 'cups', 'server.cupsUri');
      // one object: the CUPS plans and site packs read it per request
      config.server.cupsUri = uri;
      cups.serverChanged();
    },
    storeHealth: () => deps.store.health?.() ?? { state: 'ok' },
    // the pending CUPS contacts are written before the store closes
    close: () =>
      (closing ??= (async () => {
        try {
          await sync.close();
          await cups.close();
        } finally {
          await deps.store.close();
        }
      })()),
  };
}
