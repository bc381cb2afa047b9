/**
 * The site pack (docs/sync.md "Site packs"): what a station needs to serve CUPS for its owner's
 * gateways without a batch root key. `POST /api/v1/gateway/site-pack {ownerid, gateways?}` →
 * per gateway its desired CUPS state (URIs and the credential blobs of the owner's setup) and
 * **verifiers** of its CUPS tokens — SHA-256 of the token of generation g and g + 1 (SPEC §2),
 * high-entropy, so a pack reveals no token — and the SHA-256 fingerprints of its recorded,
 * non-revoked client certificates (SPEC §3.1 certificate mode), plus the remote's CUPS trust and
 * URI and the CA certificates its CUPS verifies client certificates against. No root key, no claim
 * PIN, no token and no private key is ever in a pack.
 *
 * Runs anywhere: imports only zod and other `src-shared` modules.
 */
import { z } from 'zod';
import { INSTALLERS } from '../channel';
import { plainOperation } from './operation';
import { GatewayIdSchema, MAX_ITEMS, OwnerIdSchema } from './values';

/** Path of the site-pack endpoint. */
export const SITE_PACK_PATH = '/api/v1/gateway/site-pack';

/**
 * Pack format version (a station refuses another). 2: firmware (per gateway the pending delivery,
 * the images once by SHA-256 with their signatures). 3: client-certificate identities (per gateway
 * the fingerprints the remote accepts, the remote's client CAs).
 */
export const SITE_PACK_VERSION = 3;

/** Most firmware images a station may say it holds already (`haveFirmware`). */
export const MAX_HAVE_FIRMWARE = 1000;

export const SitePackRequestSchema = z.strictObject({
  ownerid: OwnerIdSchema,
  gateways: z
    .array(GatewayIdSchema)
    .max(MAX_ITEMS)
    .optional()
    .describe('the gateways to pack (any id form); absent = every gateway the owner holds'),
  haveFirmware: z
    .array(z.string().regex(/^[0-9a-f]{64}$/, 'expected 64 lowercase hex digits'))
    .max(MAX_HAVE_FIRMWARE)
    .optional()
    .describe(
      'SHA-256 of the firmware images the station holds from its last pack: their bytes are left out',
    ),
});
export type SitePackRequest = z.infer<typeof SitePackRequestSchema>;

const hex64 = z.string().regex(/^[0-9a-f]{64}$/, 'expected 64 lowercase hex digits');
const base64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'expected Base64');

/**
 * A verifier of a gateway's CUPS credential: `token` = SHA-256 of the 43-character token of that
 * generation (batch gateway, SPEC §2); `header` = SHA-256 of the whole Authorization header value
 * (added gateway, SPEC §4.2 add: the remote stores nothing else).
 */
export const SitePackVerifierSchema = z.object({
  kind: z.enum(['token', 'header']),
  generation: z.number().int().nullable().describe('token generation; null for a header verifier'),
  sha256: hex64,
});
export type SitePackVerifier = z.infer<typeof SitePackVerifierSchema>;

/** What CUPS should make the gateway hold (SPEC §3.6 "desired"). */
export const SitePackDesiredSchema = z.object({
  cupsUri: z
    .string()
    .nullable()
    .describe('the gateway’s CUPS: the setup’s, else the batch’s or the remote’s'),
  cupsCred: base64.nullable().describe('Base64 of the setup’s cupsCred blob (SPEC §3.3), when it has one'),
  cupsCredFromToken: z
    .boolean()
    .describe(
      'the remote stays the gateway’s CUPS and issues its cupsCred: the pack’s cupsTrust ‖ 00000000 ‖ the cups.key the gateway presents',
    ),
  lnsUri: z.string().nullable(),
  lnsCred: base64.nullable().describe('Base64 of the setup’s tcCred blob (SPEC §3.3), when it has one'),
});
export type SitePackDesired = z.infer<typeof SitePackDesiredSchema>;

