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
import type { ContactLog } from '../cups/contact-log';
import type { CoreEnv } from '../env';
import { claimGateways } from './claim';
import { addGateways, deleteGateways, rotateTokens } from './lifecycle';
import { infoGateways, listGateways } from './query';
import { setupGateways } from './setup';

/** What the Owner API operations share with CUPS. */
export interface GatewayHooks {
  /**
   * Called with the 16-hex EUI of every gateway whose row or setup (ownership, setup, token
   * state) changed, after the change committed — and for delete also inside its transaction
   * (CUPS cache invalidation).
   */
  changed: (hex: string) => void;
  /** the last CUPS contacts: `info` reads through it, `delete` forgets a gateway's */
  contacts: ContactLog;
}

/** Owner API operations on gateways. */
export class OwnerOperations implements OwnerService {
  readonly #onChanged: (hex: string) => void;

  constructor(
    private readonly env: CoreEnv,
    private readonly batches: Batches,
    private readonly hooks: GatewayHooks,
  ) {
    this.#onChanged = hooks.changed;
  }

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
      claimGateways(this.env, this.batches, this.#onChanged, ctx, o, items),
    );
  }

  /** SPEC §4.2 `setup` (mixed requests arrive merged into items). */
  setup(ctx: RequestContext, ownerId: string, items: readonly SetupItem[]): Promise<ItemResult[]> {
    return this.#run('setup', 'setup', ctx, ownerId, (o) =>
      setupGateways(this.env, this.batches, this.#onChanged, ctx, o, items),
    );
  }

  /** SPEC §4.2 `delete`. */
  delete(ctx: RequestContext, ownerId: string, gateways: readonly string[]): Promise<ItemResult[]> {
    return this.#run('delete', 'delete', ctx, ownerId, (o) =>
      deleteGateways(this.env, this.batches, this.hooks, ctx, o, gateways),
    );
  }

  /** SPEC §4.2 `add`. */
  add(ctx: RequestContext, ownerId: string, items: readonly AddItem[]): Promise<ItemResult[]> {
    return this.#run('add', 'add', ctx, ownerId, (o) =>
      addGateways(this.env, this.batches, this.#onChanged, ctx, o, items),
    );
  }

  /** SPEC §4.2 `info`. */
  info(ctx: RequestContext, ownerId: string, gateways: readonly string[]): Promise<InfoResult[]> {
    return this.#run('info', 'read', ctx, ownerId, (o) =>
      infoGateways(this.env, this.batches, this.hooks.contacts, ctx, o, gateways),
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
      rotateTokens(this.env, this.batches, this.#onChanged, ctx, o, gateways),
    );
  }
}
