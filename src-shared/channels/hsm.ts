/**
 * The HSM administration and key-ceremony namespaces of the renderer ↔ main contract
 * (docs/twin-hsm.md, docs/station-ui.md "Settings → HSM"): choosing the backend (software keystore
 * or a PKCS#11 module + token), listing the tokens of a module, unlocking with the user PIN,
 * listing keys (label, kind, KCV — never values), the live HSM state for the top bar, and the
 * twin ceremony steps with their transcript. Admin only, except the live state every role sees.
 *
 * Runs anywhere: imports only zod and other `src-shared` modules.
 */
import { z } from 'zod';
import { ADMIN_ONLY as ADMIN, ALL_ROLES as ALL, channel, emptyRequest as empty } from '../channel';
import { BatchRowSchema } from '../contract/shapes';
import { hsmStatusSchema } from './station';

/** A PKCS#11 library path (absolute, one of the modules the station offers). */
const modulePath = z.string().min(1).max(4096);
/** Token label (PKCS#11 labels are at most 32 bytes) or serial. */
const tokenName = z.string().min(1).max(64);
/** A KCV as the operators read it: 6 hex digits (SPEC §2). */
const kcvSchema = z
  .string()
  .regex(/^[0-9A-Fa-f]{6}$/, 'kcv: 6 hex digits')
  .transform((s) => s.toUpperCase());
/** A ceremony file's text (transport.pub, batch-B.wrapped): small JSON documents. */
const ceremonyFileText = z
  .string()
  .min(2)
  .max(64 * 1024);

/** The backend a station uses, as `station.json` remembers it (never a PIN or passphrase). */
const hsmBackendChoiceSchema = z.discriminatedUnion('backend', [
  z.object({ backend: z.literal('software') }),
  z.object({
    backend: z.literal('pkcs11'),
    module: z.string(),
    tokenLabel: z.string().nullable(),
    tokenSerial: z.string().nullable(),
  }),
]);
/** The backend a station uses. */
export type HsmBackendChoice = z.infer<typeof hsmBackendChoiceSchema>;

/** A PKCS#11 module the station can load: a known library present on this machine. */
const pkcs11ModuleSchema = z.object({
  /** what it drives, e.g. "SoftHSM2", "OpenSC (Nitrokey HSM, SmartCard-HSM)", "YubiHSM 2" */
  name: z.string(),
  path: z.string(),
});
/** A PKCS#11 module the station can load. */
export type Pkcs11ModuleView = z.infer<typeof pkcs11ModuleSchema>;

/** One token present in a module's slots. */
const tokenSlotSchema = z.object({
  label: z.string(),
  serial: z.string(),
  model: z.string(),
  manufacturer: z.string(),
  /** the token has a user PIN (CKF_USER_PIN_INITIALIZED) */
  pinInitialized: z.boolean(),
  /** the user PIN is blocked (CKF_USER_PIN_LOCKED) */
  pinLocked: z.boolean(),
});
/** One token present in a module's slots. */
export type TokenSlotView = z.infer<typeof tokenSlotSchema>;

/** One key held by the HSM, with its public facts only. */
export const hsmKeySchema = z.object({
  /** the HSM's opaque handle of the key */
  handle: z.string(),
  label: z.string(),
  /** what the key is for */
  kind: z.enum(['root', 'signing', 'transport']),
  /** root keys: the KCV (SPEC §2); null for other kinds */
  kcv: z.string().nullable(),
  /** root keys: true while the HSM can wrap it out (docs/twin-hsm.md "Exportable") */
  exportable: z.boolean(),
  /** transport keys: lowercase hex SHA-256 of the public key's SubjectPublicKeyInfo DER */
  fingerprint: z.string().nullable(),
});
/** One key held by the HSM. */
export type HsmKeyView = z.infer<typeof hsmKeySchema>;

/** A batch as the ceremony's sending side chooses it: the row and whether its key can be wrapped. */
const ceremonyBatchSchema = BatchRowSchema.extend({ exportable: z.boolean() });
/** A batch as the ceremony's sending side chooses it. */
export type CeremonyBatchView = z.infer<typeof ceremonyBatchSchema>;

/** A file the UI offers for download. */
const downloadSchema = z.object({
  fileName: z.string(),
  mimeType: z.string(),
  /** the file's bytes, base64 */
  base64: z.string(),
});
/** A file the UI offers for download. */
export type DownloadView = z.infer<typeof downloadSchema>;

/** The HSM and ceremony channels (spread into `CHANNELS`). */
export const HSM_CHANNELS = {
  'hsm:state': channel(
    empty,
    hsmStatusSchema,
    ALL,
    'the live HSM state (locked, token removed) the top bar polls',
  ),
  'hsm:backend': channel(
    empty,
    z.object({ current: hsmBackendChoiceSchema, modules: z.array(pkcs11ModuleSchema) }),
    ADMIN,
    'the backend in use and the PKCS#11 modules present on this machine',
  ),
  'hsm:tokens': channel(
    z.object({ module: modulePath }),
    z.array(tokenSlotSchema),
    ADMIN,
    'the tokens present in the slots of a PKCS#11 module (label, serial, model)',
  ),
  'hsm:use': channel(
    z.discriminatedUnion('backend', [
      z.object({ backend: z.literal('software'), passphrase: z.string().min(1).max(1024) }),
      z
        .object({
          backend: z.literal('pkcs11'),
          module: modulePath,
          tokenLabel: tokenName.optional(),
          tokenSerial: tokenName.optional(),
          pin: z.string().min(1).max(256),
        })
        .refine((r) => r.tokenLabel !== undefined || r.tokenSerial !== undefined, {
          message: 'tokenLabel: give the token label or its serial',
          path: ['tokenLabel'],
        }),
    ]),
    hsmStatusSchema,
    ADMIN,
    'switch the station to a backend, unlocked with its PIN or passphrase (never stored)',
  ),
  'hsm:keys': channel(
    empty,
    z.array(hsmKeySchema),
    ADMIN,
    'keys held by the HSM: label, kind, KCV, fingerprint — never values',
  ),

  'ceremony:batches': channel(
    empty,
    z.array(ceremonyBatchSchema),
    ADMIN,
    'batches with whether their root key can still be wrapped out',
  ),
  'ceremony:transportKey': channel(
    z.object({ label: z.string().min(1).max(128).optional() }),
    z.object({
      fileName: z.string(),
      text: z.string(),
      fingerprint: z.string(),
      oaepHash: z.enum(['sha1', 'sha256']),
    }),
    ADMIN,
    'ceremony, receiving side: a transport key pair inside the HSM; answers transport.pub',
  ),
  'ceremony:export': channel(
    z.object({ batchId: z.string().min(1).max(64), transport: ceremonyFileText }),
    z.object({
      fileName: z.string(),
      text: z.string(),
      kcv: z.string(),
      fileSha256: z.string(),
      transportFingerprint: z.string(),
    }),
    ADMIN,
    'ceremony, sending side: the batch root key wrapped inside the HSM to a transport.pub',
  ),
  'ceremony:import': channel(
    z.object({ wrapped: ceremonyFileText, expectKcv: kcvSchema.optional() }),
    z.object({ batch: BatchRowSchema, kcv: z.string() }),
    ADMIN,
    'ceremony, receiving side: unwraps inside the HSM, checks KCV, MAC and range, then adds the batch',
  ),
  'ceremony:transcript': channel(
    z.object({ batchId: z.string().min(1).max(64), format: z.enum(['json', 'pdf']) }),
    downloadSchema,
    ADMIN,
    "a batch's ceremony transcript, every hash chain verified (JSON or printable PDF)",
  ),
} as const;
