/**
 * Wires the UI side of a station once per process, for both entry points (`gwjs serve` and the
 * Electron main): the station services and the factory line over the open store/HSM/core (the
 * core's clock, batch service and signing keys), the bridge's handler table, and the fastify
 * extension that mounts the HTTP bridge and the built renderer on the HTTPS server.
 */
import { existsSync, readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { createNodeTlsProbe } from '../adapters/net/node-tls-probe';
import type { Core } from '../core/api';
import type { RateLimitRule } from '../core/config';
import type { FactoryLineServices } from '../core/factory-line';
import type { Clock, Hsm, Logger, Store } from '../core/ports';
import {
  createStationServices,
  isLockable,
  type HsmBackendControl,
  type ServerInfo,
  type StationServices,
} from '../core/station';
import type { OperatorServiceOptions } from '../core/station/operators';
import { createHandlers, type HandlerTable } from '../bridge/handlers';
import type { LanDoorControl } from '../bridge/lan-handlers';
import type { NetworkControl } from '../bridge/network-handlers';
import type { CeremonyDoor } from '../bridge/hsm-handlers';
import { registerBridge } from '../bridge/http-bridge';
import { openFactoryLine } from './factory-line';

/** Finds the package root (the folder with gwjs-station's package.json) above `from`. */
export function packageRoot(from: string = dirname(fileURLToPath(import.meta.url))): string {
  let dir = from;
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'gwjs-station') return dir;
      } catch {
        // not ours: keep looking
      }
    }
    const up = dirname(dir);
    if (up === dir) return process.cwd();
    dir = up;
  }
}

/** The built renderer: `$GWJS_RENDERER_DIR`, else `<package>/out/renderer`. */
export function defaultRendererDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.GWJS_RENDERER_DIR || join(packageRoot(), 'out', 'renderer');
}

function packageVersion(): string {
  try {
    return (
      (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version?: string })
        .version ?? '0.0.0'
    );
  } catch {
    return '0.0.0';
  }
}

/** What {@link createStationUi} needs from an open station. */
export interface StationUiDeps {
  core: Core;
  store: Store;
  /** the HSM; when it can be unlocked by passphrase (the software keystore), admins do so in Settings */
  hsm: Hsm;
  /** an open station's switchable HSM (preferred over `hsm`: it follows a backend switch) */
  hsmSwitch?: Hsm | undefined;
  /** switching the backend from Settings; absent = fixed */
  hsmBackend?: HsmBackendControl | undefined;
  /** the key ceremony (the core's); absent = the ceremony channels answer not_configured */
  ceremony?: CeremonyDoor['ceremony'] | undefined;
  /** SHA-256 fingerprints of the server and CA certificates (and the CA PEM: factory bundles carry it) */
  tls: { fingerprint256: string; caFingerprint256: string; caCertPem?: string | undefined };
  /** the join server's own CUPS URI (factory bundles carry it unless a batch names another) */
  cupsUri?: string | undefined;
  logger?: Logger | undefined;
  /** the station's clock (the core's; default: wall clock) */
  clock?: Clock | undefined;
  /** per-address limit of bridge requests (default `DEFAULT_BRIDGE_RATE_LIMIT`; `false` = none) */
  bridgeRateLimit?: RateLimitRule | false | undefined;
  /** operator session and login throttling tunables (defaults: the operator service's) */
  operators?: OperatorServiceOptions | undefined;
  /** the LAN CUPS door's switch (docs/sync.md "The LAN CUPS door") */
  lanDoor?: LanDoorControl | undefined;
  /** the station's network settings (Settings → Network) */
  network?: NetworkControl | undefined;
}

/** The UI side of a station. */
export interface StationUi {
  services: StationServices;
  /** the factory line (docs/factory-line.md); `close()` it before the store to stop running jobs cleanly */
  factory: FactoryLineServices;
  handlers: HandlerTable;
  /** Tells the dashboard where the server listens (after `startServer`). */
  setServerUrls(urls: string[]): void;
  /** For `startServer({extend})`: mounts `/bridge/*` and the renderer at `/`. */
  extendServer(rendererDir?: string): (app: FastifyInstance) => Promise<void>;
  /** First run (no operator yet): a new one-time setup password to print; otherwise null. */
  firstRunPassword(): Promise<string | null>;
  /** Stops background work (factory pre-generation jobs); call after the server closed, before the store. */
  close(): Promise<void>;
}

/** Creates the station's UI services for one process. */
export function createStationUi(input: StationUiDeps): StationUi {
  const deps = { ...input, hsm: input.hsmSwitch ?? input.hsm };
  let urls: string[] = [];
  const serverInfo = (): ServerInfo => ({
    urls,
    tlsFingerprint: deps.tls.fingerprint256,
    caFingerprint: deps.tls.caFingerprint256,
  });
  const clock = deps.clock ?? { now: () => Date.now() };
  const services = createStationServices({
    store: deps.store,
    hsm: deps.hsm,
    clock,
    random: { bytes: (n) => new Uint8Array(randomBytes(n)) },
    probe: createNodeTlsProbe(),
    metrics: () => deps.core.metrics(),
    serverInfo,
    version: packageVersion(),
    hsmControl: isLockable(deps.hsm) ? deps.hsm : undefined,
    hsmBackend: deps.hsmBackend,
    batches: deps.core.batches,
    sync: async () => {
      const s = await deps.core.sync.status();
      return {
        linked: s.linked,
        url: s.url,
        online: s.online,
        lastSuccessAt: s.lastSuccessAt,
        lastError: s.lastError,
        pending: s.counts.pending,
        rejected: s.counts.rejected,
        conflict: s.counts.conflict,
      };
    },
    ...(deps.operators !== undefined ? { operators: deps.operators } : {}),
  });
  const factory = openFactoryLine({
    store: deps.store,
    hsm: deps.hsm,
    core: deps.core,
    clock,
    cupsUri: deps.cupsUri ?? null,
    caCertPem: deps.tls.caCertPem ?? null,
    logger: deps.logger,
  });
  const ceremony = deps.ceremony;
  const handlers = createHandlers({
    core: deps.core,
    station: services,
    factory,
    lanDoor: deps.lanDoor,
    network: deps.network,
    ...(ceremony !== undefined
      ? {
          ceremony: {
            ceremony,
            transcriptPdf: async (t) => (await import('../adapters/ceremony/ceremony-pdf')).transcriptPdf(t),
          },
        }
      : {}),
  });
  return {
    services,
    factory,
    handlers,
    setServerUrls(next) {
      urls = [...next];
    },
    extendServer(rendererDir = defaultRendererDir()) {
      return (app) =>
        registerBridge(app, {
          handlers,
          operators: services.operators,
          rendererDir,
          logger: deps.logger,
          rateLimit: deps.bridgeRateLimit,
        });
    },
    firstRunPassword: () => services.operators.issueSetupPassword(),
    close: () => factory.close(),
  };
}
