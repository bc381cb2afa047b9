/**
 * Owner API endpoint for admins to lift a claim lock (docs/security.md "Claim lockout"):
 * `POST /api/v1/gateway/unlock {gateway, ownerid?}` forgets the wrong claim PINs counted for the
 * gateway — of one owner when `ownerid` is given, else of all — and audits it (`claim.unlock`).
 */
import { z } from 'zod';
import { ADMIN_ONLY } from './channel';
import { plainOperation } from './contract/operation';
import { GatewayIdSchema, OwnerIdSchema } from './contract/values';

/** Body of the unlock endpoint. */
const ClaimUnlockRequestSchema = z.strictObject({
  gateway: GatewayIdSchema,
  ownerid: OwnerIdSchema.optional().describe('only this owner’s failures; absent = every owner’s'),
});

/** Answer of the unlock endpoint: the gateway (ID6) and how many counted failures were forgotten. */
const ClaimUnlockResponseSchema = z.object({
  gateway: z.string(),
  removed: z.number().int(),
});

/** `gateway/unlock`: lift a claim lock (admin key, audited; docs/security.md "Claim lockout"). */
export const UNLOCK = plainOperation({
  request: ClaimUnlockRequestSchema,
  response: ClaimUnlockResponseSchema,
  scope: 'admin',
  roles: ADMIN_ONLY,
  summary:
    'Lift a claim lock: forget the wrong PINs counted for a gateway (one owner’s or all); admin key, audited (docs/security.md)',
});
