/**
 * The firmware catalogue (SPEC §3.4, §4.2 "Firmware"): update images named by their CRC-32
 * (`fwcrc`, what `setup` refers to), each with one or more signatures — ECDSA P-256 over SHA-512,
 * DER — and the station public key (`sig-N.key`, 64 bytes) each one verifies with. Every signature
 * is verified on upload; one that does not verify fails the upload, so CUPS never sends an update a
 * station would abort.
 *
 * Ownership: an image belongs to the owner it was uploaded for (`ownerid`); an admin may upload a
 * shared image (no owner) that every owner can name in `setup`. Uploading the same image again
 * adds signatures (idempotent); the same CRC-32 with other bytes, or an image another owner holds,
 * is refused. Deleting is refused while a setup still waits to deliver the image.
 */
import { createHash } from 'node:crypto';
import {
  MAX_SIGNATURES,
  type FirmwareSummary,
  type FirmwareUploadResult,
} from '../../../src-shared/contract/firmware-ops';
import { crc32 } from '../../../src-shared/crc32';
import { DomainError } from '../../../src-shared/errors';
import { euiFromHex, formatId6 } from '../../../src-shared/ids';
import type { RequestContext, Scope } from '../context';
import { auditWriter } from '../audit';
import { authorizeOwner, requireAdmin, type OwnerRef } from '../authorize';
import { isoAt, type CoreEnv } from '../env';
import type { SqlRow, Tx } from '../ports';
import { bytesOrNull, intOf, intOrNull, textOf, textOrNull } from '../rows';
import { checkSignatureDer, parseStationPublicKey, verifyUpdateSignature } from './signature';
import type { UpdateSigningKeys } from './signing-keys';

/** Largest image accepted: its Base64 must fit the Owner API's 16 MiB body (SPEC §4.2). */
const MAX_FIRMWARE_BYTES = 12 * 1024 * 1024;
/** Longest `version` text. */
const MAX_VERSION_LENGTH = 128;

/** One signature of an upload: the signer's public key (any form of `parseStationPublicKey`) and the DER signature. */
interface FirmwareSignatureInput {
  key: Uint8Array;
  signature: Uint8Array;
}

/** An upload (the door has decoded Base64). */
export interface FirmwareUpload {
  image: Uint8Array;
  version?: string | undefined;
  signatures: readonly FirmwareSignatureInput[];
  /** also sign with the station's active update-signing key (admin only) */
  signWithStationKey?: boolean | undefined;
}

/** `0x` + 8 lowercase hex digits of a CRC. */
export const crcHex = (crc: number): string => `0x${crc.toString(16).padStart(8, '0')}`;

/** Audit target of a firmware image. */
const target = (fwcrc: number): string => `firmware:${crcHex(fwcrc)}`;

const sha256Hex = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.from(a).equals(Buffer.from(b));
}

/**
 * Parses a `fwcrc` given to the API or CLI: a u32 number, decimal text or `0x` hex.
 * @throws DomainError('invalid_request', 'fwcrc: …')
 */
function parseFwcrc(input: unknown, field = 'fwcrc'): number {
  let n = NaN;
  if (typeof input === 'number') n = input;
  else if (typeof input === 'string' && /^[0-9]{1,10}$/.test(input)) n = Number(input);
  else if (typeof input === 'string' && /^0x[0-9a-f]{1,8}$/i.test(input)) n = parseInt(input.slice(2), 16);
  if (!(Number.isInteger(n) && n >= 0 && n <= 0xffffffff)) {
    throw new DomainError(
      'invalid_request',
      `${field}: ${JSON.stringify(input) ?? String(input)} is not a CRC-32 (0 … 4294967295 or 0x…)`,
      { field },
    );
  }
  return n;
}

/** Checks `version`: printable text of 1–{@link MAX_VERSION_LENGTH} characters. */
function checkVersion(version: unknown): string | undefined {
  if (version === undefined) return undefined;
  if (
    typeof version !== 'string' ||
    version.length === 0 ||
    version.length > MAX_VERSION_LENGTH ||
    !/^[\x20-\x7e]+$/.test(version)
  ) {
    throw new DomainError(
      'invalid_request',
      `version: must be 1–${MAX_VERSION_LENGTH} printable ASCII characters, got ${JSON.stringify(version)?.slice(0, 60)}`,
      { field: 'version' },
    );
  }
  return version;
}

