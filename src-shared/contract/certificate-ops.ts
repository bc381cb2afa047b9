/**
 * Owner API operations of gateway TLS client certificates (SPEC §3.1 certificate mode) and of the
 * station's update-signing public key (SPEC §3.4), each declared once:
 *
 * | path | body | answer |
 * |---|---|---|
 * | `/api/v1/certificate/issue` (admin key) | `{gateway, days?}` | `{gateway, eui, fingerprint, notAfter, cert, key}` (PEM; the key is SEC1 and shown once) |
 * | `/api/v1/certificate/list` | `{ownerid, gateway}` | `{gateway, certificates: [...]}` |
 * | `/api/v1/certificate/revoke` | `{ownerid, gateway, fingerprint?}` | `{gateway, revoked: [fingerprint…]}` (without a fingerprint: every certificate of the gateway) |
 * | `/api/v1/firmware/station-key` | `{}` | `{keyCrc, key}`: Base64 of the 64-byte `sig-0.key` |
 *
 * Runs anywhere: imports only zod and other `src-shared` modules.
 */
import { z } from 'zod';
import { ADMIN_ONLY, ALL_ROLES, INSTALLERS } from '../channel';
import { plainOperation } from './operation';
import { GatewayIdSchema, OwnerIdSchema } from './values';

/** Longest validity an issued gateway certificate may ask for (the local CA's own life). */
const MAX_CERTIFICATE_DAYS = 3650;

const FingerprintSchema = z
  .string()
  .regex(
    /^(?:[0-9A-Fa-f]{64}|[0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){31})$/,
    'expected a SHA-256 fingerprint: 64 hex digits, colons allowed',
  )
  .describe('SHA-256 fingerprint of the certificate DER (as `openssl x509 -fingerprint -sha256` prints it)');

/** A recorded certificate of a gateway (no key). */
const CertificateRecordSchema = z.object({
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
});
/** A recorded certificate. */
export type CertificateRecord = z.output<typeof CertificateRecordSchema>;

/** `certificate/issue`: a client certificate from the station's CA (admin key). */
export const CERTIFICATE_ISSUE = plainOperation({
  request: z.strictObject({
    gateway: GatewayIdSchema,
    days: z.number().int().min(1).max(MAX_CERTIFICATE_DAYS).optional().describe('validity (default 3650)'),
  }),
  response: z.object({
    gateway: z.string(),
    eui: z.string().describe('16 hex digits: the certificate CN'),
    fingerprint: z.string(),
    notAfter: z.string(),
    cert: z.string().describe('PEM certificate: the gateway’s cups.crt'),
    key: z.string().describe('PEM EC PRIVATE KEY (SEC1): the gateway’s cups.key — shown once, never stored'),
  }),
  scope: 'admin',
  roles: ADMIN_ONLY,
  summary: 'Issue a gateway TLS client certificate with the station’s CA (admin key; SPEC §3.1)',
});

/** `certificate/list`: the certificates recorded for a gateway (scope `read`). */
export const CERTIFICATE_LIST = plainOperation({
  request: z.strictObject({ ownerid: OwnerIdSchema, gateway: GatewayIdSchema }),
  response: z.object({ gateway: z.string(), certificates: z.array(CertificateRecordSchema) }),
  scope: 'read',
  roles: ALL_ROLES,
  summary: 'List the certificates recorded for a gateway',
});

/** `certificate/revoke`: one certificate, or every one of a gateway (scope `setup`). */
export const CERTIFICATE_REVOKE = plainOperation({
  request: z.strictObject({
    ownerid: OwnerIdSchema,
    gateway: GatewayIdSchema,
    fingerprint: FingerprintSchema.optional().describe(
      'the certificate to revoke; absent: every recorded one',
    ),
  }),
  response: z.object({
    gateway: z.string(),
    revoked: z.array(z.string()).describe('fingerprints revoked by this request'),
  }),
  scope: 'setup',
  roles: INSTALLERS,
  summary: 'Revoke one certificate (fingerprint) or every certificate of a gateway; CUPS then answers 403',
});

/** `firmware/station-key`: the station's update-signing public key as sig-0.key (SPEC §3.4). */
export const STATION_KEY = plainOperation({
  request: z.strictObject({}),
  response: z.object({
    keyCrc: z.number().int().describe('CRC-32 of the key file: what a gateway holding it lists in `keys`'),
    key: z.string().describe('Base64 of the 64-byte sig-0.key (X ‖ Y of the P-256 public key)'),
  }),
  scope: 'read',
  roles: ALL_ROLES,
  summary: 'The station’s update-signing public key as sig-0.key (404 when it has none; SPEC §3.4)',
});
