/**
 * TLS client certificates of gateways (SPEC §3.1 certificate mode: `cups.crt` + `cups.key`).
 *
 * - The HTTPS door verifies the chain against the configured client CAs (the station's local CA,
 *   plus any the operator adds) and hands the core the verified DER.
 * - {@link ClientCertificates.authenticate} (the CUPS hot path) binds it to the request: the
 *   certificate must name exactly one gateway (see `identity.ts`), that gateway must be the
 *   request's `router`, it must allow clientAuth, and its fingerprint must not be revoked.
 *   Anything else is 403, and the refusal is audited.
 * - {@link ClientCertificates.issue} makes a certificate with the station's CA (admin, like factory
 *   personalization): EC P-256, CN = 16-hex EUI, DNS SAN = the EUI in lower case, the key as SEC1.
 * - {@link ClientCertificates.revoke}: the gateway's owner (scope `setup`) or an admin revokes one
 *   certificate by fingerprint, or every certificate recorded for the gateway (issued here, or
 *   seen at CUPS when issued elsewhere).
 */
import type { CertificateRecord } from '../../../src-shared/contract/certificate-ops';
import { DomainError } from '../../../src-shared/errors';
import { euiFromHex, euiHex, formatId6, parseIdField } from '../../../src-shared/ids';
import type { RequestContext } from '../context';
import { actorOf, auditWriter } from '../audit';
import { authorizeOwner, isAdmin, requireAdmin, type OwnerRef } from '../authorize';
import type { Batches } from '../batches';
import { derToPem } from '../credentials';
import { isoAt, type CoreEnv } from '../env';
import { loadGateways, requireOwned } from '../gateways/rows';
import type { CertificateAuthority, SqlRow, Tx } from '../ports';
import { textOf, textOrNull } from '../rows';
import { certificateFingerprint, certificateIdentity, type CertificateIdentity } from './identity';

/** Default validity of an issued gateway certificate (≈ 10 years: gateways live long, revoke instead). */
const DEFAULT_CLIENT_CERT_DAYS = 3650;

/** A certificate issued for a gateway, with its key — shown once, never stored. */
export interface GatewayCertificate {
  gateway: string;
  eui: string;
  fingerprint: string;
  notAfter: string;
  certDer: Uint8Array;
  /** SEC1 DER (`30 77 …`), the form a credential blob carries (SPEC §3.3) */
  keyDer: Uint8Array;
  certPem: string;
  /** SEC1 PEM (`EC PRIVATE KEY`), which the station reads as `cups.key` */
  keyPem: string;
}

/** Outcome of certificate authentication at CUPS. */
type CertAuthn =
  | { ok: true; fingerprint: string; identity: CertificateIdentity; known: boolean }
  | { ok: false; reason: string; outcome: string; identity: CertificateIdentity | undefined };

/** Detail of the audit entry `cups.certificate_refused` (no secret: a certificate is public). */
export function refusalAudit(
  reason: string,
  identity: CertificateIdentity | undefined,
): Record<string, unknown> {
  return {
    reason,
    fingerprint: identity?.fingerprint ?? null,
    subject: identity?.subject.slice(0, 200) ?? null,
    named: identity?.named.map((h) => formatId6(euiFromHex(h))) ?? [],
  };
}

const FINGERPRINT = /^[0-9a-f]{64}$/;

/**
 * A fingerprint as given: 64 hex digits, colons allowed (`AA:BB:…`, as Node and openssl print it).
 * @throws DomainError('invalid_request', 'fingerprint: …')
 */
function parseFingerprint(input: unknown): string {
  const v = typeof input === 'string' ? input.replace(/:/g, '').toLowerCase() : '';
  if (!FINGERPRINT.test(v)) {
    throw new DomainError(
      'invalid_request',
      `fingerprint: ${JSON.stringify(input)?.slice(0, 80)} is not a SHA-256 fingerprint (64 hex digits, colons allowed)`,
      { field: 'fingerprint' },
    );
  }
  return v;
}

function recordOf(r: SqlRow): CertificateRecord {
  const source = textOf(r, 'source');
  return {
    fingerprint: textOf(r, 'fingerprint'),
    gateway: formatId6(euiFromHex(textOf(r, 'eui'))),
    source: source === 'issued' || source === 'seen' ? source : 'listed',
    serial: textOrNull(r, 'serial'),
    subject: textOrNull(r, 'subject'),
    notAfter: textOrNull(r, 'not_after'),
    createdAt: textOf(r, 'created_at'),
    revokedAt: textOrNull(r, 'revoked_at'),
  };
}

const COLUMNS = 'fingerprint, eui, source, serial, subject, not_after, created_at, revoked_at';

/** Gateway client certificates: issue, list, revoke, and authentication at CUPS. */
export class ClientCertificates {
  constructor(
    private readonly env: CoreEnv,
    private readonly batches: Batches,
    private readonly ca: CertificateAuthority | undefined,
  ) {}

