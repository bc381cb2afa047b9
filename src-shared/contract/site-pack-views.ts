/**
 * What the UI sees of the station's site pack and offline claims (docs/sync.md "Site packs",
 * "Offline claims"): the pack as a whole and per gateway — never a blob, a verifier, a token, a
 * certificate fingerprint or a PIN — and each offline claim with what the remote said of it.
 *
 * Runs anywhere: imports only zod.
 */
import { z } from 'zod';

/** The stored site pack as a whole. */
export const SitePackStatusSchema = z.object({
  /** a pack row exists: gateways were chosen or a pack fetched */
  present: z.boolean(),
  ownerId: z.string().nullable(),
  /** chosen gateways (ID6); null = every gateway of the owner */
  selection: z.array(z.string()).nullable(),
  /** the remote's time of the pack; null before a first fetch */
  createdAt: z.string().nullable(),
  fetchedAt: z.string().nullable(),
  remoteCupsUri: z.string().nullable(),
  hasCupsTrust: z.boolean(),
  /** how many client CAs the pack holds (docs/sync.md "Client certificates from the pack") */
  clientCas: z.number().int(),
  gateways: z.number().int(),
});
/** The stored site pack as a whole. */
export type SitePackStatus = z.infer<typeof SitePackStatusSchema>;

/** One packed gateway as the picker lists it. */
export const SitePackItemSchema = z.object({
  gateway: z.string(),
  origin: z.enum(['batch', 'added']),
  tokenGeneration: z.number().int(),
  tokenTarget: z.number().int(),
  /** how many token verifiers the pack holds (2 while g and g + 1 are accepted) */
  verifiers: z.number().int(),
  /** how many client-certificate fingerprints the pack lists for it (recorded, not revoked) */
  certificates: z.number().int(),
  /** set up at the remote (else CUPS answers 404 "not configured") */
  configured: z.boolean(),
  cupsUri: z.string().nullable(),
  lnsUri: z.string().nullable(),
  hasCupsCred: z.boolean(),
  hasLnsCred: z.boolean(),
  setupAt: z.string().nullable(),
  /** the token generation the gateway last authenticated with at this station's CUPS */
  seenGeneration: z.number().int().nullable(),
  seenAt: z.string().nullable(),
  /**
   * the setup's firmware (docs/sync.md "Firmware from the pack"): `pending` = local CUPS delivers
   * it once due, `sent` = the remote delivered it, `sent_here` = this station did (reported to the
   * remote through the outbox); null = none
   */
  firmware: z
    .object({
      fwcrc: z.number().int(),
      fwAfter: z.string().nullable(),
      state: z.enum(['pending', 'sent', 'sent_here']),
    })
    .nullable(),
});
/** One packed gateway. */
export type SitePackItem = z.infer<typeof SitePackItemSchema>;

/** A gateway the owner holds at the remote (the mirror), as the picker offers it. */
export const SitePackCandidateSchema = z.object({
  gateway: z.string(),
  /** in the stored pack */
  packed: z.boolean(),
  /** set up at the remote */
  configured: z.boolean(),
});
/** A gateway the picker offers. */
export type SitePackCandidate = z.infer<typeof SitePackCandidateSchema>;

/** The picker's view: the pack, its gateways, and what can be chosen (the mirror's gateways). */
export const SitePackViewSchema = z.object({
  status: SitePackStatusSchema,
  gateways: z.array(SitePackItemSchema),
  candidates: z.array(SitePackCandidateSchema),
});

/** States of an offline claim. */
export const OFFLINE_CLAIM_STATES = ['pending', 'verified', 'rejected', 'conflict'] as const;

/** One offline claim (docs/sync.md "Offline claims"). */
export const OfflineClaimSchema = z.object({
  gateway: z.string(),
  ownerId: z.string(),
  /** the outbox operation that carries it */
  opId: z.string(),
  state: z.enum(OFFLINE_CLAIM_STATES),
  /** the remote's message when it refused the claim (e.g. a wrong PIN) */
  message: z.string().nullable(),
  createdAt: z.string(),
  answeredAt: z.string().nullable(),
});
/** One offline claim. */
export type OfflineClaim = z.infer<typeof OfflineClaimSchema>;
