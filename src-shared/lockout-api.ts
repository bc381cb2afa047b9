/**
 * Owner API endpoint for admins to lift a claim lock (docs/security.md "Claim lockout"):
 * `POST /api/v1/gateway/unlock {gateway, ownerid?}` forgets the wrong claim PINs counted for the
 * gateway — of one owner when `ownerid` is given, else of all — and audits it (`claim.unlock`).
 */
import { z } from 'zod';
import { GatewayIdSchema, OwnerIdSchema } from './owner-api';

/** Path of the unlock endpoint. */
export const CLAIM_UNLOCK_PATH = '/api/v1/gateway/unlock';

/** Body of the unlock endpoint. */
export const ClaimUnlockRequestSchema = z.strictObject({
  gateway: GatewayIdSchema,
  ownerid: OwnerIdSchema.optional().describe('only this owner’s failures; absent = every owner’s'),
});

/** Answer of the unlock endpoint: the gateway (ID6) and how many counted failures were forgotten. */
export const ClaimUnlockResponseSchema = z.object({
  gateway: z.string(),
  removed: z.number().int(),
});

/** A validated unlock request. */
export type ClaimUnlockRequest = z.infer<typeof ClaimUnlockRequestSchema>;