  /** True when the station can issue certificates (a CA is wired in). */
  canIssue(): boolean {
    return this.ca !== undefined;
  }

  /**
   * Issues a client certificate for a gateway known to the station (in a batch, or added) with
   * the station's CA (admin). The key is returned once and never stored.
   * @throws DomainError('forbidden' | 'invalid_id' | 'not_found' | 'invalid_request')
   */
  async issue(
    ctx: RequestContext,
    gateway: string,
    options: { days?: number | undefined } = {},
  ): Promise<GatewayCertificate> {
    requireAdmin(ctx);
    const id = parseIdField(gateway, 'gateway');
    const hex = euiHex(id);
    const id6 = formatId6(id);
    if (this.ca === undefined) {
      throw new DomainError(
        'invalid_request',
        'certificate: this station has no certificate authority configured',
      );
    }
    const known =
      (await this.batches.batchOf(id)) !== undefined ||
      (await this.env.store.read((tx) => loadGateways(tx, [hex]))).has(hex);
    if (!known) {
      throw new DomainError('not_found', `gateway ${id6} is outside every batch and was not added`, {
        field: 'gateway',
      });
    }
    const days = options.days ?? DEFAULT_CLIENT_CERT_DAYS;
    const issued = await this.ca.issueClientCertificate({
      commonName: hex,
      dnsNames: [hex.toLowerCase()],
      days,
    });
    const fingerprint = certificateFingerprint(issued.certDer);
    const at = isoAt(this.env.clock.now());
    await this.env.store.transaction(async (tx) => {
      await tx.run(`INSERT INTO client_certificates (${COLUMNS}) VALUES (?, ?, 'issued', ?, ?, ?, ?, NULL)`, [
        fingerprint,
        hex,
        issued.serial,
        `CN=${hex}`,
        issued.notAfter,
        at,
      ]);
      await auditWriter(this.env, tx, ctx).add('certificate.issue', id6, {
        fingerprint,
        serial: issued.serial,
        notAfter: issued.notAfter,
      });
    });
    return {
      gateway: id6,
      eui: hex,
      fingerprint,
      notAfter: issued.notAfter,
      certDer: issued.certDer,
      keyDer: issued.keyDer,
      certPem: derToPem(issued.certDer, 'CERTIFICATE'),
      keyPem: derToPem(issued.keyDer, 'EC PRIVATE KEY'),
    };
  }

