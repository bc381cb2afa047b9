/**
 * The station of one data directory (docs/architecture.md): wires the store (sql.js, or
 * PostgreSQL), the HSM (software keystore or PKCS#11 token), the local CA/server certificate and the core. Every entry point
 * opens its station here — `gwjs` commands, `gwjs serve`, `npm start` and the Electron shell.
 *
 * Longer than ~400 lines on purpose: it is the one module that knows the data directory below,
 * and `openStation` wires store, HSM, TLS and core in one order that closes what it opened when a
 * later part fails.
 *
 * Data directory layout (decided here, documented in docs/cli.md):
 *   station.json    settings written by `init` (public hosts, listen address, port)
 *   db/             the store (station.db, journal.log, store.lock), unless a PostgreSQL URL is
 *                   given (`--db` / `$GWJS_DB`, docs/server-mode.md)
 *   keystore.json   the software HSM (root keys sealed under the passphrase); a PKCS#11 station
 *                   keeps its keys on the token and only module + token in station.json
 *   tls/            local CA and server certificate (`ca.pem` is what gateways trust)
 *   hsm-passphrase  optional: the passphrase, mode 0600, written only by `npm start` on first run
 */
import { chmod, mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import path from 'node:path';
import type { Principal, RequestContext } from '../core/api';
import { SCOPES } from '../core/api';
import type { CoreConfigInput } from '../core/config';
import { createCore, type CoreServices } from '../core/index';
import type { Clock, Logger, Store } from '../core/ports';
import { resolvePassphrase } from '../adapters/hsm/software-hsm';
import {
  KEYSTORE_FILE,
  closeStationHsm,
  openStationHsm,
  parseHsmSettings,
  type HsmSettings,
  type StationHsm,
} from '../adapters/hsm/station-hsm';
import { Pkcs11Hsm } from '../adapters/hsm/pkcs11-hsm';
import { HsmSwitch } from '../adapters/hsm/hsm-switch';
import type { HsmBackendControl } from '../core/station';
import { createHsmBackendControl } from './hsm-backend';
import { watchUsbTokens, type UsbTokenState, type UsbTokenWatch } from '../adapters/hsm/usb-token-watch';
import { DEFAULT_MIGRATIONS_DIR, loadMigrations, openSqljsStore } from '../adapters/store/sqljs-store';
import { MeasuredStore } from '../adapters/store/measured-store';
import { HttpsRemote } from '../adapters/remote/https-remote';
import type { StationSyncOptions } from '../core/sync/service';
import { LocalCaIssuer } from '../adapters/tls/client-cert-issuer';
import { ensureServerTls, type ServerTls } from '../adapters/tls/local-ca';
import { DomainError } from '../../src-shared/errors';
import { httpsUrl } from '../../src-shared/uri';

/** Settings file name in the data directory. */
export const SETTINGS_FILE = 'station.json';
/** Passphrase file `npm start` may create on first run. */
export const PASSPHRASE_FILE = 'hsm-passphrase';
/** Default HTTPS port of `gwjs serve`. */
export const DEFAULT_PORT = 8443;
/** Default listen address: loopback only until the operator opens it up. */
export const DEFAULT_HOST = '127.0.0.1';

/** What `init` fixes for a station (`station.json`). */
export interface StationSettings {
  format: 'gwjs-station';
  version: 1;
  /** names/addresses gateways use to reach this server; the first one goes into cups.uri */
  publicHosts: string[];
  /** listen address of `serve` */
  host: string;
  /** HTTPS port of `serve` (also the port in cups.uri) */
  port: number;
  /** the CUPS URI bundles carry, when not `https://<first public host>:<port>` (Settings → Network) */
  cupsUri?: string;
  createdAt: string;
  /** the HSM backend (absent = the software keystore); never holds a PIN (docs/twin-hsm.md) */
  hsm?: HsmSettings;
  /** the LAN CUPS door the operator chose, reopened at start (docs/sync.md "The LAN CUPS door") */
  lanDoor?: SavedLanDoor;
}

/** The operator's LAN door choice in station.json. */
export interface SavedLanDoor {
  address: string;
  port: number;
  /** false: closed by the operator (the address is kept for the switch) */
  open: boolean;
}

/** Options of {@link openStation}. */
export interface OpenStationOptions {
  dataDir: string;
  /** unlocks (or, with `init`, creates) the software HSM; without it the HSM stays locked */
  passphrase?: string | undefined;
  /** unlocks a PKCS#11 token (`--pin-file`, `$GWJS_HSM_PIN`); never stored */
  pin?: string | undefined;
  /** create a new station in `dataDir` instead of opening one */
  init?:
    | {
        publicHosts?: string[] | undefined;
        host?: string | undefined;
        port?: number | undefined;
        /** HSM backend of the new station (default: software keystore) */
        hsm?: HsmSettings | undefined;
      }
    | undefined;
  /** extra host names the server certificate must cover now (serve --public-host) */
  publicHosts?: string[] | undefined;
  /** overrides the port of the station's own CUPS URI (serve --port) */
  port?: number | undefined;
  /** PostgreSQL URL of the store (server mode); else the sql.js store in `<data>/db` */
  db?: string | undefined;
  /** PostgreSQL pool size (default 10) */
  dbPoolSize?: number | undefined;
  coreConfig?: CoreConfigInput | undefined;
  /**
   * PEM CAs whose gateway client certificates the doors accept besides the station's own CA
   * (`gwjs serve --client-ca`): named to the core so site packs carry them (docs/sync.md)
   */
  clientCaPems?: readonly string[] | undefined;
  logger?: Logger | undefined;
  clock?: Clock | undefined;
  /** scrypt cost of a new keystore (tests lower it) */
  scryptN?: number | undefined;
  /** sync loop timing (docs/sync.md) */
  sync?: StationSyncOptions | undefined;
}

/** An open station. Call {@link Station.close} before exit (checkpoints the store). */
export interface Station {
  dataDir: string;
  settings: StationSettings;
  /** the core with its concrete services (e.g. `factory.labelData`, `signingKeys`) */
  core: CoreServices;
  /** the sql.js store of `<data>/db`, or the PostgreSQL store of `db` (timed for `/metrics`) */
  store: MeasuredStore;
  /** what the store is, for messages and `/metrics` */
  storeKind: 'sqljs' | 'pg';
  /** the backend in use: the software keystore or the PKCS#11 token (docs/twin-hsm.md) */
  readonly hsm: StationHsm;
  /** what the core and the UI hold: forwards to the backend in use, which Settings can switch */
  hsmSwitch: HsmSwitch;
  /** switching the backend from Settings (docs/twin-hsm.md "Backends") */
  hsmBackend: HsmBackendControl;
  /** USB presence of HSM tokens (PKCS#11 stations; "not available" where USB is missing) */
  usbTokens(): UsbTokenState;
  tls: ServerTls;
  /** the join server's own CUPS URI (`https://<first public host>:<port>`), what bundles carry */
  cupsUri: string;
  /** the principal of local operator commands (the CLI): admin, audited as `cli` */
  cliContext: RequestContext;
  /** the core's clock: everything wired around the core (UI services, factory line) uses it */
  clock: Clock;
  close(): Promise<void>;
}

const CLI_PRINCIPAL: Principal = { kind: 'cli', id: 'cli', ownerId: null, scopes: new Set(SCOPES) };

/** Default public hosts when `init` is given none. */
const DEFAULT_PUBLIC_HOSTS = ['localhost'];

/** DER of every PEM certificate in `pems` (a `--client-ca` file may hold several). */
function certificateDers(pems: readonly string[]): Uint8Array[] {
  return pems.flatMap((pem) =>
    [...pem.matchAll(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g)].map(
      (m) => new Uint8Array(new X509Certificate(m[0]).raw),
    ),
  );
}

/** The station's CUPS URI for its settings. */
export function stationCupsUri(settings: StationSettings, port = settings.port): string {
  if (settings.cupsUri !== undefined) return settings.cupsUri;
  return httpsUrl(settings.publicHosts[0] ?? 'localhost', port);
}

/** Reads `station.json`, or undefined when the directory holds no station. */
export async function readSettings(dataDir: string): Promise<StationSettings | undefined> {
  let text: string;
  try {
    text = await readFile(path.join(dataDir, SETTINGS_FILE), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  const s = JSON.parse(text) as Partial<StationSettings>;
  if (
    s.format !== 'gwjs-station' ||
    s.version !== 1 ||
    !Array.isArray(s.publicHosts) ||
    typeof s.port !== 'number'
  ) {
    throw new DomainError(
      'store_corrupt',
      `${path.join(dataDir, SETTINGS_FILE)}: not a gwjs station settings file`,
    );
  }
  const hsm = parseHsmSettings(s.hsm, path.join(dataDir, SETTINGS_FILE));
  return { host: DEFAULT_HOST, ...s, ...(s.hsm !== undefined ? { hsm } : {}) } as StationSettings;
}

/**
 * The HSM passphrase for a data directory, non-interactively: `--hsm-passphrase-file`, then
 * `$GWJS_HSM_PASSPHRASE`, then `<data>/hsm-passphrase` (written by `npm start`).
 */
export function passphraseFor(
  dataDir: string,
  file: string | undefined,
  env: NodeJS.ProcessEnv,
): string | undefined {
  const given = resolvePassphrase({ file, env });
  if (given !== undefined) return given;
  const local = path.join(dataDir, PASSPHRASE_FILE);
  return existsSync(local) ? resolvePassphrase({ file: local, env: {} }) : undefined;
}

/** Writes `station.json`: the last step of `init`, marking the directory as a complete station. */
export async function writeSettings(dataDir: string, settings: StationSettings): Promise<void> {
  const file = path.join(dataDir, SETTINGS_FILE);
  await writeFile(file, `${JSON.stringify(settings, null, 2)}\n`, { mode: 0o600 });
  await chmod(file, 0o600);
}

/**
 * Opens (or with `init`, creates) the station in `options.dataDir`. With `init` the caller
 * finishes with {@link finishInit}.
 */
export async function openStation(options: OpenStationOptions): Promise<Station> {
  const dataDir = path.resolve(options.dataDir);
  let settings = await readSettings(dataDir);
  if (options.init !== undefined) {
    if (settings !== undefined) {
      throw new DomainError('conflict', `${dataDir} already holds a station (${SETTINGS_FILE} exists)`);
    }
    if (existsSync(path.join(dataDir, KEYSTORE_FILE))) {
      throw new DomainError(
        'conflict',
        `${dataDir} holds a keystore but no ${SETTINGS_FILE}: an earlier init stopped half-way; remove the directory and run init again`,
      );
    }
    const hsmSettings = options.init.hsm ?? { backend: 'software' };
    if (hsmSettings.backend === 'software' && options.passphrase === undefined) {
      throw new DomainError(
        'hsm_locked',
        'no HSM passphrase: give --hsm-passphrase-file FILE or set $GWJS_HSM_PASSPHRASE',
      );
    }
    await mkdir(dataDir, { recursive: true, mode: 0o700 });
    settings = {
      format: 'gwjs-station',
      version: 1,
      publicHosts: options.init.publicHosts?.length ? options.init.publicHosts : DEFAULT_PUBLIC_HOSTS,
      host: options.init.host ?? DEFAULT_HOST,
      port: options.init.port ?? DEFAULT_PORT,
      createdAt: new Date((options.clock ?? Date).now()).toISOString(),
      ...(options.init.hsm !== undefined ? { hsm: hsmSettings } : {}),
    };
  } else if (settings === undefined) {
    const what = existsSync(dataDir)
      ? (await readdir(dataDir)).length === 0
        ? 'is empty'
        : 'holds no station'
      : 'does not exist';
    throw new DomainError(
      'not_found',
      `data directory ${dataDir} ${what}: run \`gwjs init --data ${dataDir}\` first`,
    );
  }

  const opened = await openStationHsm(
    dataDir,
    settings.hsm ?? { backend: 'software' },
    { passphrase: options.passphrase, pin: options.pin },
    { init: options.init !== undefined, scryptN: options.scryptN },
  );
  const hsm = new HsmSwitch(opened);

  // Hosts given for this run (`serve --public-host`) come first: the CUPS URI and printed URLs
  // follow them, and the certificate covers them and the init ones.
  const publicHosts = [...new Set([...(options.publicHosts ?? []), ...settings.publicHosts])];
  const port = options.port ?? settings.port;
  // flags > saved settings (docs/running.md): a host given for this run beats a saved CUPS URI
  const { cupsUri: savedCupsUri, ...rest } = settings;
  const cupsUri = stationCupsUri(
    options.publicHosts?.length || savedCupsUri === undefined
      ? { ...rest, publicHosts }
      : { ...rest, publicHosts, cupsUri: savedCupsUri },
    port,
  );
  let tls: ServerTls;
  let store: MeasuredStore;
  try {
    tls = await ensureServerTls(dataDir, { publicHosts });
    // timed for /metrics (docs/server-mode.md)
    store = new MeasuredStore(await openStationStore(dataDir, options));
  } catch (e) {
    await closeStationHsm(hsm.current);
    throw e;
  }
  let core: CoreServices;
  try {
    const trustDer = new Uint8Array(new X509Certificate(tls.caCertPem).raw);
    core = createCore({
      store,
      hsm,
      ca: new LocalCaIssuer(tls.ca), // gateway client certificates (SPEC §3.1)
      ...(options.clock !== undefined ? { clock: options.clock } : {}),
      ...(options.logger !== undefined ? { logger: options.logger } : {}),
      config: {
        // several instances may share a PostgreSQL store (docs/server-mode.md)
        ...(options.db !== undefined ? { sharedStore: true } : {}),
        ...options.coreConfig,
        server: {
          cupsUri,
          trustDer,
          clientCaDers: [trustDer, ...certificateDers(options.clientCaPems ?? [])],
          ...options.coreConfig?.server,
        },
      },
      remote: (link, apiKey) => new HttpsRemote({ url: link.url, caPem: link.caPem, apiKey }),
      ...(options.sync !== undefined ? { sync: options.sync } : {}),
    });
    await core.sync.open();
  } catch (e) {
    await store.close();
    await closeStationHsm(hsm.current);
    throw e;
  }
  // a pulled token locks the PKCS#11 HSM at once (docs/twin-hsm.md "USB presence")
  let usb: Promise<UsbTokenWatch> | undefined;
  let usbNow: UsbTokenWatch | undefined;
  const watchUsb = () => {
    usb ??= watchUsbTokens({
      onDetach: () => {
        const current = hsm.current;
        if (current instanceof Pkcs11Hsm) current.checkPresence();
      },
    }).then((w) => (usbNow = w));
    return usb;
  };
  if (hsm.current instanceof Pkcs11Hsm) await watchUsb();
  const stationSettings = settings;
  const hsmBackend = createHsmBackendControl({
    dataDir,
    hsm,
    settings: () => stationSettings.hsm ?? { backend: 'software' },
    async save(next) {
      const written = { ...stationSettings, hsm: next };
      await writeSettings(dataDir, written);
      stationSettings.hsm = next;
    },
    onSwitched: (next) => {
      if (next instanceof Pkcs11Hsm) void watchUsb();
    },
    scryptN: options.scryptN,
  });
  let closed: Promise<void> | undefined;
  return {
    dataDir,
    settings,
    core,
    store,
    storeKind: options.db !== undefined ? 'pg' : 'sqljs',
    get hsm() {
      return hsm.current;
    },
    hsmSwitch: hsm,
    hsmBackend,
    usbTokens: () =>
      usbNow?.state() ?? { usb: 'not_available', reason: 'software HSM: no token to watch', tokens: [] },
    tls,
    cupsUri,
    cliContext: { principal: CLI_PRINCIPAL, address: 'cli' },
    clock: options.clock ?? { now: () => Date.now() },
    close: () =>
      (closed ??= (async () => {
        (await usb)?.close();
        try {
          await core.close();
        } finally {
          await store.close();
          await closeStationHsm(hsm.current);
        }
      })()),
  };
}

/** The first admin API key of a new station, shown once. */
export interface NewStationKey {
  apiKey: string;
  apiKeyId: string;
}

/**
 * The last steps of `init` on a station opened with `init`: the first admin API key, then
 * `station.json`, which marks the directory as a complete station.
 */
export async function finishInit(station: Station): Promise<NewStationKey> {
  const { apiKey, summary } = await station.core.access.createApiKey(
    station.cliContext,
    null,
    ['admin'],
    'first admin key (gwjs init)',
  );
  await writeSettings(station.dataDir, station.settings);
  return { apiKey, apiKeyId: summary.id };
}

/** What `init` (and the first `npm start`) prints about a new station. */
export function newStationText(station: Station, key: NewStationKey): string {
  return [
    `Station created in ${station.dataDir}`,
    `CUPS URI:        ${station.cupsUri}`,
    `CA certificate:  ${station.tls.caCertPath}`,
    `CA SHA-256:      ${station.tls.caFingerprint256}`,
    '',
    `Admin API key (shown once, keep it safe): ${key.apiKey}`,
  ].join('\n');
}

/**
 * The station's store: PostgreSQL when `options.db` is given (loaded only then), else sql.js in
 * `<data>/db`. Both apply their pending migrations at open.
 */
export async function openStationStore(
  dataDir: string,
  options: Pick<OpenStationOptions, 'db' | 'dbPoolSize' | 'logger'>,
): Promise<Store> {
  const logger = options.logger !== undefined ? { logger: options.logger } : {};
  if (options.db !== undefined) {
    const { openPgStore, PG_MIGRATIONS_DIR } = await import('../adapters/store/pg-store');
    return openPgStore({
      url: options.db,
      migrations: loadMigrations(PG_MIGRATIONS_DIR),
      ...(options.dbPoolSize !== undefined ? { poolSize: options.dbPoolSize } : {}),
      ...logger,
    });
  }
  return openSqljsStore({
    dir: path.join(dataDir, 'db'),
    migrations: loadMigrations(DEFAULT_MIGRATIONS_DIR),
    ...logger,
  });
}

/**
 * What `/readyz` checks for a station (docs/server-mode.md): the store answers a query, and the
 * HSM is unlocked (a locked HSM cannot check CUPS tokens).
 */
export function stationReadiness(
  station: Pick<Station, 'store' | 'hsm'>,
): Record<string, () => Promise<boolean>> {
  return {
    store: async () => (await station.store.read((tx) => tx.get('SELECT 1 AS one'))) !== undefined,
    hsm: async () => !(await station.hsm.status()).locked,
  };
}
