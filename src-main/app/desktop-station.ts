/**
 * Composition root of the desktop app (docs/architecture.md), free of `electron` so it runs under
 * tests: the station of the data directory (created on first start exactly as `npm start` does), the
 * join server on its configured address with the HTTP bridge and renderer mounted (browsers on the
 * LAN can use the UI too), the UI services, and an ordered, once-only shutdown.
 */
import type { Server as HttpsServer } from 'node:https';
import { startServer, type RunningServer } from '../adapters/http/server';
import { DESKTOP_CALLER, type BridgeCaller } from '../bridge/caller';
import { createStationUi, type StationUi } from '../compose/station-ui';
import { applyCupsUri, NetworkSettings, shownHostOf } from '../compose/network-settings';
import { httpsUrl } from '../../src-shared/uri';
import { LanDoor } from '../compose/lan-door';
import { prepareStation } from '../compose/first-start';
import type { StationIo } from '../compose/io';
import { openStation, passphraseFor, type Station } from '../compose/station';
import type { Logger } from '../core/ports';
import { DomainError } from '../../src-shared/errors';

/** Options of {@link openDesktopStation}. */
interface DesktopStationOptions {
  /** user arguments (`--data`, `--hsm-passphrase-file`, `--port`, …), as for `npm start` */
  argv: readonly string[];
  io: StationIo;
  /** default data directory when neither `--data` nor `$GWJS_DATA` is given (Electron: userData) */
  defaultDataDir?: string | undefined;
  rendererDir: string;
  logger?: Logger | undefined;
  /** listen port override (tests: 0) */
  port?: number | undefined;
}

/** A running desktop station. */
export interface DesktopStation {
  station: Station;
  ui: StationUi;
  server: RunningServer;
  /** who the window acts as */
  caller: BridgeCaller;
  /** first run: the one-time password for browser logins through the HTTP bridge */
  setupPassword: string | null;
  /** Closes the server (no new requests), stops background jobs, then the station (core, store checkpoint, HSM lock). */
  close(): Promise<void>;
}

function flagValue(argv: readonly string[], name: string): string | undefined {
  const i = argv.indexOf(`--${name}`);
  if (i >= 0) return argv[i + 1];
  const eq = argv.find((a) => a.startsWith(`--${name}=`));
  return eq?.slice(name.length + 3);
}

/** Opens (creating on first start) the station and starts its server. */
export async function openDesktopStation(options: DesktopStationOptions): Promise<DesktopStation> {
  const env = options.io.env;
  const argv =
    flagValue(options.argv, 'data') === undefined && !env.GWJS_DATA && options.defaultDataDir
      ? ['--data', options.defaultDataDir, ...options.argv]
      : [...options.argv];
  const { dataDir } = await prepareStation(argv, options.io);
  const portArg = flagValue(argv, 'port');
  const station = await openStation({
    dataDir,
    ...(portArg !== undefined ? { port: Number(portArg) } : {}),
    passphrase: passphraseFor(dataDir, flagValue(argv, 'hsm-passphrase-file'), env),
    logger: options.logger,
  });
  let server: RunningServer | undefined;
  // the LAN CUPS door: the UI's switch opens it (docs/sync.md "The LAN CUPS door")
  const lanDoor = new LanDoor({
    dataDir: station.dataDir,
    core: station.core,
    logger: options.logger,
    persist: true,
  });
  // Settings → Network (docs/station-ui.md "Network"): a re-issued certificate is used at once
  // flags > saved settings (docs/running.md)
  const host = flagValue(argv, 'host') ?? station.settings.host;
  const portFlag = flagValue(argv, 'port');
  const configuredPort = portFlag !== undefined ? Number(portFlag) : station.settings.port;
  // options.port is a test override of the listener only; URIs keep the configured port
  const port = options.port ?? configuredPort;
  const network = new NetworkSettings({
    dataDir: station.dataDir,
    running: { host, port: configuredPort, cupsUri: station.cupsUri },
    onCertificate: (tls) =>
      (server?.app.server as HttpsServer | undefined)?.setSecureContext({
        cert: tls.certPem,
        key: tls.keyPem,
        ca: [station.tls.caCertPem],
      }),
    // saved public hosts and CUPS URI apply at once; the listen address at the next start
    onApplied: (live) => {
      applyCupsUri(station, ui.factory, live.cupsUri);
      if (server !== undefined) {
        const shown = shownHostOf(host, [], live.publicHosts) ?? host;
        ui.setServerUrls([httpsUrl(shown, server.port)]);
      }
    },
  });
  const ui = createStationUi({
    ...station,
    ceremony: station.core.ceremony,
    logger: options.logger,
    lanDoor,
    network,
  });
  try {
    server = await startServer({
      core: station.core,
      tls: { certPem: station.tls.certPem, keyPem: station.tls.keyPem, caCertPem: station.tls.caCertPem },
      host,
      port,
      // a wildcard listen address is shown with the first public host (docs/running.md)
      publicHost: shownHostOf(host, [], station.settings.publicHosts),
      logger: options.logger,
      extend: ui.extendServer(options.rendererDir),
    });
  } catch (e) {
    await station.close();
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') {
      throw new DomainError(
        'conflict',
        `port ${station.settings.port} is in use: is \`gwjs serve\` already running? (--port chooses another)`,
      );
    }
    throw e;
  }
  // the operator's saved choice (station.json); a failure is shown on the Sync screen, not fatal
  await lanDoor.restore();
  ui.setServerUrls([server.url, ...(lanDoor.cupsUri !== null ? [lanDoor.cupsUri] : [])]);
  const setupPassword = await ui.firstRunPassword();
  let closing: Promise<void> | undefined;
  return {
    station,
    ui,
    server,
    caller: DESKTOP_CALLER,
    setupPassword,
    close: () =>
      (closing ??= (async () => {
        try {
          await lanDoor.close();
          await server.close();
          await ui.close();
        } finally {
          await station.close();
        }
      })()),
  };
}
