/**
 * The factory personalization bundle (SPEC §5) — the one place its layout is written down. Every
 * door that personalizes (`core.factory.personalize` for `gwjs personalize` and the Owner API, the
 * factory line's scan, pre-generation jobs) builds its files here, so a unit made on the line and
 * one made by `gwjs personalize` carry the same files with the same bytes.
 *
 * - {@link buildBundle} is pure: already-derived values in, files out.
 * - {@link deriveBundle} derives the values through the HSM (SPEC §2) and calls it; the GMK lives
 *   only while the bundle is built and is zeroed afterwards.
 * - {@link bundleFileList} is what writers store: every file (text and binary) with its secrecy.
 */
import { bytesToHex } from '../../src-shared/bytes';
import { euiHex, formatEui64, formatId6 } from '../../src-shared/ids';
import { formatPin } from '../../src-shared/pin';
import type { Bundle } from './api';
import { claimPinFromGmk, cupsKeyFileContent, cupsTokenFromGmk, deriveGmk, KDF_ID } from './kdf';
import type { Hsm, KeyHandle } from './ports';

/** File names of a token-mode bundle (SPEC §5). */
export const BUNDLE_FILES = [
  'cups.uri',
  'cups-boot.uri',
  'cups.trust',
  'cups-boot.trust',
  'cups.key',
  'cups-boot.key',
  'gateway.json',
  'station.conf',
] as const;

/** Files a client-certificate bundle has in addition (its `cups.key` holds the private key). */
export const CERT_BUNDLE_FILES = ['cups.crt', 'cups-boot.crt'] as const;

/** The station's update-signing public key in a bundle (SPEC §3.4: slot 0). */
export const SIGNING_KEY_FILE = 'sig-0.key';

/** Files of a bundle that hold a secret (the GMK, the token or the private key): owner-only. */
export const SECRET_BUNDLE_FILES: ReadonlySet<string> = new Set([
  'gateway.json',
  'cups.key',
  'cups-boot.key',
]);

/** A client certificate a bundle authenticates with (SPEC §3.1), issued by the station's CA. */
export interface BundleClientCertificate {
  certPem: string;
  /** SEC1 PEM (`EC PRIVATE KEY`), as the station reads it (SPEC §3.3) */
  keyPem: string;
  /** SHA-256 fingerprint of the certificate */
  fingerprint: string;
}

/** What goes into a bundle besides the derived secrets. */
export interface BundleOptions {
  /** `https://host:port`, already validated */
  cupsUri: string;
  /** PEM of the trust certificate, normalized (one CERTIFICATE block, LF endings) */
  trustPem: string;
  /** present: the bundle authenticates by this certificate instead of the token */
  clientCertificate?: BundleClientCertificate | undefined;
  /** present: the station's 64-byte update-signing public key, written as `sig-0.key` */
  signingKey?: Uint8Array | undefined;
}

/** Everything a bundle is built from. */
export interface BundleInput extends BundleOptions {
  eui: bigint;
  batchId: string;
  /** 32 bytes; read, not kept */
  gmk: Uint8Array;
  /** 8-symbol PIN, unformatted */
  pin: string;
  /** CUPS token of the gateway's current generation (unused with a client certificate) */
  token: string;
}

/**
 * The bundle of SPEC §5: `cups.uri`/`cups-boot.uri` (the URI + LF), `cups.trust`/`cups-boot.trust`
 * (PEM), `cups.key`/`cups-boot.key` (`Authorization: Bearer <token>` + CRLF — or, with a client
 * certificate, its SEC1 key beside `cups.crt`/`cups-boot.crt`), `gateway.json`
 * `{eui, id6, batch, kdf, gmk, claimPin}` (the only file holding the GMK), a `station.conf`
 * fragment with `routerid` = the EUI-64 and `euiprefix` `::0`, and `sig-0.key` when a signing key
 * is given.
 */
export function buildBundle(input: BundleInput): Bundle {
  const hex = euiHex(input.eui);
  const id6 = formatId6(input.eui);
  const pin = formatPin(input.pin);
  const cert = input.clientCertificate;
  const cupsKey = cert === undefined ? cupsKeyFileContent(input.token) : cert.keyPem;
  const gatewayJson = {
    eui: hex,
    id6,
    batch: input.batchId,
    kdf: KDF_ID,
    gmk: bytesToHex(input.gmk),
    claimPin: pin,
  };
  const stationConf = { station_conf: { routerid: formatEui64(input.eui), euiprefix: '::0' } };
  const files: Record<string, string> = {
    'cups.uri': `${input.cupsUri}\n`,
    'cups-boot.uri': `${input.cupsUri}\n`,
    'cups.trust': input.trustPem,
    'cups-boot.trust': input.trustPem,
    'cups.key': cupsKey,
    'cups-boot.key': cupsKey,
    'gateway.json': `${JSON.stringify(gatewayJson, null, 2)}\n`,
    'station.conf': `${JSON.stringify(stationConf, null, 2)}\n`,
  };
  const bundle: Bundle = { eui: hex, id6, pin, files, auth: cert === undefined ? 'token' : 'client-cert' };
  if (cert !== undefined) {
    for (const name of CERT_BUNDLE_FILES) files[name] = cert.certPem;
    bundle.certificateFingerprint = cert.fingerprint;
  }
  if (input.signingKey !== undefined) bundle.binaryFiles = { [SIGNING_KEY_FILE]: input.signingKey };
  return bundle;
}

/**
 * Derives a gateway's GMK through the HSM (SPEC §2), its claim PIN and the CUPS token of
 * `generation`, and builds its bundle. The GMK is zeroed before this returns.
 * @throws DomainError('hsm_locked' | 'hsm_error') from the HSM.
 */
export async function deriveBundle(
  hsm: Hsm,
  batch: { id: string; brkHandle: KeyHandle },
  eui: bigint,
  generation: number,
  options: BundleOptions,
): Promise<Bundle> {
  const gmk = await deriveGmk(hsm, batch.brkHandle, eui);
  try {
    const pin = claimPinFromGmk(gmk);
    const token = cupsTokenFromGmk(gmk, generation);
    return buildBundle({ ...options, eui, batchId: batch.id, gmk, pin, token });
  } finally {
    gmk.fill(0);
  }
}

/** The claim PIN of `eui` (8 symbols, unformatted) re-derived through the HSM; the GMK is zeroed. */
export async function derivePin(hsm: Hsm, brkHandle: KeyHandle, eui: bigint): Promise<string> {
  const gmk = await deriveGmk(hsm, brkHandle, eui);
  try {
    return claimPinFromGmk(gmk);
  } finally {
    gmk.fill(0);
  }
}

/** One file of a bundle as a writer stores it. */
export interface BundleFile {
  name: string;
  data: string | Uint8Array;
  /** holds a secret: written owner-only */
  secret: boolean;
}

/** Every file of a bundle — text and binary — sorted by name, each marked secret or not. */
export function bundleFileList(bundle: Bundle): BundleFile[] {
  const all: Array<[string, string | Uint8Array]> = [
    ...Object.entries(bundle.files),
    ...Object.entries(bundle.binaryFiles ?? {}),
  ];
  return all
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, data]) => ({ name, data, secret: SECRET_BUNDLE_FILES.has(name) }));
}
