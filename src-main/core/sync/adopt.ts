/**
 * "Adopt the remote's" (docs/sync.md "Conflicts"), for every operation kind: each gateway of the
 * operation becomes locally what the remote's owner holds — ownership and claim time, origin,
 * token generation and target, the setup's URIs and credentials — written straight into the
 * station's rows in the transaction that marks the operation `adopted`, so the local mirror and the
 * outbox state change commit together or not at all. The change feed (the mirror) gives the state
 * without secrets; the credential blobs come from the site pack, each taken only when its CRC is
 * the one the mirror names (so the station never adopts a version the remote no longer holds); an
 * added gateway's token digest is the pack's header verifier. A gateway the owner no longer holds
 * at the remote is un-claimed here (an added one removed). A remote `fwcrc` is not copied (the
 * image may not exist here). The writes are the sync engine's: never queued.
 */
import { crc32 } from '../../../src-shared/crc32';
import { parseCredBlob } from '../../../src-shared/cups-wire';
import { DomainError } from '../../../src-shared/errors';
import { euiFromHex, formatId6 } from '../../../src-shared/ids';
import { hexToBytes } from '../../../src-shared/bytes';
import type { GatewayChangeWire } from '../../../src-shared/sync-api';
import { EMPTY_SIDE, sideBlob, type StoredSide } from '../gateways/setup-merge';
import { setupParams, setupUpsert } from '../gateways/setup-rows';
import type { Tx } from '../ports';
import { textOrNull } from '../rows';

/** The remote's state of one gateway as the mirror holds it (feed `state`). */
export type MirrorState = GatewayChangeWire['state'];

/** The remote's credential blobs and token digest of one gateway (site pack), when known. */
export interface RemoteSecrets {
  cupsCred: Uint8Array | null;
  lnsCred: Uint8Array | null;
  /** added gateway: SHA-256 of its Authorization header value (the pack's header verifier) */
  headerSha256: string | null;
}

/** The remote's version of one gateway. */
export interface RemoteVersion {
  hex: string;
  /** null: the owner does not hold it at the remote */
  state: MirrorState;
  secrets: RemoteSecrets | undefined;
}

/** One side's stored fields from the remote's blob (SPEC §3.3: trust ‖ cert ‖ key, or token text). */
function sideOf(
  side: 'cups' | 'lns',
  uri: string | null,
  crc: number | null,
  blob: Uint8Array | null | undefined,
  id6: string,
): StoredSide {
  if (crc === null) return { ...EMPTY_SIDE, uri };
  if (blob === null || blob === undefined || crc32(blob) !== crc) {
    throw new DomainError(
      'conflict',
      `adopt: the remote’s ${side} credentials of ${id6} are not known here (the site pack is older than the mirror); fetch the site pack and try again`,
    );
  }
  const parts = parseCredBlob(blob);
  const stored: StoredSide = {
    uri,
    trust: new Uint8Array(parts.trust),
    crt: parts.cert.length > 0 ? new Uint8Array(parts.cert) : null,
    key: parts.key.length > 0 ? new Uint8Array(parts.key) : null,
    crc,
  };
  // the stored parts give CUPS back exactly the remote's blob
  const again = sideBlob(stored);
  if (again === null || crc32(again) !== crc)
    throw new DomainError(
      'conflict',
      `adopt: the remote’s ${side} credentials of ${id6} cannot be stored here`,
    );
  return stored;
}

/**
 * Checks that everything adopting needs is known (the blobs of each set-up side, an added
 * gateway's digest) before the transaction: nothing is written when one gateway cannot be adopted.
 * @throws DomainError('conflict') naming the gateway and what to do.
 */
export function checkAdoptable(versions: readonly RemoteVersion[]): void {
  for (const v of versions) {
    const id6 = formatId6(euiFromHex(v.hex));
    const s = v.state;
    if (s === null) continue;
    if (s.setup !== null) {
      sideOf('cups', s.setup.cupsUri, s.setup.cupsCrc, v.secrets?.cupsCred, id6);
      sideOf('lns', s.setup.lnsUri, s.setup.lnsCrc, v.secrets?.lnsCred, id6);
    }
    if (s.origin === 'added' && (v.secrets?.headerSha256 ?? null) === null) {
      throw new DomainError(
        'conflict',
        `adopt: the remote’s token digest of the added gateway ${id6} is not known here; fetch the site pack and try again`,
      );
    }
  }
}

