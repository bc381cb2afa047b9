/**
 * What a local operator (the UI's user: an Electron desktop user or a logged-in HTTP bridge
 * operator) may do in the core's eyes. An operator's role gates channels (the channel map); the
 * core still checks scopes and owners on every call, so the principal built here is never wider
 * than the role: admins act as the station admin, other roles act *as the owner* named in the
 * request with their role's scopes (SPEC §4.1), and an operator bound to one owner acts only for
 * it — in the gateways table, the owners list and the audit log too.
 */
import { DomainError, isDomainError } from '../../../src-shared/errors';
import { euiHex, formatId6, parseId, parseIdField } from '../../../src-shared/ids';
import type { Role } from '../../../src-shared/channel';
import type { OwnerRow } from '../../../src-shared/contract/shapes';
import type { RequestContext, Scope } from '../context';
import type { GatewayQueryService } from './gateway-query';

/** A local operator as the core sees it. `ownerId` (ID6) binds the operator to one owner. */
export interface OperatorRef {
  name: string;
  role: Role;
  ownerId: string | null;
  address?: string | undefined;
}

/** Core scopes per role when acting for an owner. */
const ROLE_SCOPES: Record<Role, readonly Scope[]> = {
  admin: ['admin'],
  installer: ['claim', 'setup', 'delete', 'add', 'read'],
  factory: ['read'],
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

/** @throws DomainError('forbidden') when an operator bound to an owner names another one. */
export function assertOwnerAllowed(op: OperatorRef, ownerId: bigint): void {
  if (op.ownerId !== null && parseIdField(op.ownerId, 'ownerId') !== ownerId) {
    throw new DomainError(
      'forbidden',
      `ownerId: operator ${JSON.stringify(op.name)} acts for owner ${op.ownerId} only, not ${formatId6(ownerId)}`,
      { field: 'ownerId' },
    );
  }
}

/** Context for an operation on `rawOwnerId`'s gateways (claim, setup, info…). */
export function ownerContext(op: OperatorRef, rawOwnerId: string): RequestContext {
  const owner = parseOwner(rawOwnerId);
  assertOwnerAllowed(op, owner.id);
  const admin = op.role === 'admin' && op.ownerId === null;
  return {
    principal: {
      kind: 'operator',
      id: op.name,
      ownerId: admin ? null : owner.id,
      scopes: new Set(ROLE_SCOPES[admin ? 'admin' : op.role === 'admin' ? 'installer' : op.role]),
    },
    address: op.address,
  };
}

/**
 * Context with the station's admin rights, for operations whose role gate is the whole
 * authorization (owners, API keys, batches, audit, operators, the factory line): only reached
 * when the channel map allowed the role.
 */
export function stationContext(op: OperatorRef): RequestContext {
  return {
    principal: { kind: 'operator', id: op.name, ownerId: null, scopes: new Set<Scope>(['admin']) },
    address: op.address,
  };
}

/**
 * The owner filter of the gateways table: a bound operator sees only its owner (naming another is
 * `forbidden`); others see the requested owner (canonical ID6), or all with null.
 */
export function ownerFilter(op: OperatorRef, requested: string | null | undefined): string | null {
  const ownerId = requested ?? null;
  if (op.ownerId !== null) {
    if (ownerId !== null) assertOwnerAllowed(op, parseOwner(ownerId).id);
    return op.ownerId;
  }
  return ownerId === null ? null : parseOwner(ownerId).id6;
}

/** The owners an operator may see: all, or only its own when bound. */
export function visibleOwners(op: OperatorRef, owners: OwnerRow[]): OwnerRow[] {
  return op.ownerId === null ? owners : owners.filter((o) => o.id === op.ownerId);
}

/**
 * Who may read which audit trail: admins all of it; other operators the trail of one target (a
 * gateway's detail panel), and an operator bound to an owner only its owner's or one of its
 * owner's gateways'.
 * @throws DomainError('forbidden') naming `target`.
 */
export async function assertAuditAllowed(
  op: OperatorRef,
  target: string | undefined,
  gateways: GatewayQueryService,
): Promise<void> {
  if (op.role === 'admin' && op.ownerId === null) return;
  if (target === undefined) {
    throw new DomainError('forbidden', 'target: only admins list the whole audit log; name a gateway');
  }
  if (op.ownerId === null) return;
  let id6: string;
  try {
    id6 = formatId6(parseId(target).id);
  } catch {
    throw new DomainError(
      'forbidden',
      `target: ${JSON.stringify(target)} is not a gateway of owner ${op.ownerId}`,
    );
  }
  if (id6 === op.ownerId) return;
  const page = await gateways.query({ ownerId: op.ownerId, search: id6, offset: 0, limit: 1 });
  if (page.total === 0) {
    throw new DomainError('forbidden', `target: ${id6} is not a gateway of owner ${op.ownerId}`);
  }
}
