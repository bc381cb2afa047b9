/**
 * Owner API contract of gateway TLS client certificates (SPEC §3.1 certificate mode) and of the
 * station's update-signing public key (SPEC §3.4), beside `owner-api.ts`:
 *
 * | path | body | answer |
 * |---|---|---|
 * | `/api/v1/certificate/issue` (admin key) | `{gateway, days?}` | `{gateway, eui, fingerprint, notAfter, cert, key}` (PEM; the key is SEC1 and shown once) |
 * | `/api/v1/certificate/list` | `{ownerid, gateway}` | `{gateway, certificates: [...]}` |
 * | `/api/v1/certificate/revoke` | `{ownerid, gateway, fingerprint?}` | `{gateway, revoked: [fingerprint…]}` (without a fingerprint: every certificate of the gateway) |
 * | `/api/v1/firmware/station-key` | `{}` | `{keyCrc, key}`: Base64 of the 64-byte `sig-0.key` |
 *
 * Failures use the `{error, code}` envelope with the field path, as the rest of the Owner API.
 */
import { z } from 'zod';
import type { ErrorBody } from './errors';
import { GatewayIdSchema, OwnerIdSchema, describeIssues } from './owner-api';

/** Certificate operations. Path: `/api/v1/certificate/<op>`. */
export const CERTIFICATE_OPERATIONS = ['issue', 'list', 'revoke'] as const;
export type CertificateOperation = (typeof CERTIFICATE_OPERATIONS)[number];

/** Longest validity an issued gateway certificate may ask for (the local CA's own life). */
export const MAX_CERTIFICATE_DAYS = 3650;

const FingerprintSchema = z
  .string()
  .regex(
    /^(?:[0-9A-Fa-f]{64}|[0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){31})$/,
    'expected a SHA-256 fingerprint: 64 hex digits, colons allowed',
  )
  .describe('SHA-256 fingerprint of the certificate DER (as `openssl x509 -fingerprint -sha256` prints it)');

export const CertificateIssueRequestSchema = z.strictObject({
  gateway: GatewayIdSchema,
  days: z.number().int().min(1).max(MAX_CERTIFICATE_DAYS).optional().describe('validity (default 3650)'),
});
export const CertificateListRequestSchema = z.strictObject({
  ownerid: OwnerIdSchema,
  gateway: GatewayIdSchema,
});
export const CertificateRevokeRequestSchema = z.strictObject({
  ownerid: OwnerIdSchema,
  gateway: GatewayIdSchema,
  fingerprint: FingerprintSchema.optional().describe('the certificate to revoke; absent: every recorded one'),
});

/** Request schema of each certificate operation. */
export const CERTIFICATE_REQUEST_SCHEMAS = {
  issue: CertificateIssueRequestSchema,
  list: CertificateListRequestSchema,
  revoke: CertificateRevokeRequestSchema,
} as const;
/** Request body type of each certificate operation. */
export type CertificateRequests = {
  [K in CertificateOperation]: z.infer<(typeof CERTIFICATE_REQUEST_SCHEMAS)[K]>;
};

export const CertificateIssueResponseSchema = z.object({
  gateway: z.string(),
  eui: z.string().describe('16 hex digits: the certificate CN'),
  fingerprint: z.string(),
  notAfter: z.string(),
  cert: z.string().describe('PEM certificate: the gateway’s cups.crt'),
  key: z.string().describe('PEM EC PRIVATE KEY (SEC1): the gateway’s cups.key — shown once, never stored'),
});
export const CertificateListResponseSchema = z.object({
  gateway: z.string(),
  certificates: z.array(
    z.object({
      fingerprint: z.string(),
      gateway: z.string(),
      source: z
        .enum(['issued', 'seen', 'listed'])
        .describe('issued here, first seen at CUPS, or revoked by fingerprint'),
      serial: z.string().nullable(),
      subject: z.string().nullable(),
      notAfter: z.string().nullable(),
      createdAt: z.string(),
      revokedAt: z.string().nullable(),
    }),
  ),
});
export const CertificateRevokeResponseSchema = z.object({
  gateway: z.string(),
  revoked: z.array(z.string()).describe('fingerprints revoked by this request'),
});

export const StationKeyRequestSchema = z.strictObject({});
export const StationKeyResponseSchema = z.object({
  keyCrc: z.number().int().describe('CRC-32 of the key file: what a gateway holding it lists in `keys`'),
  key: z.string().describe('Base64 of the 64-byte sig-0.key (X ‖ Y of the P-256 public key)'),
});

/** Validates a decoded JSON body against `schema`; failures as the rest of the Owner API. */
export function parseApiBody<T>(
  schema: z.ZodType<T>,
  body: unknown,
): { ok: true; value: T } | { ok: false; error: ErrorBody } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    const kind = body === null ? 'null' : Array.isArray(body) ? 'array' : typeof body;
    return {
      ok: false,
      error: { error: `body: expected a JSON object, got ${kind}`, code: 'invalid_request' },
    };
  }
  const r = schema.safeParse(body, { reportInput: true });
  if (r.success) return { ok: true, value: r.data };
  return { ok: false, error: describeIssues(r.error.issues) };
}
