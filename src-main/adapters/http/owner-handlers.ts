/**
 * The Owner API handler table (SPEC §4): one entry per endpoint of `OWNER_API`, typed by the
 * endpoint's declaration — the call it receives (`ownerid` / `gateways` already mapped by the
 * shared wire adapter) and the answer it must give. Each entry is one core call; Base64 in
 * firmware uploads and the station key file are the only conversions.
 */
import { bytesToBase64 } from '../../../src-shared/bytes';
import { crc32 } from '../../../src-shared/crc32';
import type { OwnerApiHandlers } from '../../../src-shared/owner-api';
import type { Core, RequestContext } from '../../core/api';

const fromBase64 = (b64: string): Uint8Array => new Uint8Array(Buffer.from(b64, 'base64'));

/** Builds the handler of every Owner API endpoint over `core`. */
export function ownerApiHandlers(core: Core): OwnerApiHandlers<RequestContext> {
  return {
    'gateway/claim': (ctx, c) => core.owner.claim(ctx, c.ownerId, c.items),
    'gateway/setup': (ctx, c) => core.owner.setup(ctx, c.ownerId, c.items, { common: c.common }),
    'gateway/delete': (ctx, c) => core.owner.delete(ctx, c.ownerId, c.items),
    'gateway/add': (ctx, c) => core.owner.add(ctx, c.ownerId, c.items),
    'gateway/info': (ctx, c) => core.owner.info(ctx, c.ownerId, c.items),
    'gateway/rotate': (ctx, c) => core.owner.rotate(ctx, c.ownerId, c.items),
    'gateway/list': (ctx, c) => core.owner.list(ctx, c.ownerid, { after: c.after, limit: c.limit }),
    'gateway/changes': (ctx, c) => core.owner.changes(ctx, c.ownerid, { after: c.after, limit: c.limit }),
    'gateway/site-pack': (ctx, c) => core.owner.sitePack(ctx, c.ownerid, c.gateways, c.haveFirmware),
    'gateway/firmware-sent': (ctx, c) => core.owner.firmwareSent(ctx, c.ownerId, c.items),
    'gateway/unlock': (ctx, c) => core.owner.unlockClaims(ctx, c.gateway, c.ownerid ?? null),

    'firmware/upload': (ctx, c) =>
      core.firmware.upload(ctx, c.ownerid, {
        image: fromBase64(c.firmware),
        version: c.version,
        signatures: c.signatures.map((sig) => ({
          key: fromBase64(sig.key),
          signature: fromBase64(sig.signature),
        })),
        signWithStationKey: c.stationSign,
      }),
    'firmware/list': async (ctx, c) => ({ firmware: await core.firmware.list(ctx, c.ownerid) }),
    'firmware/delete': (ctx, c) => core.firmware.delete(ctx, c.ownerid, c.fwcrc),
    'firmware/station-key': async () => {
      const raw = await core.signingKeys.keyFile();
      return { keyCrc: crc32(raw), key: bytesToBase64(raw) };
    },

    'certificate/issue': async (ctx, c) => {
      const cert = await core.clientCertificates.issue(ctx, c.gateway, { days: c.days });
      return {
        gateway: cert.gateway,
        eui: cert.eui,
        fingerprint: cert.fingerprint,
        notAfter: cert.notAfter,
        cert: cert.certPem,
        key: cert.keyPem,
      };
    },
    'certificate/list': (ctx, c) => core.clientCertificates.list(ctx, c.ownerid, c.gateway),
    'certificate/revoke': (ctx, c) =>
      core.clientCertificates.revoke(ctx, c.ownerid, c.gateway, c.fingerprint),

    'factory/records': (ctx, c) => core.factoryRecords.record(ctx, c),
  };
}
