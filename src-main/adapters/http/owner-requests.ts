/**
 * Turns a validated Owner API body (single, bulk or mixed form, SPEC §4.2) into the item array the
 * core takes. Pure; the only rule here is the mixed form's: a top-level setup field applies to
 * every item that does not set it itself (an item's explicit `null` overrides too).
 */
import type { AddItem, ClaimItem, SetupItem } from '../../core/api';
import {
  SETUP_FIELDS,
  type AddRequest,
  type ClaimRequest,
  type DeleteRequest,
  type SetupRequest,
} from '../../../src-shared/owner-api';

/** Copies the setup fields present in `src` (absent and `undefined` stay absent) onto `into`. */
function copySetupFields(
  into: SetupItem,
  src: Partial<Record<(typeof SETUP_FIELDS)[number], unknown>>,
): void {
  for (const f of SETUP_FIELDS) {
    const v = src[f];
    if (v !== undefined) (into as unknown as Record<string, unknown>)[f] = v;
  }
}

/** Claim items in request order. */
export function claimItems(r: ClaimRequest): ClaimItem[] {
  return 'gateways' in r ? r.gateways : [{ gateway: r.gateway, claim: r.claim }];
}

/** Setup items in request order; in the bulk form top-level fields are defaults for every item. */
export function setupItems(r: SetupRequest): SetupItem[] {
  if (!('gateways' in r)) {
    const item: SetupItem = { gateway: r.gateway };
    copySetupFields(item, r);
    return [item];
  }
  return r.gateways.map((g) => {
    const item: SetupItem = { gateway: g.gateway };
    copySetupFields(item, r);
    copySetupFields(item, g);
    return item;
  });
}

/** Gateway ids of a delete/info request, in request order. */
export function gatewayIds(r: DeleteRequest): string[] {
  return 'gateways' in r ? r.gateways : [r.gateway];
}

/** Add items in request order. */
export function addItems(r: AddRequest): AddItem[] {
  return 'gateways' in r ? r.gateways : [{ gateway: r.gateway, flavorid: r.flavorid, token: r.token }];
}
