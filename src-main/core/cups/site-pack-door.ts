/**
 * Local CUPS from the site pack (docs/sync.md "Local CUPS from the site pack"): the alternative to
 * `authenticate.ts` + `plan.ts` for a gateway the station holds no batch root key for but whose
 * owner's site pack lists it.
 *
 * - Authentication (SPEC §3.1, §3.6): a batch gateway presents `Bearer <token>`; SHA-256 of the
 *   token is compared in constant time with **every** verifier of the pack (generation g and
 *   g + 1, SPEC §2), so timing says nothing about which matched. A generation below the one the
 *   gateway already authenticated with here is retired (the rotation was taken up). An added
 *   gateway's whole header is compared with its header verifier. No header or a wrong token: 401.
 * - A client certificate (SPEC §3.1 certificate mode, docs/sync.md "Client certificates from the
 *   pack"): accepted when it names exactly this gateway, allows clientAuth, is within its validity,
 *   was issued (signature checked) by one of the pack's client CAs — the remote's, not the
 *   station's own, which the TLS layer checked — and its SHA-256 fingerprint is one the pack lists
 *   for the gateway (recorded and not revoked at the remote). Anything else: 403 with the reason,
 *   audited `cups.certificate_refused` with `via: "site pack"`.
 * - The answer (SPEC §3.2, §3.6): the pack's desired state, each part only where it differs from
 *   the report. When the remote stays the gateway's CUPS (`cupsCredFromToken`), the cupsCred is the
 *   remote's CUPS trust ‖ 00000000 ‖ the cups.key of the token the gateway just presented
 *   (SPEC §3.3 token blob) — built for this answer only, never stored. Plain HTTP gets URIs only.
 * - Firmware (SPEC §3.4, docs/sync.md "Firmware from the pack"): planned like the remote plans it —
 *   due once `fwAfter` has passed, not when the remote (`sentAt`) or this station already delivered
 *   it for this setup, with the signature of the first key in the request's `keys` that signed it
 *   (none of them: nothing is sent, `firmwareBlocked`). The handler claims the delivery.
 */
import { X509Certificate } from 'node:crypto';
import { crc32 } from '../../../src-shared/crc32';
import { tokenBlob, type UpdateInfoRequest, type UpdateInfoResponse } from '../../../src-shared/cups-wire';
import { euiFromHex, euiHex, formatId6 } from '../../../src-shared/ids';
import type { CupsAuth } from '../api';
import { certificateIdentity, type CertificateIdentity } from '../client-certs/identity';
import { refusalAudit } from '../client-certs/service';
import { digestsEqual, sha256 } from '../digest';
import { cupsKeyFileContent } from '../kdf';
import type { PackEntry } from '../sync/site-pack';
import { REQUIRED, type Authn } from './authenticate';
import { decideUpdate, type DesiredState, type FirmwareWant } from './decide';

const BEARER = /^Bearer +([A-Za-z0-9_-]{43})$/;

/** A pack authentication: the credential and, for a batch gateway, the token it presented. */
export type PackAuthn = Authn & { token?: string };

const INVALID: PackAuthn = {
  ok: false,
  answer: { status: 401, reason: 'invalid token', outcome: 'unauthorized' },
};

/** The pack's client CAs and the time, for a certificate (see the module comment). */
export interface PackCertContext {
  clientCas: readonly X509Certificate[];
  /** milliseconds since the epoch */
  now: number;
}

function refused(reason: string, outcome: string, identity: CertificateIdentity | undefined): PackAuthn {
  return {
    ok: false,
    answer: { status: 403, reason, outcome },
    audit: {
      action: 'cups.certificate_refused',
      detail: { ...refusalAudit(reason, identity), via: 'site pack' },
    },
  };
}

/** A presented client certificate against the pack's entry and CAs (see the module comment). */
function authenticateCertificate(der: Uint8Array, entry: PackEntry, at: PackCertContext): PackAuthn {
  let identity: CertificateIdentity;
  let cert: X509Certificate;
  try {
    identity = certificateIdentity(der);
    cert = new X509Certificate(der);
  } catch {
    return refused('client certificate does not parse', 'forbidden', undefined);
  }
  const router = formatId6(euiFromHex(entry.hex));
  if (!identity.clientAuth)
    return refused('certificate is not for TLS client authentication', 'cert_refused', identity);
  if (identity.gateway === undefined)
    return refused(
      identity.named.length === 0
        ? 'certificate names no gateway (CN or SAN must be the EUI)'
        : 'certificate names several gateways',
      'cert_refused',
      identity,
    );
  if (euiHex(identity.gateway) !== entry.hex)
    return refused(
      `certificate is for ${formatId6(identity.gateway)}, not router ${router}`,
      'cert_mismatch',
      identity,
    );
  if (!at.clientCas.some((ca) => cert.checkIssued(ca) && cert.verify(ca.publicKey)))
    return refused('client certificate not issued by a CA of the site pack', 'cert_untrusted', identity);
  if (at.now < Date.parse(cert.validFrom) || at.now > Date.parse(cert.validTo))
    return refused('client certificate expired or not yet valid', 'cert_untrusted', identity);
  if (!entry.certificates.has(identity.fingerprint))
    return refused(
      'certificate not in the site pack (revoked or unknown at the remote)',
      'cert_revoked',
      identity,
    );
  return { ok: true, credential: { kind: 'certificate', identity, known: true } };
}

