/**
 * `gwjs init` (SPEC §7): creates the data directory — store, software HSM, local CA and server
 * certificate, and the first admin API key (shown once).
 */
import { isIP } from 'node:net';
import type { HsmSettings } from '../../adapters/hsm/station-hsm';
import { optionalString, stringList, UsageError, type CommandArgs, type Command } from '../command';

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

/** The HSM backend flags of `init` (docs/twin-hsm.md "Backends"). */
function parseHsmFlags(args: CommandArgs): HsmSettings {
  const backend = optionalString(args, 'hsm') ?? 'software';
  const oaep = optionalString(args, 'oaep-hash');
  if (oaep !== undefined && oaep !== 'sha1' && oaep !== 'sha256') {
    throw new UsageError(`--oaep-hash: "${oaep}" is not sha1 or sha256`);
  }
  const oaepHash = oaep as 'sha1' | 'sha256' | undefined;
  const module = optionalString(args, 'pkcs11-module');
  const tokenLabel = optionalString(args, 'token-label');
  const tokenSerial = optionalString(args, 'token-serial');
  if (backend === 'software') {
    if (module ?? tokenLabel ?? tokenSerial) {
      throw new UsageError('--pkcs11-module, --token-label, --token-serial: only with --hsm pkcs11');
    }
    return { backend: 'software', ...(oaepHash ? { oaepHash } : {}) };
  }
  if (backend !== 'pkcs11') throw new UsageError(`--hsm: "${backend}" is not software or pkcs11`);
  if (module === undefined)
    throw new UsageError('--pkcs11-module: required with --hsm pkcs11 (the PKCS#11 library path)');
  if (tokenLabel === undefined && tokenSerial === undefined) {
    throw new UsageError('--token-label or --token-serial: required with --hsm pkcs11');
  }
  return {
    backend: 'pkcs11',
    module,
    ...(tokenLabel !== undefined ? { tokenLabel } : {}),
    ...(tokenSerial !== undefined ? { tokenSerial } : {}),
    ...(oaepHash ? { oaepHash } : {}),
  };
}

export const initCommand: Command = {
  name: 'init',
  summary:
    'create a station: store, HSM (software or PKCS#11 token), local CA + server certificate, first admin API key',
  usage:
    '[--public-host NAME…] [--host H] [--port P] [--hsm software|pkcs11 --pkcs11-module PATH --token-label L|--token-serial S] [--oaep-hash sha1|sha256]',
  help: [
    '  --public-host NAME         name or address gateways use to reach this server (repeatable; the first',
    '                             goes into cups.uri of every bundle; default localhost)',
    '  --host H                   listen address of `gwjs serve` (default 127.0.0.1)',
    '  --port P                   HTTPS port of `gwjs serve` and of cups.uri (default 8443)',
    '  --hsm software|pkcs11      HSM backend (default software: a keystore sealed with the passphrase)',
    '  --pkcs11-module PATH       PKCS#11 library (e.g. /usr/lib/softhsm/libsofthsm2.so, opensc-pkcs11.so)',
    '  --token-label L            the token by label (or --token-serial S); the PIN comes from --pin-file',
    '                             or $GWJS_HSM_PIN and is never stored',
    '  --oaep-hash sha1|sha256    hash of RSA-OAEP transport keys (default: sha1 on PKCS#11, sha256 software)',
  ],
  options: {
    'public-host': { type: 'string', multiple: true },
    host: { type: 'string' },
    port: { type: 'string' },
    hsm: { type: 'string' },
    'pkcs11-module': { type: 'string' },
    'token-label': { type: 'string' },
    'token-serial': { type: 'string' },
    'oaep-hash': { type: 'string' },
  },
  positionals: { min: 0, max: 0 },
  access: 'write',
  async run(args, io) {
    const init = {
      publicHosts: stringList(args, 'public-host'),
      host: parseHost(optionalString(args, 'host')),
      port: parsePort(optionalString(args, 'port'), '--port'),
      hsm: parseHsmFlags(args),
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
            hsm: (await station.hsm.status()).kind,
          },
          text: newStationText(station, key),
        };
      },
      { init },
    );
  },
};