/** What the local rows need beyond the remote's state. */
export interface AdoptLocal {
  ownerHex: string;
  /** the local batch of a gateway (its id), when this station has one for its range */
  batchIdOf: (hex: string) => string | null;
  at: string;
}

/**
 * Writes the remote's version of each gateway into the station's rows inside `tx` (see the module
 * comment); returns the gateways whose rows changed and those un-claimed here (their last contact
 * is forgotten, as by a delete). Call {@link checkAdoptable} first.
 */
export async function applyRemoteVersions(
  tx: Tx,
  local: AdoptLocal,
  versions: readonly RemoteVersion[],
): Promise<{ changed: string[]; released: string[] }> {
  const changed: string[] = [];
  const released: string[] = [];
  for (const v of versions) {
    const row = await tx.get('SELECT owner_id, origin FROM gateways WHERE eui = ?', [v.hex]);
    const s = v.state;
    if (s === null) {
      // not held at the remote: un-claimed here like a delete (an added gateway goes entirely)
      if (row === undefined || textOrNull(row, 'owner_id') !== local.ownerHex) continue;
      await tx.run('DELETE FROM setups WHERE eui = ?', [v.hex]);
      await tx.run('DELETE FROM cups_contacts WHERE eui = ?', [v.hex]);
      if (textOrNull(row, 'origin') === 'added') await tx.run('DELETE FROM gateways WHERE eui = ?', [v.hex]);
      else await tx.run('UPDATE gateways SET owner_id = NULL, claimed_at = NULL WHERE eui = ?', [v.hex]);
      changed.push(v.hex);
      released.push(v.hex);
      continue;
    }
    const id6 = formatId6(euiFromHex(v.hex));
    const header = s.origin === 'added' ? hexToBytes(v.secrets!.headerSha256!) : null;
    if (row !== undefined && textOrNull(row, 'origin') !== s.origin) {
      // a batch gateway here, an added one there (or the reverse): the row is made afresh
      await tx.run('DELETE FROM setups WHERE eui = ?', [v.hex]);
      await tx.run('DELETE FROM gateways WHERE eui = ?', [v.hex]);
    }
    if (row === undefined || textOrNull(row, 'origin') !== s.origin) {
      await tx.run(
        `INSERT INTO gateways (eui, origin, batch_id, owner_id, claimed_at, flavor, token_hash, token_generation, token_target, created_at)
         VALUES (?, ?, ?, ?, ?, NULL, ?, ?, ?, ?)`,
        [
          v.hex,
          s.origin,
          s.origin === 'batch' ? local.batchIdOf(v.hex) : null,
          local.ownerHex,
          s.claimedAt,
          header,
          s.tokenGeneration,
          s.tokenTarget,
          local.at,
        ],
      );
    } else {
      await tx.run(
        `UPDATE gateways SET owner_id = ?, claimed_at = ?, token_generation = ?, token_target = ?,
           token_hash = COALESCE(?, token_hash) WHERE eui = ?`,
        [local.ownerHex, s.claimedAt, s.tokenGeneration, s.tokenTarget, header, v.hex],
      );
    }
    if (s.setup === null) {
      await tx.run('DELETE FROM setups WHERE eui = ?', [v.hex]);
    } else {
      const upsert = setupUpsert(tx);
      await upsert.add(
        setupParams({
          eui: v.hex,
          cups: sideOf('cups', s.setup.cupsUri, s.setup.cupsCrc, v.secrets?.cupsCred, id6),
          lns: sideOf('lns', s.setup.lnsUri, s.setup.lnsCrc, v.secrets?.lnsCred, id6),
          // a remote fwcrc is not copied: the image may not exist here (docs/sync.md)
          fwCrc: null,
          fwAfter: null,
          fwSentAt: null,
          updatedAt: s.setup.updatedAt,
        }),
      );
      await upsert.flush();
    }
    changed.push(v.hex);
  }
  return { changed, released };
}