/**
 * The firmware update a gateway's setup names (SPEC §3.4, docs/firmware.md): local CUPS delivers
 * it exactly as the remote would — once per setup, never before `fwAfter`, with the signature of
 * the first key in the gateway's `keys` that signed it — unless `sentAt` says the remote already
 * delivered it. `fwcrc` + `fwAfter` identify the setup's delivery (a new value re-arms it).
 */
export const SitePackFirmwareSchema = z.object({
  fwcrc: z.number().int().min(0).max(0xffffffff).describe('CRC-32 of the image (SPEC §3.4)'),
  sha256: hex64.describe('SHA-256 of the image: its entry in the pack’s `firmware`'),
  fwAfter: z.string().nullable().describe('not delivered before this time (ISO-8601); null = at once'),
  sentAt: z.string().nullable().describe('when the remote delivered it for this setup; null = not yet'),
});
export type SitePackFirmware = z.infer<typeof SitePackFirmwareSchema>;

/** A firmware image of the pack, once however many gateways name it. */
export const SitePackImageSchema = z.object({
  sha256: hex64,
  fwcrc: z.number().int().min(0).max(0xffffffff),
  size: z.number().int().min(0),
  image: base64
    .nullable()
    .describe('Base64 of the image; null when the request said the station holds it (`haveFirmware`)'),
  signatures: z
    .array(
      z.object({
        keyCrc: z.number().int().min(0).max(0xffffffff).describe('CRC-32 of the sig-N.key file'),
        signature: base64.describe('DER ECDSA P-256 over SHA-512 of the image (SPEC §3.4)'),
      }),
    )
    .describe('every uploaded signature (vendor keys, the remote’s HSM key); no private key'),
});
export type SitePackImage = z.infer<typeof SitePackImageSchema>;

/** One gateway of a pack. */
export const SitePackGatewaySchema = z.object({
  gateway: z.string().describe('ID6'),
  origin: z.enum(['batch', 'added']),
  tokenGeneration: z.number().int(),
  tokenTarget: z.number().int(),
  verifiers: z.array(SitePackVerifierSchema),
  desired: SitePackDesiredSchema.nullable().describe('null: claimed but never set up (CUPS answers 404)'),
  setupAt: z.string().nullable(),
  firmware: SitePackFirmwareSchema.nullable().describe('null: the setup names no firmware'),
  certificates: z
    .array(hex64)
    .describe(
      'SHA-256 fingerprints (of the DER) of the gateway’s recorded, non-revoked TLS client certificates (issued by the remote or seen at its CUPS; SPEC §3.1 certificate mode)',
    ),
});
export type SitePackGateway = z.infer<typeof SitePackGatewaySchema>;

export const SitePackResponseSchema = z.object({
  version: z.literal(SITE_PACK_VERSION),
  ownerid: z.string().describe('ID6'),
  createdAt: z.string(),
  cupsTrust: base64.nullable().describe('Base64 DER of the remote’s CUPS trust (its CA certificate)'),
  cupsUri: z.string().nullable().describe('the remote’s own CUPS URI'),
  clientCas: z
    .array(z.string().startsWith('-----BEGIN CERTIFICATE-----'))
    .describe(
      'PEM of the CA certificates the remote’s CUPS verifies gateway client certificates against (public; no key)',
    ),
  gateways: z.array(SitePackGatewaySchema),
  firmware: z
    .array(SitePackImageSchema)
    .describe('the images the packed gateways’ setups name, each once (by SHA-256)'),
  skipped: z
    .array(z.object({ gateway: z.string(), code: z.string(), error: z.string() }))
    .describe('requested gateways not packed (not a gateway of the owner, or a bad id)'),
});
export type SitePackResponse = z.infer<typeof SitePackResponseSchema>;

/**
 * `gateway/site-pack`: the pack of some (or all) of the owner's gateways. Scope `setup`: the pack
 * carries the credential blobs the owner set up, which `info` (scope `read`) only describes.
 */
export const SITE_PACK = plainOperation({
  request: SitePackRequestSchema,
  response: SitePackResponseSchema,
  scope: 'setup',
  roles: INSTALLERS,
  summary:
    'The site pack of the owner’s gateways: desired CUPS state, token verifiers and client-certificate fingerprints, so a station serves CUPS without a root key (docs/sync.md)',
});
