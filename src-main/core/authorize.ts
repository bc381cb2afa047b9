/**
 * Authorization of one operation (SPEC §4.1): the key needs the operation's scope (or `admin`),
 * and `ownerid` must be the key's own owner unless the key is an admin key. `ownerid` must parse
 * as an id and name an existing owner.
 */
import { DomainError, isDomainError } from '../../src-shared/errors';
import { euiHex, formatId6, parseIdField } from '../../src-shared/ids';
import type { Principal, RequestContext, Scope } from './context';
import type { CoreEnv } from './env';

/** An owner an operation acts for: the id and its two printed forms. */
export interface OwnerRef {
  id: bigint;
  /** 16 uppercase hex digits: the stored key */
  hex: string;
  id6: string;
}

/** True for an admin principal: no owner of its own, `admin` scope. */
export function isAdmin(principal: Principal): boolean {
  return principal.ownerId === null && principal.scopes.has('admin');
}

/** @throws DomainError('forbidden') unless the caller is an admin. */
export function requireAdmin(ctx: RequestContext): void {
  if (!isAdmin(ctx.principal)) {
    throw new DomainError('forbidden', 'this operation needs an admin key');
  }
}

/**
 * Parses the `ownerid` field of a request.
 * @throws DomainError('invalid_request') naming `ownerid` and quoting the input.
 */
export function parseOwnerId(raw: unknown): OwnerRef {
  try {
    const id = parseIdField(raw, 'ownerid');
    return { id, hex: euiHex(id), id6: formatId6(id) };
  } catch (e) {
    if (isDomainError(e)) throw new DomainError('invalid_request', e.message, { field: 'ownerid' });
    throw e;
  }
}

/**
 * Checks that `ctx` may perform an operation needing `scope` for `owner` (SPEC §4.1).
 * @throws DomainError('forbidden') naming the missing scope or the owner mismatch.
 */
function checkOwnerAccess(ctx: RequestContext, owner: OwnerRef, scope: Scope): void {
  const p = ctx.principal;
  if (!p.scopes.has(scope) && !p.scopes.has('admin')) {
    throw new DomainError('forbidden', `this key lacks the "${scope}" scope`, { scope });
  }
  if (p.ownerId === null ? !p.scopes.has('admin') : p.ownerId !== owner.id) {
    throw new DomainError(
      'forbidden',
      `ownerid: this key acts for owner ${p.ownerId === null ? '(none)' : formatId6(p.ownerId)}, not ${owner.id6}`,
      { field: 'ownerid' },
    );
  }
}

/**
 * The full check of an Owner API call: parse `ownerid`, check scope and owner, and require that the
 * owner exists.
 * @throws DomainError('invalid_request' | 'forbidden' | 'not_found')
 */
export async function authorizeOwner(
  env: CoreEnv,
  ctx: RequestContext,
  rawOwnerId: unknown,
  scope: Scope,
): Promise<OwnerRef> {
  const owner = parseOwnerId(rawOwnerId);
  checkOwnerAccess(ctx, owner, scope);
  const row = await env.store.read((tx) => tx.get('SELECT id FROM owners WHERE id = ?', [owner.hex]));
  if (row === undefined) {
    throw new DomainError('not_found', `ownerid: owner ${owner.id6} does not exist`, { field: 'ownerid' });
  }
  return owner;
}
