/**
 * CUPS authentication of a request that came over TLS (SPEC §3.1, §3.6), by what the connection
 * carries:
 * - a client certificate the TLS layer verified against the configured client CAs: it must name
 *   exactly the request's `router`, allow clientAuth and not be revoked (`client-certs/service.ts`,
 *   one store read); otherwise 403, audited. A presented certificate that did not verify is 403 too;
 * - an `Authorization` header: a batch gateway must present `Bearer <token>` of generation g or
 *   g + 1 (SPEC §2), an added gateway the token it was added with (compared by SHA-256); else 401;
 * - neither (server-auth only, e.g. a token-less bootstrap): 401.
 * Tokens are compared in constant time against every accepted generation, so timing says nothing
 * about which one matched. Plain-HTTP requests are never authenticated (the handler's concern).
 */
import type { CupsAnswer, CupsAuth } from '../api';
import type { Batch } from '../batches';
import { refusalAudit, type ClientCertificates } from '../client-certs/service';
import type { CertificateIdentity } from '../client-certs/identity';
import { digestsEqual, sha256 } from '../digest';
import type { GatewayRow } from '../gateways/rows';
import { MAX_TOKEN_GENERATION } from '../kdf';
import type { Store } from '../ports';
import type { CupsTokens } from './tokens';

const BEARER = /^Bearer +([A-Za-z0-9_-]{43})$/;

/** An audit entry a CUPS answer causes (target: the gateway). */
export interface CupsAudit {
  action: string;
  detail: Record<string, unknown>;
}

/** How a request authenticated. */
export type Credential =
  /** a batch gateway's token of this generation (SPEC §2) */
  | { kind: 'token'; generation: number }
  /** an added gateway's own token (SPEC §4.2 `add`) */
  | { kind: 'added_token' }
  /** a TLS client certificate; `known` = already in the certificate table */
  | { kind: 'certificate'; identity: CertificateIdentity; known: boolean };

/** Result of {@link authenticate}: the credential, or the refusal (with its audit, if any). */
export type Authn =
  { ok: true; credential: Credential } | { ok: false; answer: CupsAnswer; audit?: CupsAudit | undefined };

/** What {@link authenticate} looks at. */
interface AuthenticateInput {
  auth: CupsAuth;
  router: bigint;
  /** `router` as 16 hex */
  hex: string;
  /** the gateway row (undefined: not known to the Owner API) */
  row: GatewayRow | undefined;
  /** the batch that derives its tokens (undefined for an added gateway or outside every batch) */
  batch: Batch | undefined;
}

/** Collaborators of {@link authenticate}. */
export interface AuthenticateDeps {
  store: Store;
  tokens: CupsTokens;
  clientCerts: ClientCertificates;
}

const UNAUTHORIZED = (reason: string): Authn => ({
  ok: false,
  answer: { status: 401, reason, outcome: 'unauthorized' },
});
/** The answer to a TLS request without any credential (SPEC §3.6 → 401). */
export const REQUIRED: CupsAnswer = {
  status: 401,
  reason: 'authentication required',
  outcome: 'unauthorized',
};
const INVALID = UNAUTHORIZED('invalid token');

/** Authenticates a TLS request (see the module comment). Reads the store only for a certificate. */
export async function authenticate(input: AuthenticateInput, deps: AuthenticateDeps): Promise<Authn> {
  const { auth, router, hex, row, batch } = input;
  if (auth.clientCertificate !== undefined) {
    const der = auth.clientCertificate;
    const c = await deps.store.read((tx) => deps.clientCerts.authenticate(tx, der, router));
    if (!c.ok) {
      return {
        ok: false,
        answer: { status: 403, reason: c.reason, outcome: c.outcome },
        audit: { action: 'cups.certificate_refused', detail: refusalAudit(c.reason, c.identity) },
      };
    }
    return { ok: true, credential: { kind: 'certificate', identity: c.identity, known: c.known } };
  }
  if (auth.clientCertificateRejected !== undefined) {
    return {
      ok: false,
      answer: {
        status: 403,
        reason: `client certificate not trusted (${auth.clientCertificateRejected})`,
        outcome: 'cert_untrusted',
      },
      audit: {
        action: 'cups.certificate_refused',
        detail: refusalAudit(`not trusted: ${auth.clientCertificateRejected}`, undefined),
      },
    };
  }
  const header = auth.authorization;
  if (header === undefined || header === '') return { ok: false, answer: REQUIRED };
  if (row?.origin === 'added') {
    return row.tokenHash !== null && digestsEqual(sha256(header), row.tokenHash)
      ? { ok: true, credential: { kind: 'added_token' } }
      : INVALID;
  }
  const m = BEARER.exec(header);
  if (batch === undefined || m === null) return INVALID;
  const g = row?.tokenGeneration ?? 0;
  const generations = g < MAX_TOKEN_GENERATION ? [g, g + 1] : [g];
  const entries =
    deps.tokens.cached(hex, generations) ??
    (await deps.tokens.entries({ hex, id: router, batch }, generations));
  const presented = sha256(m[1]!);
  const matches = entries.map((e) => digestsEqual(presented, e.digest));
  const at = matches.indexOf(true);
  return at < 0 ? INVALID : { ok: true, credential: { kind: 'token', generation: generations[at]! } };
}
