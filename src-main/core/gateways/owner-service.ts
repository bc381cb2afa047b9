/**
 * The Owner API operations (SPEC §4) as one service: each method authorizes the call (scope,
 * owner, SPEC §4.1), then runs the operation's module. Whole-request failures throw DomainError and
 * are counted; per-item failures are items.
 */
import { isDomainError } from '../../../src-shared/errors';
import type {
  AddItem,
  ClaimItem,
  InfoResult,
  ItemResult,
  OwnerService,
  RequestContext,
  Scope,
  SetupItem,
} from '../api';
import { authorizeOwner, type OwnerRef } from '../authorize';
import type { Batches } from '../batches';
import type { CoreEnv } from '../env';
import { claimGateways } from './claim';
import { addGateways, deleteGateways, rotateTokens } from './lifecycle';
import { infoGateways, listGateways } from './query';
import { setupGateways } from './setup';

/** Owner API operations on gateways. */
export class OwnerOperations implements OwnerService {
  /**
   * @param onChanged called with the 16-hex EUI of every gateway whose setup, ownership or token
   *   state changed (cache invalidation)
   */
  constructor(
    private readonly env: CoreEnv,
    private readonly batches: Batches,
    private readonly onChanged: (hex: string) => void,
  ) {}

  async #run<T>(
    op: string,
    scope: Scope,
    ctx: RequestContext,
    ownerId: string,
    body: (owner: OwnerRef) => Promise<T>,
  ): Promise<T> {
    try {
      return await body(await authorizeOwner(this.env, ctx, ownerId, scope));
    } catch (e) {
      if (isDomainError(e)) this.env.counters.count('ownerApi', `${op}.${e.code}`);
      throw e;
    }
  }

  /** SPEC §4.2 `claim`. */
  claim(ctx: RequestContext, ownerId: string, items: readonly ClaimItem[]): Promise<ItemResult[]> {
    return this.#run('claim', 'claim', ctx, ownerId, (o) =>
      claimGateways(this.env, this.batches, ctx, o, items),
    );
  }

  /** SPEC §4.2 `setup` (mixed requests arrive merged into items). */
  setup(ctx: RequestContext, ownerId: string, items: readonly SetupItem[]): Promise<ItemResult[]> {
    return this.#run('setup', 'setup', ctx, ownerId, (o) =>
      setupGateways(this.env, this.batches, this.onChanged, ctx, o, items),
    );
  }

  /** SPEC §4.2 `delete`. */
  delete(ctx: RequestContext, ownerId: string, gateways: readonly string[]): Promise<ItemResult[]> {
    return this.#run('delete', 'delete', ctx, ownerId, (o) =>
      deleteGateways(this.env, this.batches, this.onChanged, ctx, o, gateways),
    );
  }

  /** SPEC §4.2 `add`. */
  add(ctx: RequestContext, ownerId: string, items: readonly AddItem[]): Promise<ItemResult[]> {
    return this.#run('add', 'add', ctx, ownerId, (o) =>
      addGateways(this.env, this.batches, this.onChanged, ctx, o, items),
    );
  }

  /** SPEC §4.2 `info`. */
  info(ctx: RequestContext, ownerId: string, gateways: readonly string[]): Promise<InfoResult[]> {
    return this.#run('info', 'read', ctx, ownerId, (o) =>
      infoGateways(this.env, this.batches, ctx, o, gateways),
    );
  }

  /** SPEC §4.2 `list`. */
  list(
    ctx: RequestContext,
    ownerId: string,
    options: { after?: string | undefined; limit?: number | undefined },
  ): Promise<{ gateways: string[]; next: string | null }> {
    return this.#run('list', 'read', ctx, ownerId, (o) => listGateways(this.env, ctx, o, options));
  }

  /** Token rotation (SPEC §2) for batch gateways: arms generation g + 1 (scope `setup`). */
  rotate(ctx: RequestContext, ownerId: string, gateways: readonly string[]): Promise<ItemResult[]> {
    return this.#run('rotate', 'setup', ctx, ownerId, (o) =>
      rotateTokens(this.env, this.batches, this.onChanged, ctx, o, gateways),
    );
  }
}