/**
 * Authenticates a TLS request against the pack: a client certificate against the pack's
 * fingerprints and CAs, else the `Authorization` header against its verifiers (see the module
 * comment).
 */
export function authenticateByPack(auth: CupsAuth, entry: PackEntry, at: PackCertContext): PackAuthn {
  const der = auth.clientCertificate ?? auth.clientCertificateUnverified;
  if (der !== undefined) return authenticateCertificate(der, entry, at);
  if (auth.clientCertificateRejected !== undefined)
    return refused(
      `client certificate not trusted (${auth.clientCertificateRejected})`,
      'cert_untrusted',
      undefined,
    );
  const header = auth.authorization;
  if (header === undefined || header === '') return { ok: false, answer: REQUIRED };
  if (entry.origin === 'added') {
    const presented = sha256(header);
    let ok = false;
    for (const v of entry.verifiers) if (v.kind === 'header' && digestsEqual(presented, v.digest)) ok = true;
    return ok ? { ok: true, credential: { kind: 'added_token' } } : INVALID;
  }
  const m = BEARER.exec(header);
  if (m === null) return INVALID;
  const presented = sha256(m[1]!);
  const floor = Math.max(entry.tokenGeneration, entry.seenGeneration ?? 0);
  let matched: number | undefined;
  for (const v of entry.verifiers) {
    // every verifier is compared, whichever matches
    const equal = digestsEqual(presented, v.digest);
    if (equal && v.kind === 'token' && v.generation !== null && v.generation >= floor) matched = v.generation;
  }
  return matched === undefined
    ? INVALID
    : { ok: true, credential: { kind: 'token', generation: matched }, token: m[1]! };
}

/**
 * The answer a packed gateway gets: "not configured" (404) or the segments to send, and the key
 * whose signature goes with a due firmware update (the handler claims the delivery first).
 */
export type PackPlan =
  | { kind: 'not_configured' }
  | {
      kind: 'answer';
      response: UpdateInfoResponse;
      firmwareKeyCrc: number | undefined;
      firmwareBlocked: boolean;
    };

/** The pack's firmware of `entry` as CUPS wants it at `nowIso` (SPEC §3.4), or null: none due. */
function firmwareOf(entry: PackEntry, nowIso: string): FirmwareWant | null {
  const fw = entry.firmware;
  if (fw === null) return null;
  return {
    fwcrc: fw.fwcrc,
    keyCrcs: fw.keyCrcs,
    due: fw.fwAfter === null || fw.fwAfter <= nowIso,
    sent: fw.sentAt !== null || entry.delivered !== null,
  };
}

/**
 * Plans the answer from the pack's desired state (see the module comment). `token` is the token
 * the gateway authenticated with (batch gateway); undefined over plain HTTP.
 */
export function planFromPack(
  req: UpdateInfoRequest,
  entry: PackEntry,
  trust: Uint8Array | null,
  authenticated: boolean,
  token: string | undefined,
  nowIso: string,
): PackPlan {
  const d = entry.desired;
  if (d === null) return { kind: 'not_configured' };
  let cupsCred: Uint8Array | null = null;
  if (authenticated) {
    if (d.cupsCred !== null) cupsCred = d.cupsCred;
    else if (d.cupsCredFromToken && trust !== null && token !== undefined) {
      cupsCred = tokenBlob(trust, cupsKeyFileContent(token));
    }
  }
  const lnsCred = authenticated ? d.lnsCred : null;
  const want: DesiredState = {
    cupsUri: d.cupsUri,
    cupsCredCrc: cupsCred === null ? null : crc32(cupsCred),
    lnsUri: d.lnsUri,
    lnsCredCrc: lnsCred === null ? null : (d.lnsCredCrc ?? crc32(lnsCred)),
    firmware: authenticated ? firmwareOf(entry, nowIso) : null,
  };
  const decided = decideUpdate(req, want);
  const response: UpdateInfoResponse = {};
  if (decided.cupsUri !== undefined) response.cupsUri = decided.cupsUri;
  if (decided.tcUri !== undefined) response.tcUri = decided.tcUri;
  if (decided.cupsCred && cupsCred !== null) response.cupsCred = cupsCred;
  if (decided.tcCred && lnsCred !== null) response.tcCred = lnsCred;
  return {
    kind: 'answer',
    response,
    firmwareKeyCrc: decided.firmwareKeyCrc,
    firmwareBlocked: decided.firmwareBlocked,
  };
}
