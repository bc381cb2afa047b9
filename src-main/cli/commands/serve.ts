/**
 * `gwjs serve` (SPEC §7): runs the join server — Owner API and CUPS over HTTPS — on the station's
 * data directory. Holds the store lock while running; SIGINT/SIGTERM close the server, then the
 * store (checkpoint) and the HSM. Logs are JSON lines on stderr, or appended to `$GWJS_LOG_FILE`
 * when set (`npm start` sets it, docs/running.md, so the console keeps only the lines a person
 * reads); with `--json` stdout carries exactly one line, `{"event":"listening","url":…,"caCert":…}`.
 */
import type { Server as HttpsServer } from 'node:https';
import type { Logger } from '../../core/ports';
import { DomainError } from '../../../src-shared/errors';
import { httpsUrl } from '../../../src-shared/uri';
import { UsageError, optionalString, stringList, type Command } from '../command';
import { readInputFile } from '../read-input';
import { freePort } from '../free-port';
import { parseHost, parsePort } from './init';

/** Resolves once SIGINT or SIGTERM arrives (a second signal exits at once). */
function untilSignal(io: { stderr(t: string): void }): Promise<string> {
  return new Promise((resolve) => {
    const onSignal = (sig: NodeJS.Signals) => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      const force = () => {
        io.stderr('gwjs: second signal, exiting without a clean shutdown\n');
        process.exit(1);
      };
      process.once('SIGINT', force);
      process.once('SIGTERM', force);
      resolve(sig);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}

/** A positive whole number flag, or undefined when absent. @throws DomainError('invalid_request') */
function positiveWhole(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < 1) {
    throw new DomainError(
      'invalid_request',
      `${flag}: ${JSON.stringify(value)} is not a positive whole number`,
    );
  }
  return n;
}

export const serveCommand: Command = {
  name: 'serve',
  summary: 'run the join server: Owner API + CUPS over HTTPS',
  usage:
    '[--host H] [--port P] [--public-host NAME…] [--lan ADDRESS [--lan-port P]] [--client-ca FILE…] [--max-connections N] [--tls-handshake-timeout S]',
  help: [
    '  --host H                   listen address (default from init, 127.0.0.1)',
    '  --port P                   HTTPS port (default from init, 8443; 0 = any free port)',
    '  --public-host NAME         extra name/address the server certificate must cover (repeatable)',
    '  --lan ADDRESS              also open the CUPS door (and Owner API) on this LAN address of the',
    '                             machine, with its own certificate from the station’s CA (docs/sync.md);',
    '                             without it the door the Sync screen saved is reopened; --lan overrides',
    '                             that choice for this run (and says so)',
    '  --lan-port P               port of the LAN door (default 8443)',
    '  --client-ca FILE           PEM CA whose gateway client certificates CUPS accepts, besides the',
    '                             station’s own CA (repeatable; SPEC §3.1 certificate mode)',
    '  --max-connections N        connections held at once, more are refused (default 10000)',
    '  --tls-handshake-timeout S  seconds a connection may take to finish TLS (default 10)',
  ],
  options: {
    host: { type: 'string' },
    port: { type: 'string' },
    'public-host': { type: 'string', multiple: true },
    lan: { type: 'string' },
    'lan-port': { type: 'string' },
    'client-ca': { type: 'string', multiple: true },
    'max-connections': { type: 'string' },
    'tls-handshake-timeout': { type: 'string' },
  },
  positionals: { min: 0, max: 0 },
  access: 'write',
  async run(args, io) {
    // heavy modules load only when serving, so the other commands start fast
    const [
      { default: pino },
      { startServer },
      { createStationUi },
      { explainBusy, stationOptionsOf },
      { openStation, readSettings, stationReadiness },
      { LanDoor, DEFAULT_LAN_PORT },
      { LocalDoor },
      { applyCupsUri, NetworkSettings, shownHostOf },
    ] = await Promise.all([
      import('pino'),
      import('../../adapters/http/server'),
      import('../../compose/station-ui'),
      import('../open'),
      import('../../compose/station'),
      import('../../compose/lan-door'),
      import('../../compose/local-door'),
      import('../../compose/network-settings'),
    ]);
    const base = stationOptionsOf(args, io);
    // a token station is unlocked with its PIN (--pin-file, $GWJS_HSM_PIN, or later in Settings)
    const backend = (await readSettings(base.dataDir).catch(() => undefined))?.hsm?.backend ?? 'software';
    if (base.passphrase === undefined && backend === 'software') {
      throw new DomainError(
        'hsm_locked',
        'serve needs the HSM passphrase to check gateway tokens: give --hsm-passphrase-file FILE or set $GWJS_HSM_PASSPHRASE',
      );
    }
    const clientCaPems = stringList(args, 'client-ca').map((file) => {
      const text = readInputFile(file, '--client-ca').toString('utf8');
      if (!text.includes('-----BEGIN CERTIFICATE-----')) {
        throw new DomainError(
          'invalid_request',
          `--client-ca: ${JSON.stringify(file)} holds no PEM certificate`,
        );
      }
      return text;
    });
    const hostFlag = parseHost(optionalString(args, 'host'));
    const lanFlag = optionalString(args, 'lan');
    const lanPort = parsePort(optionalString(args, 'lan-port'), '--lan-port', true);
    if (lanFlag === undefined && lanPort !== undefined)
      throw new UsageError('--lan-port: only with --lan ADDRESS');
    const portFlag = parsePort(optionalString(args, 'port'), '--port', true);
    const maxConnections = positiveWhole(optionalString(args, 'max-connections'), '--max-connections');
    const handshakeS = positiveWhole(
      optionalString(args, 'tls-handshake-timeout'),
      '--tls-handshake-timeout',
    );
    const transport = {
      ...(maxConnections !== undefined ? { maxConnections } : {}),
      ...(handshakeS !== undefined ? { tlsHandshakeTimeoutMs: handshakeS * 1000 } : {}),
    };
    const logFile = io.env.GWJS_LOG_FILE;
    const logger: Logger = pino(
      { base: null, level: io.env.GWJS_LOG_LEVEL ?? 'info' },
      pino.destination(logFile ? { dest: logFile, mkdir: true, append: true } : 2),
    );
    if (logFile) io.stderr(`gwjs: log lines go to ${logFile}\n`);

    const port = portFlag === 0 ? await freePort(hostFlag ?? '127.0.0.1') : portFlag;
    let station;
    try {
      station = await openStation({
        ...base,
        publicHosts: stringList(args, 'public-host'),
        port,
        logger,
        clientCaPems,
      });
    } catch (e) {
      throw explainBusy(e, base.dataDir, base.db);
    }
    const host = hostFlag ?? station.settings.host;
    const lanDoor = new LanDoor({
      dataDir: station.dataDir,
      core: station.core,
      logger,
      clientCaPems,
      transport,
      persist: true,
    });
    let server: Awaited<ReturnType<typeof startServer>> | undefined;
    // Settings → Network: saved in station.json; a re-issued certificate is used at once
    const flagPublicHosts = stringList(args, 'public-host');
    const network = new NetworkSettings({
      dataDir: station.dataDir,
      running: { host, port: port ?? station.settings.port, cupsUri: station.cupsUri },
      onCertificate: (tls) => {
        (server?.app.server as HttpsServer | undefined)?.setSecureContext({
          cert: tls.certPem,
          key: tls.keyPem,
          ca: [station.tls.caCertPem, ...clientCaPems],
        });
        void localDoor.certificateChanged(tls.fingerprint256);
      },
      // saved public hosts and CUPS URI apply at once (docs/station-ui.md "Network")
      onApplied: (live) => {
        applyCupsUri(station, ui.factory, live.cupsUri);
        if (server !== undefined) {
          const shown = shownHostOf(host, [], live.publicHosts) ?? host;
          ui.setServerUrls([
            httpsUrl(shown, server.port),
            ...(lanDoor.cupsUri !== null ? [lanDoor.cupsUri] : []),
          ]);
        }
      },
    });
    const ui = createStationUi({ ...station, ceremony: station.core.ceremony, logger, lanDoor, network });
    // read-only CLI commands on this machine go through the server while it holds the store
    const localDoor = new LocalDoor({
      station,
      factory: ui.factory,
      fingerprint256: station.tls.fingerprint256,
    });
    const extendUi = ui.extendServer();
    try {
      const wildcard = host === '0.0.0.0' || host === '::';
      server = await startServer({
        extend: async (app) => {
          localDoor.register(app);
          await extendUi(app);
        },
        core: station.core,
        tls: {
          certPem: station.tls.certPem,
          keyPem: station.tls.keyPem,
          caCertPem: station.tls.caCertPem,
          clientCaPems,
        },
        host,
        transport,
        port: port ?? station.settings.port,
        // the printed URL names this run's first public host, else (on every interface) the saved
        // first one: a wildcard address is no URL host (docs/running.md)
        publicHost: shownHostOf(host, flagPublicHosts, station.settings.publicHosts),
        ops: { readiness: stationReadiness(station), store: station.store },
        logger,
      });
      if (lanFlag !== undefined) {
        // --lan is this run's choice: the saved one (Sync → LAN CUPS door) stays for the next start
        const door = await lanDoor.override(lanFlag, lanPort ?? DEFAULT_LAN_PORT).catch((e: unknown) => {
          throw e instanceof DomainError && e.code === 'invalid_request'
            ? new DomainError('invalid_request', `--lan: ${e.message.replace(/^address: /, '')}`)
            : e;
        });
        if (door.saved !== null)
          io.stderr(
            `gwjs: --lan overrides the saved LAN door choice (${door.saved.open ? 'open' : 'closed'}, ${door.saved.address}:${door.saved.port}) for this run; the saved choice stays\n`,
          );
      } else {
        // the operator's saved choice; an address gone from this machine leaves the door closed
        const door = await lanDoor.restore();
        if (door.startError !== null)
          io.stderr(`gwjs: ${door.startError}; starting without the LAN door (shown on the Sync screen)\n`);
      }
      // the local door is reached on the address listened on, not the public name
      await localDoor.publish(httpsUrl(host, server.port), wildcard);
    } catch (e) {
      await localDoor.close();
      await server?.close();
      await station.close();
      throw e;
    }
    // gateways are pointed at the LAN door when it is open (docs/sync.md "The LAN CUPS door")
    const cupsUri = lanDoor.cupsUri ?? station.cupsUri;
    // handlers first: a supervisor may send SIGTERM the moment it reads the listening line
    const stopped = untilSignal(io);
    const listening = {
      event: 'listening',
      url: server.url,
      caCert: station.tls.caCertPath,
      cupsUri,
      ...(lanDoor.view().active !== null ? { lan: lanDoor.view().active } : {}),
    };
    io.stdout(
      args.json
        ? `${JSON.stringify(listening)}\n`
        : `gwjs: listening on ${server.url} (CUPS URI ${cupsUri}; CA certificate ${station.tls.caCertPath})\n` +
            (lanDoor.cupsUri !== null
              ? `gwjs: LAN CUPS door ${lanDoor.cupsUri}: point gateways there (cups.uri) with cups.trust = ${station.tls.caCertPath}\n`
              : ''),
    );
    ui.setServerUrls([server.url, ...(lanDoor.cupsUri !== null ? [lanDoor.cupsUri] : [])]);
    // docs/sync.md: with a remote link, the sync loop runs while the server does
    station.core.sync.startLoop();
    const setupPassword = await ui.firstRunPassword();
    io.stderr(
      `gwjs: station UI: open ${server.url}/ in a browser (trust ${station.tls.caCertPath} or accept its certificate)\n` +
        (setupPassword
          ? `gwjs: first run — create the first operator there with this one-time setup password: ${setupPassword}\n`
          : ''),
    );
    logger.info({ url: server.url, dataDir: station.dataDir }, 'listening');
    const signal = await stopped;
    logger.info({ signal }, 'shutting down');
    try {
      await localDoor.close();
      await lanDoor.close();
      await server.close();
      await ui.close();
    } finally {
      await station.close();
    }
    logger.info({}, 'stopped');
    return undefined;
  },
};
