/**
 * The remote's side of site packs (docs/sync.md "Site packs"): builds the pack of some or all of an
 * owner's gateways — per gateway the desired CUPS state exactly as this server's CUPS would plan it
 * (`cups/plan.ts`: the setup's URIs and blobs; without a setup `cupsUri` the batch's or the
 * server's CUPS URI, the server issuing the cupsCred) and the SHA-256 verifiers of the CUPS tokens
 * of generations g and g + 1 (SPEC §2), derived through the HSM and hashed at once; and, where a
 * setup names a firmware, its delivery rules (`fwcrc`, `fwafter`, whether this server already
 * delivered it) with the image once per SHA-256 and every uploaded signature (SPEC §3.4) — the
 * image's bytes left out when the station says it holds them; and the gateway's client-certificate
 * identities (SPEC §3.1 certificate mode, docs/client-certs.md): the SHA-256 fingerprints of its
 * recorded certificates that are not revoked, with the CA certificates this server's doors verify
 * client certificates against (public; a client key is never stored here in the first place). The
 * tokens themselves, the gateway master keys, the root keys and the claim PINs never leave this
 * module. Each pack is audited (`sync.site_pack`, with the number of gateways).
 */
import { bytesToBase64, bytesToHex } from '../../../src-shared/bytes';
import { derToPem } from '../credentials';
import {
  SITE_PACK_VERSION,
  type SitePackGateway,
  type SitePackImage,
  type SitePackResponse,
  type SitePackVerifier,
} from '../../../src-shared/contract/site-pack';
import { isDomainError } from '../../../src-shared/errors';
import { euiFromHex, euiHex, formatId6, parseIdField } from '../../../src-shared/ids';
import type { RequestContext } from '../api';
import { auditWriter } from '../audit';
import type { OwnerRef } from '../authorize';
import type { Batches } from '../batches';
import { sha256 } from '../digest';
import { isoAt, type CoreEnv } from '../env';
import { gatewayRowOf, GATEWAY_COLUMNS, type GatewayRow } from '../gateways/rows';
import { sideBlob } from '../gateways/setup-merge';
import { setupRowOf, SETUP_COLUMNS, type StoredSetup } from '../gateways/setup-rows';
import { cupsTokenFromGmk, deriveGmk, MAX_TOKEN_GENERATION } from '../kdf';
import { bytesOrNull, intOf, selectIn, textOf, textOrNull } from '../rows';
import type { Tx } from '../ports';

const b64OrNull = (b: Uint8Array | null): string | null => (b === null ? null : bytesToBase64(b));

/** Builds the site pack of `gateways` (raw ids; undefined = all of the owner's). */
export async function buildSitePack(
  env: CoreEnv,
  batches: Batches,
  ctx: RequestContext,
  owner: OwnerRef,
  gateways: readonly string[] | undefined,
  haveFirmware: readonly string[] = [],
): Promise<SitePackResponse> {
  const skipped: SitePackResponse['skipped'] = [];
  let wanted: string[] | undefined;
  if (gateways !== undefined) {
    wanted = [];
    gateways.forEach((raw, i) => {
      try {
        wanted!.push(euiHex(parseIdField(raw, `gateways[${i}]`)));
      } catch (e) {
        if (!isDomainError(e)) throw e;
        skipped.push({ gateway: String(raw), code: 'invalid_id', error: e.message });
      }
    });
  }
  const batchOf = await batches.snapshot();
  const createdAt = isoAt(env.clock.now());
  const { rows, images, certs } = await env.store.read(async (tx) => {
    const cols = `${GATEWAY_COLUMNS}, s.eui AS setup_eui, ${SETUP_COLUMNS}`;
    const from = 'FROM gateways g LEFT JOIN setups s ON s.eui = g.eui';
    const rows =
      wanted === undefined
        ? await tx.all(`SELECT ${cols} ${from} WHERE g.owner_id = ? ORDER BY g.eui`, [owner.hex])
        : await selectIn(
            tx,
            (p) => `SELECT ${cols} ${from} WHERE g.owner_id = ? AND g.eui IN (${p})`,
            wanted,
            [owner.hex],
          );
    const fwcrcs = new Set<number>();
    for (const r of rows) {
      const fw = textOrNull(r, 'setup_eui') === null ? null : setupRowOf(r, gatewayRowOf(r).eui).fwCrc;
      if (fw !== null) fwcrcs.add(fw);
    }
    // the identities this server's CUPS accepts (client-certs/service.ts): recorded, not revoked
    const certs = new Map<string, string[]>();
    const certRows = await tx.all(
      `SELECT c.eui, c.fingerprint FROM client_certificates c JOIN gateways g ON g.eui = c.eui
       WHERE g.owner_id = ? AND c.revoked_at IS NULL ORDER BY c.eui, c.fingerprint`,
      [owner.hex],
    );
    for (const c of certRows) {
      const hex = textOf(c, 'eui');
      certs.set(hex, [...(certs.get(hex) ?? []), textOf(c, 'fingerprint')]);
    }
    return { rows, images: await imagesOf(tx, [...fwcrcs], new Set(haveFirmware)), certs };
  });
  const found = new Map<string, { row: GatewayRow; setup: StoredSetup | undefined }>();
  for (const r of rows) {
    const row = gatewayRowOf(r);
    found.set(row.eui, {
      row,
      setup: textOrNull(r, 'setup_eui') === null ? undefined : setupRowOf(r, row.eui),
    });
  }
  if (wanted !== undefined) {
    for (const hex of new Set(wanted)) {
      if (!found.has(hex)) {
        const id6 = formatId6(euiFromHex(hex));
        // the same answer for unknown, unclaimed and another owner's (docs/security.md "Enumeration")
        skipped.push({
          gateway: id6,
          code: 'not_found',
          error: `gateway ${id6} is not a gateway of owner ${owner.id6}`,
        });
      }
    }
  }
  const { server } = env.config;
  const packed: SitePackGateway[] = [];
  for (const { row, setup } of [...found.values()].sort((a, b) => (a.row.eui < b.row.eui ? -1 : 1))) {
    const id = euiFromHex(row.eui);
    const batch = row.origin === 'added' ? undefined : batchOf(id);
    packed.push({
      gateway: formatId6(id),
      origin: row.origin,
      tokenGeneration: row.tokenGeneration,
      tokenTarget: row.tokenTarget,
      verifiers: await verifiersOf(env, row, batch?.brkHandle, id),
      desired:
        setup === undefined
          ? null
          : {
              cupsUri: setup.cups.uri ?? batch?.row.cupsUri ?? server.cupsUri,
              cupsCred: setup.cups.uri === null ? null : b64OrNull(sideBlob(setup.cups)),
              cupsCredFromToken:
                setup.cups.uri === null &&
                row.origin === 'batch' &&
                batch !== undefined &&
                server.trustDer !== null,
              lnsUri: setup.lns.uri,
              lnsCred: b64OrNull(sideBlob(setup.lns)),
            },
      setupAt: setup?.updatedAt ?? null,
      firmware:
        setup === undefined || setup.fwCrc === null || !images.has(setup.fwCrc)
          ? null
          : {
              fwcrc: setup.fwCrc,
              sha256: images.get(setup.fwCrc)!.sha256,
              fwAfter: setup.fwAfter,
              sentAt: setup.fwSentAt,
            },
      certificates: certs.get(row.eui) ?? [],
    });
  }
  await env.store.transaction(async (tx) => {
    const audit = auditWriter(env, tx, ctx);
    await audit.queue('sync.site_pack', owner.id6, { gateways: packed.length, skipped: skipped.length });
    await audit.flush();
  });
  return {
    version: SITE_PACK_VERSION,
    ownerid: owner.id6,
    createdAt,
    cupsTrust: b64OrNull(server.trustDer),
    cupsUri: server.cupsUri,
    clientCas: [...new Set((server.clientCaDers ?? []).map((der) => derToPem(der, 'CERTIFICATE')))],
    gateways: packed,
    firmware: [...images.values()],
    skipped,
  };
}

