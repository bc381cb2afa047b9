/**
 * The station's own firmware update-signing keys (SPEC §3.4): ECDSA P-256 key pairs generated
 * inside the HSM (port `Hsm.generateSigningKey`), recorded in `update_signing_keys` with their
 * public half in the station's 64-byte `sig-N.key` form. One key is active: it signs uploaded
 * images on request and is written into personalization bundles as `sig-0.key`, so gateways made
 * by this station accept updates it signs. Creating, activating and signing are admin operations
 * (whoever holds this key can run code as root on every such gateway) and are audited.
 */
import { crc32 } from '../../../src-shared/crc32';
import { DomainError } from '../../../src-shared/errors';
import type { RequestContext } from '../context';
import { auditWriter } from '../audit';
import { requireAdmin } from '../authorize';
import { isoAt, type CoreEnv } from '../env';
import type { SqlRow } from '../ports';
import { bytesOrNull, intOf, textOf } from '../rows';
import { STATION_KEY_BYTES, publicKeyFromStationKey, verifyUpdateSignature } from './signature';

/** One update-signing key as the API shows it (never the private half). */
export interface SigningKeySummary {
  handle: string;
  label: string;
  /** CRC-32 of the 64-byte public key file: what a gateway holding it reports in `keys` */
  keyCrc: number;
  /** the 64-byte `sig-N.key` content */
  publicKey: Uint8Array;
  createdAt: string;
  active: boolean;
}

/** A signature made by the station's active key. */
interface StationSignature {
  keyCrc: number;
  /** the 64-byte public key */
  key: Uint8Array;
  /** DER ECDSA P-256 / SHA-512 */
  signature: Uint8Array;
}

const DEFAULT_LABEL = 'firmware update signing';

function summaryOf(row: SqlRow): SigningKeySummary {
  return {
    handle: textOf(row, 'handle'),
    label: textOf(row, 'label'),
    keyCrc: intOf(row, 'key_crc'),
    publicKey: bytesOrNull(row, 'public_key') ?? new Uint8Array(0),
    createdAt: textOf(row, 'created_at'),
    active: intOf(row, 'active') === 1,
  };
}

/** The station's update-signing keys. */
export class UpdateSigningKeys {
  constructor(private readonly env: CoreEnv) {}

  /**
   * Generates a new key in the HSM and makes it the active one (admin).
   * @throws DomainError('forbidden' | 'hsm_locked' | 'invalid_request')
   */
  async create(ctx: RequestContext, label = DEFAULT_LABEL): Promise<SigningKeySummary> {
    requireAdmin(ctx);
    const handle = await this.env.hsm.generateSigningKey(label);
    const publicKey = await this.env.hsm.publicKey(handle);
    if (publicKey.length !== STATION_KEY_BYTES) {
      throw new DomainError(
        'hsm_error',
        `hsm: signing key ${handle} has a ${publicKey.length}-byte public key`,
      );
    }
    publicKeyFromStationKey(publicKey, 'hsm public key');
    const keyCrc = crc32(publicKey);
    const at = isoAt(this.env.clock.now());
    await this.env.store.transaction(async (tx) => {
      await tx.run('UPDATE update_signing_keys SET active = 0 WHERE active = 1');
      await tx.run(
        `INSERT INTO update_signing_keys (handle, key_crc, public_key, label, created_at, active)
         VALUES (?, ?, ?, ?, ?, 1)`,
        [handle, keyCrc, publicKey, label, at],
      );
      await auditWriter(this.env, tx, ctx).add('signing_key.create', null, { handle, keyCrc, label });
    });
    return { handle, label, keyCrc, publicKey, createdAt: at, active: true };
  }

  /** Every recorded key, newest first (admin). */
  async list(ctx: RequestContext): Promise<SigningKeySummary[]> {
    requireAdmin(ctx);
    const rows = await this.env.store.read((tx) =>
      tx.all(
        'SELECT handle, key_crc, public_key, label, created_at, active FROM update_signing_keys ORDER BY created_at DESC, handle',
      ),
    );
    return rows.map(summaryOf);
  }

  /** The active key, or undefined when the station has none (no role of its own in updates). */
  async active(): Promise<SigningKeySummary | undefined> {
    const row = await this.env.store.read((tx) =>
      tx.get(
        'SELECT handle, key_crc, public_key, label, created_at, active FROM update_signing_keys WHERE active = 1',
      ),
    );
    return row === undefined ? undefined : summaryOf(row);
  }

  /**
   * The active key's `sig-0.key` file: the 64 bytes X ‖ Y a gateway needs to accept updates this
   * station signs.
   * @throws DomainError('not_found') when no key was created.
   */
  async keyFile(): Promise<Uint8Array> {
    const key = await this.active();
    if (key === undefined) {
      throw new DomainError(
        'not_found',
        'signing key: the station has no update-signing key (create one with `gwjs firmware key create`)',
      );
    }
    return key.publicKey;
  }

  /**
   * Signs an update image with the active key through the HSM, and checks the signature against
   * the recorded public key before returning it (a wrong signature would make every gateway abort
   * the update).
   * @throws DomainError('not_found' | 'hsm_locked' | 'hsm_error')
   */
  async signImage(image: Uint8Array): Promise<StationSignature> {
    const key = await this.active();
    if (key === undefined) {
      throw new DomainError(
        'not_found',
        'signing key: the station has no update-signing key (create one with `gwjs firmware key create`)',
      );
    }
    const signature = await this.env.hsm.sign(key.handle, image);
    if (!verifyUpdateSignature(image, signature, publicKeyFromStationKey(key.publicKey))) {
      throw new DomainError(
        'hsm_error',
        `hsm: signing key ${key.handle} made a signature that does not verify`,
      );
    }
    return { keyCrc: key.keyCrc, key: key.publicKey, signature };
  }
}
