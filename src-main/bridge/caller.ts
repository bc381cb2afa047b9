/**
 * Who calls the bridge and what the core sees of it. An operator's role gates channels (the
 * channel map); the core still checks scopes and owners on every call, so the principal handed to
 * it is never wider than the role: admins act as the station admin, other roles act *as the owner*
 * named in the request with their role's scopes (or only as their bound owner).
 */
import { DomainError, isDomainError } from '../../src-shared/errors';
import { euiHex, formatId6, parseIdField } from '../../src-shared/ids';
import type { Role } from '../../src-shared/ipc';
import type { RequestContext, Scope } from '../core/api';

/** The caller of one bridge call. `ownerId` (ID6) binds the operator to one owner. */
export interface BridgeCaller {
  name: string;
  role: Role;
  ownerId: string | null;
  transport: 'ipc' | 'http';
  address?: string | undefined;
}

/** Core scopes per role when acting for an owner. */
export const ROLE_SCOPES: Record<Role, readonly Scope[]> = {
  admin: ['admin'],
  installer: ['claim', 'setup', 'delete', 'add', 'read'],
  factory: ['read'],
};

/** The desktop user of the Electron window: a local admin (whoever can open the app owns the data dir). */
export const DESKTOP_CALLER: BridgeCaller = {
  name: 'desktop',
  role: 'admin',
  ownerId: null,
  transport: 'ipc',
};

/** An owner id from a request, canonicalized; `invalid_request` naming `ownerId` when it does not parse. */
export function parseOwner(raw: string): { id: bigint; id6: string; hex: string } {
  try {
    const id = parseIdField(raw, 'ownerId');
    return { id, id6: formatId6(id), hex: euiHex(id) };
  } catch (e) {
    if (isDomainError(e)) throw new DomainError('invalid_request', e.message, { field: 'ownerId' });
    throw e;
  }
}

/** @throws DomainError('forbidden') when a bound operator names another owner. */
export function assertOwnerAllowed(caller: BridgeCaller, ownerId: bigint): void {
  if (caller.ownerId !== null && parseIdField(caller.ownerId, 'ownerId') !== ownerId) {
    throw new DomainError(
      'forbidden',
      `ownerId: operator ${JSON.stringify(caller.name)} acts for owner ${caller.ownerId} only, not ${formatId6(ownerId)}`,
      { field: 'ownerId' },
    );
  }
}

/** Context for an operation on `rawOwnerId`'s gateways (claim, setup, info…). */
export function ownerContext(caller: BridgeCaller, rawOwnerId: string): RequestContext {
  const owner = parseOwner(rawOwnerId);
  assertOwnerAllowed(caller, owner.id);
  const admin = caller.role === 'admin' && caller.ownerId === null;
  return {
    principal: {
      kind: 'operator',
      id: caller.name,
      ownerId: admin ? null : owner.id,
      scopes: new Set(ROLE_SCOPES[admin ? 'admin' : caller.role === 'admin' ? 'installer' : caller.role]),
    },
    address: caller.address,
  };
}

/**
 * Context with the station's admin rights, for channels whose role gate is the whole authorization
 * (owners, API keys, batches, audit, operators): only reached when the channel map allowed the role.
 */
export function stationContext(caller: BridgeCaller): RequestContext {
  return {
    principal: { kind: 'operator', id: caller.name, ownerId: null, scopes: new Set<Scope>(['admin']) },
    address: caller.address,
  };
}