/**
 * The images `fwcrcs` name with every uploaded signature, by fwcrc; the bytes left out (null) of
 * those whose SHA-256 is in `have`. An image deleted meanwhile is absent (the setup cannot name a
 * deleted image while its delivery is pending: docs/firmware.md).
 */
async function imagesOf(
  tx: Tx,
  fwcrcs: readonly number[],
  have: ReadonlySet<string>,
): Promise<Map<number, SitePackImage>> {
  const out = new Map<number, SitePackImage>();
  for (const fwcrc of fwcrcs.slice().sort((a, b) => a - b)) {
    const f = await tx.get('SELECT image FROM firmware WHERE fwcrc = ?', [fwcrc]);
    if (f === undefined) continue;
    const image = bytesOrNull(f, 'image')!;
    const digest = bytesToHex(sha256(image));
    const sigs = await tx.all(
      'SELECT key_crc, signature FROM firmware_signatures WHERE fwcrc = ? ORDER BY key_crc',
      [fwcrc],
    );
    out.set(fwcrc, {
      sha256: digest,
      fwcrc,
      size: image.length,
      image: have.has(digest) ? null : bytesToBase64(image),
      signatures: sigs.map((r) => ({
        keyCrc: intOf(r, 'key_crc'),
        signature: bytesToBase64(bytesOrNull(r, 'signature')!),
      })),
    });
  }
  return out;
}

/**
 * Verifiers of a gateway's CUPS credential: SHA-256 of the tokens of g and g + 1 (batch gateway,
 * one GMK derivation through the HSM, zeroed after), or the stored SHA-256 of an added gateway's
 * header. A batch gateway whose root key this server lacks gets none (CUPS could not check it here
 * either).
 */
async function verifiersOf(
  env: CoreEnv,
  row: GatewayRow,
  brk: Parameters<typeof deriveGmk>[1] | undefined,
  id: bigint,
): Promise<SitePackVerifier[]> {
  if (row.origin === 'added') {
    return row.tokenHash === null
      ? []
      : [{ kind: 'header', generation: null, sha256: bytesToHex(row.tokenHash) }];
  }
  if (brk === undefined) return [];
  const g = row.tokenGeneration;
  const generations = g < MAX_TOKEN_GENERATION ? [g, g + 1] : [g];
  const gmk = await deriveGmk(env.hsm, brk, id);
  try {
    return generations.map((gen) => ({
      kind: 'token',
      generation: gen,
      sha256: bytesToHex(sha256(cupsTokenFromGmk(gmk, gen))),
    }));
  } finally {
    gmk.fill(0);
  }
}
