/**
 * Firmware operations of the Owner API (SPEC §4.2 "Firmware", §3.4), each declared once:
 * `POST /api/v1/firmware/{upload,list,delete}`.
 *
 * Runs anywhere: imports only zod and other `src-shared` modules.
 */
import { z } from 'zod';
import { ADMIN_ONLY, ALL_ROLES } from '../channel';
import { plainOperation } from './operation';
import { FwcrcSchema, OwnerIdSchema, base64Schema } from './values';

/** Largest firmware upload body: a 12 MiB image as Base64 (16 MiB) plus signatures and framing. */
export const MAX_FIRMWARE_BODY_BYTES = 18 * 1024 * 1024;

/** Most signatures one upload may carry. */
export const MAX_SIGNATURES = 16;

/** One signature of an uploaded image. */
const FirmwareSignatureSchema = z.strictObject({
  key: base64Schema('the public key: the 64-byte sig-N.key form (X ‖ Y), or PEM/DER SubjectPublicKeyInfo'),
  signature: base64Schema('the DER ECDSA P-256 signature over the SHA-512 digest of the image'),
});

/** Answer of an upload (SPEC §4.2: `{fwcrc, keys}`) plus what an operator checks. */
const FirmwareUploadResultSchema = z.object({
  fwcrc: z.number().int().describe('CRC-32 of the image: what setup.fwcrc names'),
  keys: z
    .array(z.number().int())
    .describe('CRC-32 of each sig-N.key a stored signature verifies with, ascending'),
  size: z.number().int(),
  sha256: z.string().describe('SHA-256 of the image, 64 lowercase hex'),
  version: z.string().nullable(),
  created: z.boolean().describe('false when the image was stored already (signatures merged)'),
});
/** Answer of an upload. */
export type FirmwareUploadResult = z.output<typeof FirmwareUploadResultSchema>;

/** A catalogue entry (`firmware list`). */
const FirmwareSummarySchema = z.object({
  fwcrc: z.number().int(),
  fwcrcHex: z.string().describe('`0x` + 8 lowercase hex'),
  version: z.string().nullable(),
  size: z.number().int(),
  sha256: z.string().nullable(),
  owner: z.string().nullable().describe('owner ID6; null for an image shared by the station'),
  keys: z.array(z.number().int()),
  createdAt: z.string(),
});
/** A catalogue entry. */
export type FirmwareSummary = z.output<typeof FirmwareSummarySchema>;

/** `firmware/upload`: an image with its signatures, each verified (scope `firmware`). */
export const FIRMWARE_UPLOAD = plainOperation({
  request: z.strictObject({
    ownerid: OwnerIdSchema,
    firmware: base64Schema('the update image (at most 12 MiB)'),
    version: z.string().optional().describe('what version.txt says after the update'),
    signatures: z.array(FirmwareSignatureSchema).max(MAX_SIGNATURES),
    stationSign: z
      .boolean()
      .optional()
      .describe('admin keys only: also sign with the station’s own update-signing key (its sig-0.key)'),
  }),
  response: FirmwareUploadResultSchema,
  scope: 'firmware',
  roles: ADMIN_ONLY,
  summary: 'Upload a firmware image with its signatures (each verified)',
  bodyLimit: MAX_FIRMWARE_BODY_BYTES,
});

/** `firmware/list`: the owner's images and the shared ones (scope `read`). */
export const FIRMWARE_LIST = plainOperation({
  request: z.strictObject({ ownerid: OwnerIdSchema }),
  response: z.object({ firmware: z.array(FirmwareSummarySchema) }),
  scope: 'read',
  roles: ALL_ROLES,
  summary: 'List the owner’s firmware images and the shared ones',
});

/** `firmware/delete`: an image no setup still waits for (scope `firmware`). */
export const FIRMWARE_DELETE = plainOperation({
  request: z.strictObject({ ownerid: OwnerIdSchema, fwcrc: FwcrcSchema }),
  response: z.object({ fwcrc: z.number().int() }),
  scope: 'firmware',
  roles: ADMIN_ONLY,
  summary: 'Delete a firmware image no setup still waits for',
});