/** A verified signature ready to store. */
interface VerifiedSignature {
  keyCrc: number;
  key: Uint8Array;
  signature: Uint8Array;
}

/**
 * Verifies every signature of an upload against the image (SPEC §3.4).
 * @throws DomainError('invalid_credential' | 'duplicate_in_request' | 'invalid_request') naming
 *   `signatures[i]`.
 */
function verifyUploadSignatures(
  image: Uint8Array,
  signatures: readonly FirmwareSignatureInput[],
): VerifiedSignature[] {
  if (signatures.length > MAX_SIGNATURES) {
    throw new DomainError(
      'invalid_request',
      `signatures: ${signatures.length} given, at most ${MAX_SIGNATURES}`,
      { field: 'signatures' },
    );
  }
  const out: VerifiedSignature[] = [];
  signatures.forEach((s, i) => {
    const field = `signatures[${i}]`;
    const key = parseStationPublicKey(s.key, `${field}.key`);
    checkSignatureDer(s.signature, `${field}.signature`);
    const dup = out.findIndex((o) => o.keyCrc === key.keyCrc);
    if (dup >= 0) {
      throw new DomainError(
        'duplicate_in_request',
        `${field}.key: the key ${crcHex(key.keyCrc)} already signs in signatures[${dup}]`,
        { field: `${field}.key` },
      );
    }
    if (!verifyUpdateSignature(image, s.signature, key.key)) {
      throw new DomainError(
        'invalid_credential',
        `${field}.signature: does not verify — not an ECDSA P-256 / SHA-512 signature of this image ` +
          `(CRC ${crcHex(crc32(image))}) by the key ${crcHex(key.keyCrc)} (sign with: openssl dgst -sha512 -sign key.pem update.bin)`,
        { field: `${field}.signature` },
      );
    }
    out.push({ keyCrc: key.keyCrc, key: key.raw, signature: s.signature });
  });
  return out;
}

/** The firmware catalogue service. */
export class FirmwareCatalogue {
  constructor(
    private readonly env: CoreEnv,
    private readonly signing: UpdateSigningKeys,
  ) {}

