/**
 * Who calls the core, and from where (SPEC §4.1): every service method takes a
 * {@link RequestContext}. Kept apart from `api.ts` so that services can name it without
 * importing the surface that lists them.
 */
import type { Scope } from '../../src-shared/contract/values';

export type { Scope } from '../../src-shared/contract/values';
export { SCOPES } from '../../src-shared/contract/values';

/**
 * Who is calling. `ownerId === null` means an admin acting for any owner — or, with the `factory`
 * scope only, a factory key that acts for no owner (docs/sync.md "Factory records").
 */
export interface Principal {
  kind: 'api-key' | 'cli' | 'operator' | 'system';
  /** key id, operator name, 'cli' — goes into the audit log */
  id: string;
  ownerId: bigint | null;
  scopes: ReadonlySet<Scope>;
}

/** Per-call context: the principal and where the call came from (audited). */
export interface RequestContext {
  principal: Principal;
  address?: string | undefined;
  /**
   * The request's `Idempotency-Key` (docs/sync.md): a write with a key is applied once and every
   * retry with the key answers the first answer.
   */
  idempotencyKey?: string | undefined;
}
