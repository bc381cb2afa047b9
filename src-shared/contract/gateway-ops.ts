/**
 * The Owner API operations on gateways (SPEC §4.2, plus token rotation of SPEC §2), each declared
 * once with {@link itemOperation} / {@link plainOperation}. Their wire forms live in
 * `owner-api.ts`, their IPC channels in `channels/gateways.ts`, their core methods in
 * `src-main/core/api.ts` — all derived from these declarations.
 *
 * Runs anywhere: imports only zod and other `src-shared` modules.
 */
import { z } from 'zod';
import { ALL_ROLES, INSTALLERS } from '../channel';
import { itemOperation, plainOperation } from './operation';
import { InfoResultsSchema, ItemResultsSchema } from './shapes';
import { GatewayIdSchema, MAX_LIST_LIMIT, OwnerIdSchema, SetupFieldsSchema } from './values';

/** One claim item: the gateway and its claim PIN. */
export const ClaimItemSchema = z.strictObject({
  gateway: GatewayIdSchema,
  claim: z.string().describe('claim PIN (SPEC §2), e.g. "6CVH-EQSA"'),
});

/** One setup item: the gateway and the fields it sets (absent = keep, null = clear). */
export const SetupItemSchema = SetupFieldsSchema.extend({ gateway: GatewayIdSchema });

/** One add item: a gateway outside every batch with its own CUPS token. */
export const AddItemSchema = z.strictObject({
  gateway: GatewayIdSchema,
  flavorid: z.string().describe('gateway flavor, e.g. "ttig"'),
  token: z.string().describe('the gateway’s own CUPS token (stored hashed)'),
});

/** `claim`: claim gateways with their PIN (scope `claim`). */
export const CLAIM = itemOperation({
  item: ClaimItemSchema,
  response: ItemResultsSchema,
  scope: 'claim',
  roles: INSTALLERS,
  summary: 'Claim gateways with their claim PIN',
});

/** `setup`: URIs, credentials and firmware of claimed gateways; the mixed form (scope `setup`). */
export const SETUP = itemOperation({
  item: SetupItemSchema,
  common: SetupFieldsSchema,
  response: ItemResultsSchema,
  scope: 'setup',
  roles: INSTALLERS,
  summary: 'Set CUPS/LNS URIs, credentials and firmware of claimed gateways',
});

/** `delete`: un-claim gateways; added gateways are removed (scope `delete`). */
export const DELETE = itemOperation({
  item: GatewayIdSchema,
  response: ItemResultsSchema,
  scope: 'delete',
  roles: INSTALLERS,
  summary: 'Un-claim gateways (added gateways are removed)',
});

/** `add`: gateways outside every batch, with their own CUPS token (scope `add`). */
export const ADD = itemOperation({
  item: AddItemSchema,
  response: ItemResultsSchema,
  scope: 'add',
  roles: INSTALLERS,
  summary: 'Add gateways outside every batch, with their own CUPS token',
});

/** `info`: describe gateways, secrets masked (scope `read`). */
export const INFO = itemOperation({
  item: GatewayIdSchema,
  response: InfoResultsSchema,
  scope: 'read',
  roles: ALL_ROLES,
  summary: 'Describe gateways (secrets masked)',
});

/** `rotate`: arm CUPS token generation g + 1 of batch gateways (scope `setup`; SPEC §2). */
export const ROTATE = itemOperation({
  item: GatewayIdSchema,
  response: ItemResultsSchema,
  scope: 'setup',
  roles: INSTALLERS,
  summary: 'Rotate the CUPS token of batch gateways (g → g + 1, no lock-out; SPEC §2)',
});

/** `list`: the owner's gateways, a page at a time (scope `read`). */
export const LIST = plainOperation({
  request: z.strictObject({
    ownerid: OwnerIdSchema,
    after: GatewayIdSchema.optional().describe('return ids after this one (the previous page’s `next`)'),
    limit: z.number().int().min(1).max(MAX_LIST_LIMIT).optional().describe('page size (default 100)'),
  }),
  response: z.object({
    gateways: z.array(z.string()).describe('canonical ID6, ascending'),
    next: z.string().nullable().describe('pass as `after` for the next page; null on the last page'),
  }),
  scope: 'read',
  roles: ALL_ROLES,
  summary: 'List the owner’s gateways, a page at a time',
});

/**
 * One delivery a station made from its site pack (docs/sync.md "Firmware from the pack"): the
 * setup's firmware (`fwcrc`, `fwafter`) was sent to the gateway at `sentAt` with the signature of
 * key `keyCrc`, while it reported `package`.
 */
export const FirmwareSentItemSchema = z.strictObject({
  gateway: GatewayIdSchema,
  fwcrc: z.number().int().min(0).max(0xffffffff).describe('CRC-32 of the image delivered'),
  fwafter: z.string().nullable().describe('the setup’s fwafter the delivery was made under'),
  sentAt: z.iso.datetime().describe('when the station sent it (ISO-8601)'),
  keyCrc: z.number().int().min(0).max(0xffffffff).describe('CRC of the key whose signature was sent'),
  package: z.string().max(256).nullable().describe('the package the gateway reported then'),
});

/**
 * `firmware-sent`: a station's report that it delivered a setup's firmware from its site pack, so
 * this server does not deliver it again (scope `setup`; SPEC §3.4 "once per setup").
 */
export const FIRMWARE_SENT = itemOperation({
  item: FirmwareSentItemSchema,
  response: ItemResultsSchema,
  scope: 'setup',
  roles: INSTALLERS,
  summary: 'Record firmware deliveries a station made from its site pack (once per setup; docs/sync.md)',
});
