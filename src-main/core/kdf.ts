/**
 * Key hierarchy KDF v1 (SPEC §2). All MACs are HMAC-SHA256; labels are ASCII; `EUI` is the 8-byte
 * big-endian EUI-64. Only the first step (BRK → GMK) needs the HSM; everything below the GMK is
 * pure and runs in the process, because the gateway holds its GMK and derives the same values.
 *
 * ```
 * KCV   = hex(HMAC(BRK, "GWJS-KCV-v1")[0..3])                  6 uppercase hex
 * GMK   = HMAC(BRK, "GWJS-GMK-v1" ‖ EUI)                         32 bytes
 * PIN   = Crockford32(HMAC(GMK, "GWJS-PIN-v1")[0..5])            8 symbols
 * token = base64url_nopad(HMAC(GMK, "GWJS-CUPS-v1" ‖ u32be(g)))  43 chars
 * ```
 */
import { createHmac } from 'node:crypto';
import { ascii, base64UrlNoPad, bytesToHex, concatBytes, u32be } from '../../src-shared/bytes';
import { DomainError } from '../../src-shared/errors';
import { idToBytes } from '../../src-shared/ids';
import { crockford32 } from '../../src-shared/pin';
import type { Hsm, KeyHandle } from './ports';

/** Name of this key hierarchy, stored with every batch. */
export const KDF_ID = 'GWJS-v1';
/** Label of the key check value (SPEC §2). */
const LABEL_KCV = 'GWJS-KCV-v1';
/** Label of the gateway master key derivation (SPEC §2). */
const LABEL_GMK = 'GWJS-GMK-v1';
/** Label of the claim PIN derivation (SPEC §2). */
const LABEL_PIN = 'GWJS-PIN-v1';
/** Label of the CUPS token derivation (SPEC §2). */
const LABEL_CUPS = 'GWJS-CUPS-v1';

/** Bytes the HSM MACs to compute a KCV (a fresh copy each call, so no caller can alter it). */
export function kcvInput(): Uint8Array {
  return ascii(LABEL_KCV);
}

/** Size of a batch root key (BRK) in bytes (SPEC §2: 32 random bytes). */
export const ROOT_KEY_BYTES = 32;
/** Size of a GMK in bytes. */
const GMK_BYTES = 32;
/** Length of a CUPS token (base64url of 32 bytes, no padding). */
export const CUPS_TOKEN_LENGTH = 43;
/** Largest token generation (`u32be(g)`). */
export const MAX_TOKEN_GENERATION = 0xffff_ffff;

const GMK_PREFIX = ascii(LABEL_GMK);
const PIN_INPUT = ascii(LABEL_PIN);
const CUPS_PREFIX = ascii(LABEL_CUPS);

/**
 * KCV from `HMAC(BRK, "GWJS-KCV-v1")`: the first 3 bytes as 6 uppercase hex (SPEC §2).
 * @throws RangeError when `mac` is shorter than 3 bytes.
 */
export function kcvOf(mac: Uint8Array): string {
  if (mac.length < 3) throw new RangeError(`kcv: MAC has ${mac.length} bytes, need at least 3`);
  return bytesToHex(mac.subarray(0, 3), true);
}

/**
 * GMK of gateway `eui` under the batch root key `brk`: `HMAC(BRK, "GWJS-GMK-v1" ‖ EUI)` computed
 * inside the HSM (SPEC §2). Returns 32 new bytes owned by the caller, who should zero them after use.
 * @throws DomainError('invalid_id') for an EUI outside 0 … 2^64−1; HSM errors (e.g. 'hsm_locked') pass through.
 */
export async function deriveGmk(hsm: Hsm, brk: KeyHandle, eui: bigint): Promise<Uint8Array> {
  let euiBytes: Uint8Array;
  try {
    euiBytes = idToBytes(eui);
  } catch {
    throw new DomainError('invalid_id', `eui: ${String(eui)} is not a 64-bit EUI`);
  }
  const gmk = await hsm.hmac(brk, concatBytes(GMK_PREFIX, euiBytes));
  if (gmk.length !== GMK_BYTES) {
    throw new DomainError('hsm_error', `hsm: HMAC returned ${gmk.length} bytes, expected ${GMK_BYTES}`);
  }
  return gmk;
}

/**
 * Claim PIN of a gateway: `Crockford32(HMAC(GMK, "GWJS-PIN-v1")[0..5])`, 8 symbols, unformatted
 * (print with `formatPin`). SPEC §2.
 * @throws RangeError when `gmk` is not 32 bytes.
 */
export function claimPinFromGmk(gmk: Uint8Array): string {
  checkGmk(gmk);
  return crockford32(hmac(gmk, PIN_INPUT).subarray(0, 5));
}

/**
 * CUPS token of generation `generation` (0 … 2^32−1):
 * `base64url_nopad(HMAC(GMK, "GWJS-CUPS-v1" ‖ u32be(g)))`, 43 characters. SPEC §2.
 * @throws RangeError when `gmk` is not 32 bytes or `generation` is not a u32.
 */
export function cupsTokenFromGmk(gmk: Uint8Array, generation: number): string {
  checkGmk(gmk);
  if (!Number.isInteger(generation) || generation < 0 || generation > MAX_TOKEN_GENERATION) {
    throw new RangeError(`generation: ${generation} is not an unsigned 32-bit integer`);
  }
  return base64UrlNoPad(hmac(gmk, concatBytes(CUPS_PREFIX, u32be(generation))));
}

/**
 * Content of a gateway's `cups.key` in token mode: `"Authorization: Bearer " + token + "\r\n"`
 * (SPEC §2, §5) — the header line the station sends verbatim.
 */
export function cupsKeyFileContent(token: string): string {
  return `Authorization: Bearer ${token}\r\n`;
}

/**
 * The CUPS token a gateway must present, derived end to end (HSM for the GMK, then in-process);
 * the GMK is zeroed before returning. This is the per-request path of CUPS authentication.
 */
export async function deriveCupsToken(
  hsm: Hsm,
  brk: KeyHandle,
  eui: bigint,
  generation: number,
): Promise<string> {
  const gmk = await deriveGmk(hsm, brk, eui);
  try {
    return cupsTokenFromGmk(gmk, generation);
  } finally {
    gmk.fill(0);
  }
}

function hmac(key: Uint8Array, data: Uint8Array): Uint8Array {
  const mac = createHmac('sha256', key).update(data).digest();
  return new Uint8Array(mac.buffer, mac.byteOffset, mac.length);
}

function checkGmk(gmk: Uint8Array): void {
  if (!(gmk instanceof Uint8Array) || gmk.length !== GMK_BYTES) {
    throw new RangeError(`gmk: must be ${GMK_BYTES} bytes`);
  }
}