  /** `ownerId` null = shared (admin only); else the usual owner authorization (SPEC §4.1). */
  async #authorize(ctx: RequestContext, ownerId: string | null, scope: Scope): Promise<OwnerRef | null> {
    if (ownerId === null) {
      requireAdmin(ctx);
      return null;
    }
    return authorizeOwner(this.env, ctx, ownerId, scope);
  }

  /**
   * Uploads an image with its signatures (SPEC §4.2 `firmware/upload`), verifying each one; with
   * `signWithStationKey` the station's active key signs it too.
   * @throws DomainError: 'invalid_request' (empty/too large image, bad version, no signature),
   *   'invalid_credential' (a key or signature that is malformed or does not verify),
   *   'duplicate_in_request', 'already_exists' (another owner holds the image), 'conflict' (same
   *   CRC-32, other bytes), 'forbidden', 'not_found' (owner), 'hsm_locked'.
   */
  async upload(
    ctx: RequestContext,
    ownerId: string | null,
    input: FirmwareUpload,
  ): Promise<FirmwareUploadResult> {
    const owner = await this.#authorize(ctx, ownerId, 'firmware');
    const image = input.image;
    if (!(image instanceof Uint8Array) || image.length === 0) {
      throw new DomainError('invalid_request', 'firmware: the image is empty', { field: 'firmware' });
    }
    if (image.length > MAX_FIRMWARE_BYTES) {
      throw new DomainError(
        'invalid_request',
        `firmware: the image is ${image.length} bytes, at most ${MAX_FIRMWARE_BYTES}`,
        { field: 'firmware' },
      );
    }
    const version = checkVersion(input.version);
    const verified = verifyUploadSignatures(image, input.signatures);
    if (input.signWithStationKey === true) {
      requireAdmin(ctx);
      const own = await this.signing.signImage(image);
      if (!verified.some((v) => v.keyCrc === own.keyCrc)) verified.push(own);
    }
    if (verified.length === 0) {
      throw new DomainError(
        'invalid_request',
        'signatures: at least one signature is needed (a station aborts an unsigned update)',
        { field: 'signatures' },
      );
    }
    const fwcrc = crc32(image);
    const sha256 = sha256Hex(image);
    const at = isoAt(this.env.clock.now());
    return this.env.store.transaction(async (tx) => {
      const existing = await tx.get('SELECT owner_id, image, version FROM firmware WHERE fwcrc = ?', [fwcrc]);
      let created = false;
      let storedVersion = version ?? null;
      if (existing !== undefined) {
        const stored = bytesOrNull(existing, 'image');
        if (stored === null || !bytesEqual(stored, image)) {
          throw new DomainError(
            'conflict',
            `firmware: another image with the same CRC-32 ${crcHex(fwcrc)} is stored; change the image (e.g. its version text) or delete the other one`,
            { field: 'firmware' },
          );
        }
        const holder = textOrNull(existing, 'owner_id');
        if (holder !== (owner?.hex ?? null)) {
          throw new DomainError(
            'already_exists',
            `firmware: the image ${crcHex(fwcrc)} is already stored for ${holder === null ? 'every owner (shared)' : 'another owner'}; ` +
              (holder === null ? 'name it in setup as it is' : 'ask the station operator to share it'),
            { field: 'firmware' },
          );
        }
        if (version !== undefined)
          await tx.run('UPDATE firmware SET version = ? WHERE fwcrc = ?', [version, fwcrc]);
        else storedVersion = textOrNull(existing, 'version');
        await tx.run('UPDATE firmware SET sha256 = ? WHERE fwcrc = ? AND sha256 IS NULL', [sha256, fwcrc]);
      } else {
        await tx.run(
          'INSERT INTO firmware (fwcrc, owner_id, version, image, created_at, sha256) VALUES (?, ?, ?, ?, ?, ?)',
          [fwcrc, owner?.hex ?? null, version ?? null, image, at, sha256],
        );
        created = true;
      }
      for (const v of verified) {
        await tx.run(
          `INSERT INTO firmware_signatures (fwcrc, key_crc, sig_key, signature) VALUES (?, ?, ?, ?)
           ON CONFLICT (fwcrc, key_crc) DO NOTHING`,
          [fwcrc, v.keyCrc, v.key, v.signature],
        );
      }
      const keys = await signatureKeys(tx, fwcrc);
      await auditWriter(this.env, tx, ctx).add(created ? 'firmware.upload' : 'firmware.sign', target(fwcrc), {
        owner: owner?.id6 ?? null,
        size: image.length,
        sha256,
        version: storedVersion,
        signedBy: verified.map((v) => v.keyCrc),
        stationKey: input.signWithStationKey === true,
      });
      return { fwcrc, keys, size: image.length, sha256, version: storedVersion, created };
    });
  }

  /**
   * Adds a signature of the station's active key to a stored image (admin): for images uploaded
   * with signatures of other keys, to be delivered to gateways holding the station's `sig-0.key`.
   * @throws DomainError('unknown_firmware' | 'forbidden' | 'not_found' | 'hsm_locked')
   */
  async signWithStationKey(
    ctx: RequestContext,
    ownerId: string | null,
    fwcrcInput: unknown,
  ): Promise<FirmwareUploadResult> {
    requireAdmin(ctx);
    const owner = await this.#authorize(ctx, ownerId, 'firmware');
    const fwcrc = parseFwcrc(fwcrcInput);
    const row = await this.env.store.read((tx) => this.#ownedRow(tx, owner, fwcrc));
    const holder = textOrNull(row, 'owner_id');
    const image = bytesOrNull(row, 'image') ?? new Uint8Array(0);
    return this.upload(ctx, holder === null ? null : formatId6(euiFromHex(holder)), {
      image,
      signatures: [],
      signWithStationKey: true,
    });
  }

  /**
   * The owner's images and the shared ones (an admin without `ownerId`: every image), by CRC.
   * @throws DomainError('forbidden' | 'not_found' | 'invalid_request')
   */
  async list(ctx: RequestContext, ownerId: string | null): Promise<FirmwareSummary[]> {
    const owner = await this.#authorize(ctx, ownerId, 'read');
    return this.env.store.read(async (tx) => {
      const rows = await tx.all(
        `SELECT fwcrc, owner_id, version, length(image) AS size, sha256, created_at FROM firmware
         ${owner === null ? '' : 'WHERE owner_id = ? OR owner_id IS NULL'} ORDER BY fwcrc`,
        owner === null ? [] : [owner.hex],
      );
      const sigs = await tx.all('SELECT fwcrc, key_crc FROM firmware_signatures ORDER BY fwcrc, key_crc');
      const keys = new Map<number, number[]>();
      for (const s of sigs) {
        const list = keys.get(intOf(s, 'fwcrc')) ?? [];
        list.push(intOf(s, 'key_crc'));
        keys.set(intOf(s, 'fwcrc'), list);
      }
      return rows.map((r) => summaryOf(r, keys.get(intOf(r, 'fwcrc')) ?? []));
    });
  }

  /**
   * Deletes an image of the owner (shared images: admin without `ownerId`) and its signatures.
   * Refused while a setup still waits to deliver it (the gateway would never get it).
   * @throws DomainError('unknown_firmware' | 'conflict' | 'forbidden' | 'invalid_request')
   */
  async delete(ctx: RequestContext, ownerId: string | null, fwcrcInput: unknown): Promise<{ fwcrc: number }> {
    const owner = await this.#authorize(ctx, ownerId, 'firmware');
    const fwcrc = parseFwcrc(fwcrcInput);
    await this.env.store.transaction(async (tx) => {
      await this.#ownedRow(tx, owner, fwcrc);
      const pending = await tx.get(
        'SELECT COUNT(*) AS n FROM setups WHERE fw_crc = ? AND fw_sent_at IS NULL',
        [fwcrc],
      );
      const n = pending === undefined ? 0 : intOf(pending, 'n');
      if (n > 0) {
        throw new DomainError(
          'conflict',
          `fwcrc: ${crcHex(fwcrc)} is still to be delivered by ${n} setup(s); set their fwcrc to null (or another image) first`,
          { field: 'fwcrc' },
        );
      }
      await tx.run('DELETE FROM firmware_signatures WHERE fwcrc = ?', [fwcrc]);
      await tx.run('DELETE FROM firmware WHERE fwcrc = ?', [fwcrc]);
      await auditWriter(this.env, tx, ctx).add('firmware.delete', target(fwcrc), {
        owner: owner?.id6 ?? null,
      });
    });
    return { fwcrc };
  }

  /** The stored row of an image the caller may change. @throws DomainError('unknown_firmware'). */
  async #ownedRow(tx: Tx, owner: OwnerRef | null, fwcrc: number): Promise<SqlRow> {
    const row = await tx.get('SELECT fwcrc, owner_id, image FROM firmware WHERE fwcrc = ?', [fwcrc]);
    const holder = row === undefined ? undefined : textOrNull(row, 'owner_id');
    if (row === undefined || (owner !== null && holder !== owner.hex)) {
      throw new DomainError(
        'unknown_firmware',
        `fwcrc: ${crcHex(fwcrc)} names no firmware ${owner === null ? 'stored here' : `of owner ${owner.id6}`}` +
          (holder === null && owner !== null ? ' (it is shared: only an admin changes it)' : ''),
        { field: 'fwcrc' },
      );
    }
    return row;
  }
}

/** CRCs of the keys the stored signatures of `fwcrc` verify with, ascending. */
export async function signatureKeys(tx: Tx, fwcrc: number): Promise<number[]> {
  const rows = await tx.all('SELECT key_crc FROM firmware_signatures WHERE fwcrc = ? ORDER BY key_crc', [
    fwcrc,
  ]);
  return rows.map((r) => intOf(r, 'key_crc'));
}

function summaryOf(r: SqlRow, keys: number[]): FirmwareSummary {
  const fwcrc = intOf(r, 'fwcrc');
  const holder = textOrNull(r, 'owner_id');
  return {
    fwcrc,
    fwcrcHex: crcHex(fwcrc),
    version: textOrNull(r, 'version'),
    size: intOrNull(r, 'size') ?? 0,
    sha256: textOrNull(r, 'sha256'),
    owner: holder === null ? null : formatId6(euiFromHex(holder)),
    keys,
    createdAt: textOf(r, 'created_at'),
  };
}
