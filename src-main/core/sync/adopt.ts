/**
 * "Adopt the remote's" for a setup conflict (docs/sync.md "Conflicts"): the station's setup of each
 * gateway becomes the remote's again — URIs and credential CRCs from the mirror (the change feed),
 * the credential blobs themselves from the site pack (the feed carries no secret). A blob is taken
 * only when its CRC is the one the mirror names, so the station never adopts a version the remote
 * no longer holds. A gateway the remote's owner no longer holds is deleted locally. The writes run
 * as the sync engine (never queued: the remote already has this version).
 */
import { bytesToBase64 } from '../../../src-shared/bytes';
import { crc32 } from '../../../src-shared/crc32';
import { parseCredBlob } from '../../../src-shared/cups-wire';
import { DomainError } from '../../../src-shared/errors';
import { euiFromHex, formatId6 } from '../../../src-shared/ids';
import type { SetupItem } from '../api';
import type { GatewayChangeWire } from '../../../src-shared/sync-api';

/** The remote's setup of one gateway as the mirror holds it (feed `state.setup`). */
type MirrorSetup = NonNullable<NonNullable<GatewayChangeWire['state']>['setup']>;

/** The remote's version of one gateway: its mirror state and the pack's blobs (when known). */
export interface RemoteVersion {
  hex: string;
  /** undefined: not in the mirror; null: the owner no longer holds it at the remote */
  state: GatewayChangeWire['state'] | undefined;
  blobs: { cupsCred: Uint8Array | null; lnsCred: Uint8Array | null } | undefined;
}

/** What adopting takes: setups to write and gateways to delete (both as the sync engine). */
export interface AdoptPlan {
  setups: SetupItem[];
  deletes: string[];
}

/** The setup fields of one side from its blob (SPEC §3.3: trust ‖ cert ‖ key, DER or token text). */
function sideFields(
  side: 'cups' | 'lns',
  uri: string | null,
  crc: number | null,
  blob: Uint8Array | null | undefined,
  id6: string,
): Partial<SetupItem> {
  const f = (name: 'Uri' | 'Trust' | 'Crt' | 'Key') => `${side}${name}` as const;
  if (uri === null) return { [f('Uri')]: null };
  if (crc === null) return { [f('Uri')]: uri, [f('Trust')]: null, [f('Crt')]: null, [f('Key')]: null };
  if (blob === null || blob === undefined || crc32(blob) !== crc) {
    throw new DomainError(
      'conflict',
      `adopt: the remote’s ${side} credentials of ${id6} are not known here (the site pack is older than the mirror); fetch the site pack and try again`,
    );
  }
  const parts = parseCredBlob(blob);
  return {
    [f('Uri')]: uri,
    [f('Trust')]: bytesToBase64(parts.trust),
    [f('Crt')]: parts.cert.length > 0 ? bytesToBase64(parts.cert) : null,
    [f('Key')]: parts.key.length > 0 ? bytesToBase64(parts.key) : null,
  };
}

/**
 * Plans adopting the remote's version of each gateway (see the module comment).
 * @throws DomainError('conflict') when a gateway is not in the mirror or its blobs are not known.
 */
export function planAdopt(versions: readonly RemoteVersion[]): AdoptPlan {
  const plan: AdoptPlan = { setups: [], deletes: [] };
  for (const v of versions) {
    const id6 = formatId6(euiFromHex(v.hex));
    if (v.state === undefined)
      throw new DomainError(
        'conflict',
        `adopt: the remote’s version of ${id6} is not known here (pull first)`,
      );
    if (v.state === null) {
      plan.deletes.push(id6);
      continue;
    }
    const s: MirrorSetup | null = v.state.setup;
    if (s === null) {
      plan.setups.push({ gateway: id6, cupsUri: null, lnsUri: null, fwcrc: null });
      continue;
    }
    plan.setups.push({
      gateway: id6,
      ...sideFields('cups', s.cupsUri, s.cupsCrc, v.blobs?.cupsCred, id6),
      ...sideFields('lns', s.lnsUri, s.lnsCrc, v.blobs?.lnsCred, id6),
      ...(s.fwcrc === null ? { fwcrc: null } : {}),
    } as SetupItem);
  }
  return plan;
}
