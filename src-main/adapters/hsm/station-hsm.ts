/**
 * Choosing a station's HSM backend (docs/twin-hsm.md "Backends"): `station.json` remembers which
 * one (`hsm`: software keystore, or a PKCS#11 module + token — never the PIN) and this module opens
 * it, unlocked with the passphrase or PIN given for this run.
 */
import path from 'node:path';
import { DomainError } from '../../../src-shared/errors';
import type { OaepHash } from '../../core/ports';
import { Pkcs11Hsm } from './pkcs11-hsm';
import { resolveSecret } from './secret-source';
import { SoftwareHsm } from './software-hsm';

/** The software keystore in the data directory (the default). */
interface SoftwareHsmSettings {
  backend: 'software';
  /** OAEP hash of new transport keys (default sha256) */
  oaepHash?: OaepHash | undefined;
}

/** A PKCS#11 token: which module and which token (by label or serial); the PIN is never stored. */
interface Pkcs11HsmSettings {
  backend: 'pkcs11';
  module: string;
  tokenLabel?: string | undefined;
  tokenSerial?: string | undefined;
  /** OAEP hash of new transport keys (default sha1: SoftHSM2 unwraps with nothing else) */
  oaepHash?: OaepHash | undefined;
}

/** `station.json` → `hsm`. */
export type HsmSettings = SoftwareHsmSettings | Pkcs11HsmSettings;

/** An opened station HSM: one of the two backends. */
export type StationHsm = SoftwareHsm | Pkcs11Hsm;

/** Keystore file of the software backend in a data directory. */
export const KEYSTORE_FILE = 'keystore.json';

const isOaep = (v: unknown): v is OaepHash => v === 'sha1' || v === 'sha256';

/**
 * Validates the `hsm` member of `station.json` (absent = software).
 * @throws DomainError('store_corrupt') naming what is wrong.
 */
export function parseHsmSettings(v: unknown, file: string): HsmSettings {
  if (v === undefined) return { backend: 'software' };
  const bad = (why: string) => new DomainError('store_corrupt', `${file}: hsm: ${why}`);
  if (typeof v !== 'object' || v === null) throw bad('not an object');
  const o = v as Record<string, unknown>;
  if (o.oaepHash !== undefined && !isOaep(o.oaepHash)) throw bad('oaepHash must be sha1 or sha256');
  const oaep = o.oaepHash as OaepHash | undefined;
  if (o.backend === 'software') return { backend: 'software', ...(oaep ? { oaepHash: oaep } : {}) };
  if (o.backend !== 'pkcs11') throw bad('backend must be software or pkcs11');
  if (typeof o.module !== 'string' || o.module === '') throw bad('module must be the PKCS#11 library path');
  const label = typeof o.tokenLabel === 'string' && o.tokenLabel !== '' ? o.tokenLabel : undefined;
  const serial = typeof o.tokenSerial === 'string' && o.tokenSerial !== '' ? o.tokenSerial : undefined;
  if (label === undefined && serial === undefined) throw bad('tokenLabel or tokenSerial is required');
  return {
    backend: 'pkcs11',
    module: o.module,
    ...(label !== undefined ? { tokenLabel: label } : {}),
    ...(serial !== undefined ? { tokenSerial: serial } : {}),
    ...(oaep ? { oaepHash: oaep } : {}),
  };
}

/** What opens the HSM for this run. */
interface HsmSecrets {
  /** software keystore passphrase */
  passphrase?: string | undefined;
  /** PKCS#11 user PIN */
  pin?: string | undefined;
}

/**
 * Opens the station's HSM. With `init`, a software keystore is created (the passphrase is then
 * required); a PKCS#11 token must then be present and accept the PIN. Without `init`, the HSM is
 * unlocked when its secret is given and stays locked otherwise.
 */
export async function openStationHsm(
  dataDir: string,
  settings: HsmSettings,
  secrets: HsmSecrets,
  options: { init?: boolean; scryptN?: number | undefined } = {},
): Promise<StationHsm> {
  if (settings.backend === 'pkcs11') {
    if (options.init === true && secrets.pin === undefined) {
      throw new DomainError('hsm_locked', 'no token PIN: give --pin-file FILE or set $GWJS_HSM_PIN', {
        field: 'pin',
      });
    }
    const hsm = Pkcs11Hsm.open({
      module: settings.module,
      tokenLabel: settings.tokenLabel,
      tokenSerial: settings.tokenSerial,
      oaepHash: settings.oaepHash,
    });
    if (secrets.pin !== undefined) {
      try {
        await hsm.unlock(secrets.pin);
      } catch (e) {
        await hsm.close();
        throw e;
      }
    }
    return hsm;
  }
  const hsm = await SoftwareHsm.open(path.join(dataDir, KEYSTORE_FILE), {
    ...(options.scryptN !== undefined ? { scryptN: options.scryptN } : {}),
    ...(settings.oaepHash !== undefined ? { oaepHash: settings.oaepHash } : {}),
  });
  if (options.init === true) {
    if (secrets.passphrase === undefined) {
      throw new DomainError(
        'hsm_locked',
        'no HSM passphrase: give --hsm-passphrase-file FILE or set $GWJS_HSM_PASSPHRASE',
      );
    }
    await hsm.initialize(secrets.passphrase);
  } else if (secrets.passphrase !== undefined) {
    await hsm.unlock(secrets.passphrase);
  }
  return hsm;
}

/** Locks the HSM and releases what it holds (the PKCS#11 module). */
export async function closeStationHsm(hsm: StationHsm): Promise<void> {
  if (hsm instanceof Pkcs11Hsm) await hsm.close();
  else hsm.lock();
}

/**
 * The PKCS#11 user PIN for non-interactive runs: `--pin-file` (first line), else `$GWJS_HSM_PIN`;
 * undefined when neither is given (the HSM stays locked until unlocked in the UI). Never a plain
 * argument.
 * @throws DomainError('invalid_request') when the file cannot be read or is empty.
 */
export function resolvePin(sources: {
  file?: string | undefined;
  env?: NodeJS.ProcessEnv;
}): string | undefined {
  return resolveSecret({
    ...sources,
    flag: '--pin-file',
    variable: 'GWJS_HSM_PIN',
    take: (text) => text.split(/\r?\n/)[0] ?? '',
    field: 'pin-file',
  });
}
