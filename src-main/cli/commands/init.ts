/**
 * `gwjs init` (SPEC §7): creates the data directory — store, software HSM, local CA and server
 * certificate, and the first admin API key (shown once).
 */
import { isIP } from 'node:net';
import { optionalString, stringList, UsageError, type Command } from '../command';

/** Parses a TCP port flag (1–65535; 0 only where `allowZero`). */
export function parsePort(text: string | undefined, flag: string, allowZero = false): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!/^[0-9]{1,5}$/.test(text) || n > 65535 || (n === 0 && !allowZero)) {
    throw new UsageError(`${flag}: "${text}" is not a port (1–65535)`);
  }
  return n;
}

/** Checks a listen address flag. */
export function parseHost(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  if (isIP(text) === 0 && !/^[A-Za-z0-9.-]+$/.test(text))
    throw new UsageError(`--host: "${text}" is not an address`);
  return text;
}

export const initCommand: Command = {
  name: 'init',
  summary: 'create a station: store, software HSM, local CA + server certificate, first admin API key',
  usage: '[--public-host NAME…] [--host H] [--port P]',
  help: [
    '  --public-host NAME         name or address gateways use to reach this server (repeatable; the first',
    '                             goes into cups.uri of every bundle; default localhost)',
    '  --host H                   listen address of `gwjs serve` (default 127.0.0.1)',
    '  --port P                   HTTPS port of `gwjs serve` and of cups.uri (default 8443)',
  ],
  options: {
    'public-host': { type: 'string', multiple: true },
    host: { type: 'string' },
    port: { type: 'string' },
  },
  positionals: { min: 0, max: 0 },
  async run(args, io) {
    const init = {
      publicHosts: stringList(args, 'public-host'),
      host: parseHost(optionalString(args, 'host')),
      port: parsePort(optionalString(args, 'port'), '--port'),
    };
    const [{ withStation }, { finishInit, newStationText }] = await Promise.all([
      import('../open'),
      import('../../compose/station'),
    ]);
    return withStation(
      args,
      io,
      async (station) => {
        const key = await finishInit(station);
        return {
          json: {
            adminKey: key.apiKey,
            adminKeyId: key.apiKeyId,
            caCert: station.tls.caCertPath,
            caFingerprint256: station.tls.caFingerprint256,
            dataDir: station.dataDir,
            cupsUri: station.cupsUri,
          },
          text: newStationText(station, key),
        };
      },
      { init },
    );
  },
};