  /** Owner of the gateway (scope) or admin (`ownerId` null); returns the gateway's key. */
  async #gatewayOf(
    ctx: RequestContext,
    ownerId: string | null,
    gateway: string,
    scope: 'setup' | 'read',
  ): Promise<{ hex: string; id6: string; owner: OwnerRef | null }> {
    let owner: OwnerRef | null = null;
    if (ownerId === null) requireAdmin(ctx);
    else owner = await authorizeOwner(this.env, ctx, ownerId, scope);
    const id = parseIdField(gateway, 'gateway');
    const hex = euiHex(id);
    const id6 = formatId6(id);
    if (owner !== null) {
      const rows = await this.env.store.read((tx) => loadGateways(tx, [hex]));
      requireOwned(rows.get(hex), await this.batches.batchOf(id), owner, id6, isAdmin(ctx.principal));
    }
    return { hex, id6, owner };
  }

  /**
   * Certificates recorded for a gateway, newest first: those issued here and those seen at CUPS.
   * @throws DomainError('forbidden' | 'not_claimed' | 'claimed_by_other' | 'not_found' | 'invalid_id')
   */
  async list(
    ctx: RequestContext,
    ownerId: string | null,
    gateway: string,
  ): Promise<{ gateway: string; certificates: CertificateRecord[] }> {
    const { hex, id6 } = await this.#gatewayOf(ctx, ownerId, gateway, 'read');
    const rows = await this.env.store.read((tx) =>
      tx.all(
        `SELECT ${COLUMNS} FROM client_certificates WHERE eui = ? ORDER BY created_at DESC, fingerprint`,
        [hex],
      ),
    );
    return { gateway: id6, certificates: rows.map(recordOf) };
  }

  /**
   * Revokes a gateway's certificate `fingerprint`, or (without one) every certificate recorded for
   * it. A fingerprint never seen is recorded as revoked, so it is refused from its first use.
   * Returns the fingerprints revoked now (already revoked ones are not repeated).
   * @throws DomainError('not_found' when nothing is recorded to revoke; 'conflict' for a fingerprint
   *   bound to another gateway; 'forbidden' | 'not_claimed' | 'claimed_by_other' | 'invalid_request')
   */
  async revoke(
    ctx: RequestContext,
    ownerId: string | null,
    gateway: string,
    fingerprintInput?: string,
  ): Promise<{ gateway: string; revoked: string[] }> {
    const { hex, id6 } = await this.#gatewayOf(ctx, ownerId, gateway, 'setup');
    const fingerprint = fingerprintInput === undefined ? undefined : parseFingerprint(fingerprintInput);
    const at = isoAt(this.env.clock.now());
    const actor = actorOf(ctx.principal);
    const revoked = await this.env.store.transaction(async (tx) => {
      const out: string[] = [];
      if (fingerprint !== undefined) {
        const row = await tx.get(`SELECT ${COLUMNS} FROM client_certificates WHERE fingerprint = ?`, [
          fingerprint,
        ]);
        if (row === undefined) {
          await tx.run(
            `INSERT INTO client_certificates (${COLUMNS}, revoked_by) VALUES (?, ?, 'listed', NULL, NULL, NULL, ?, ?, ?)`,
            [fingerprint, hex, at, at, actor],
          );
          out.push(fingerprint);
        } else if (textOf(row, 'eui') !== hex) {
          throw new DomainError(
            'conflict',
            `fingerprint: the certificate ${fingerprint} belongs to another gateway`,
            {
              field: 'fingerprint',
            },
          );
        } else if (textOrNull(row, 'revoked_at') === null) {
          await tx.run(
            'UPDATE client_certificates SET revoked_at = ?, revoked_by = ? WHERE fingerprint = ?',
            [at, actor, fingerprint],
          );
          out.push(fingerprint);
        }
      } else {
        const rows = await tx.all(
          'SELECT fingerprint FROM client_certificates WHERE eui = ? AND revoked_at IS NULL ORDER BY fingerprint',
          [hex],
        );
        const any = await tx.get('SELECT fingerprint FROM client_certificates WHERE eui = ?', [hex]);
        if (any === undefined) {
          throw new DomainError(
            'not_found',
            `gateway ${id6} has no recorded certificate; give the fingerprint of the one to revoke`,
            { field: 'fingerprint' },
          );
        }
        await tx.run(
          'UPDATE client_certificates SET revoked_at = ?, revoked_by = ? WHERE eui = ? AND revoked_at IS NULL',
          [at, actor, hex],
        );
        for (const r of rows) out.push(textOf(r, 'fingerprint'));
      }
      if (out.length > 0)
        await auditWriter(this.env, tx, ctx).add('certificate.revoke', id6, { fingerprints: out });
      return out;
    });
    return { gateway: id6, revoked };
  }

  /**
   * CUPS authentication by a verified client certificate (SPEC §3.1, §3.6 → 403 on refusal), inside
   * the CUPS transaction `tx`: the certificate must name exactly `router`, allow clientAuth, and not
   * be revoked. The caller audits a refusal ({@link refusalAudit}).
   */
  async authenticate(tx: Tx, der: Uint8Array, router: bigint): Promise<CertAuthn> {
    let identity: CertificateIdentity;
    try {
      identity = certificateIdentity(der);
    } catch {
      return {
        ok: false,
        reason: 'client certificate does not parse',
        outcome: 'forbidden',
        identity: undefined,
      };
    }
    const routerHex = euiHex(router);
    let refusal: { reason: string; outcome: string } | undefined;
    if (!identity.clientAuth) {
      refusal = { reason: 'certificate is not for TLS client authentication', outcome: 'cert_refused' };
    } else if (identity.gateway === undefined) {
      refusal = {
        reason:
          identity.named.length === 0
            ? 'certificate names no gateway (CN or SAN must be the EUI)'
            : 'certificate names several gateways',
        outcome: 'cert_refused',
      };
    } else if (euiHex(identity.gateway) !== routerHex) {
      refusal = {
        reason: `certificate is for ${formatId6(identity.gateway)}, not router ${formatId6(router)}`,
        outcome: 'cert_mismatch',
      };
    }
    let known = false;
    if (refusal === undefined) {
      const row = await tx.get('SELECT eui, revoked_at FROM client_certificates WHERE fingerprint = ?', [
        identity.fingerprint,
      ]);
      known = row !== undefined;
      if (row !== undefined && textOrNull(row, 'revoked_at') !== null) {
        refusal = { reason: 'certificate revoked', outcome: 'cert_revoked' };
      } else if (row !== undefined && textOf(row, 'eui') !== routerHex) {
        refusal = { reason: 'certificate is bound to another gateway', outcome: 'cert_mismatch' };
      }
    }
    if (refusal !== undefined) return { ok: false, ...refusal, identity };
    return { ok: true, fingerprint: identity.fingerprint, identity, known };
  }

  /** Records a certificate first met at CUPS (issued elsewhere), so it can be revoked by gateway. */
  async recordSeen(tx: Tx, router: bigint, identity: CertificateIdentity, at: string): Promise<void> {
    await tx.run(
      `INSERT INTO client_certificates (${COLUMNS}) VALUES (?, ?, 'seen', ?, ?, ?, ?, NULL)
       ON CONFLICT (fingerprint) DO NOTHING`,
      [
        identity.fingerprint,
        euiHex(router),
        identity.serial,
        identity.subject.slice(0, 500),
        identity.notAfter,
        at,
      ],
    );
  }
}
