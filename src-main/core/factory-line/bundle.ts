/**
 * The factory personalization bundle (SPEC §5) as a pure function of already-derived values, so
 * the line and pre-generation build it without I/O and byte-for-byte like `core/factory.ts`
 * (`gwjs personalize`): same file names, same content, same line endings. A test holds the two
 * equal.
 */
import { bytesToHex } from '../../../src-shared/bytes';
import { euiHex, formatEui64, formatId6 } from '../../../src-shared/ids';
import { formatPin } from '../../../src-shared/pin';
import { BUNDLE_FILES } from '../factory';
import { cupsKeyFileContent, KDF_ID } from '../kdf';

/** Bundle file name → content. */
export type BundleFiles = Record<(typeof BUNDLE_FILES)[number], string>;

/** Files of a bundle that hold a secret (written owner-only). */
export const SECRET_BUNDLE_FILES: ReadonlySet<string> = new Set([
  'gateway.json',
  'cups.key',
  'cups-boot.key',
]);

/** What a bundle is built from. */
export interface BundleInput {
  eui: bigint;
  batchId: string;
  /** 32 bytes; read, not kept */
  gmk: Uint8Array;
  /** 8-symbol PIN (unformatted) */
  pin: string;
  /** CUPS token of the gateway's current generation */
  token: string;
  /** `https://host:port`, already validated */
  cupsUri: string;
  /** PEM of the trust certificate, normalized (one CERTIFICATE block, LF endings) */
  trustPem: string;
}

/**
 * The files of SPEC §5: `cups.uri`/`cups-boot.uri` (the URI + LF), `cups.trust`/`cups-boot.trust`
 * (PEM), `cups.key`/`cups-boot.key` (`Authorization: Bearer <token>` + CRLF), `gateway.json`
 * `{eui, id6, batch, kdf, gmk, claimPin}` and a `station.conf` fragment with `routerid` = the
 * EUI-64 and `euiprefix` `::0`.
 */
export function buildBundleFiles(input: BundleInput): BundleFiles {
  const hex = euiHex(input.eui);
  const id6 = formatId6(input.eui);
  const cupsKey = cupsKeyFileContent(input.token);
  const gatewayJson = {
    eui: hex,
    id6,
    batch: input.batchId,
    kdf: KDF_ID,
    gmk: bytesToHex(input.gmk),
    claimPin: formatPin(input.pin),
  };
  const stationConf = { station_conf: { routerid: formatEui64(input.eui), euiprefix: '::0' } };
  return {
    'cups.uri': `${input.cupsUri}\n`,
    'cups-boot.uri': `${input.cupsUri}\n`,
    'cups.trust': input.trustPem,
    'cups-boot.trust': input.trustPem,
    'cups.key': cupsKey,
    'cups-boot.key': cupsKey,
    'gateway.json': `${JSON.stringify(gatewayJson, null, 2)}\n`,
    'station.conf': `${JSON.stringify(stationConf, null, 2)}\n`,
  };
}
