/**
 * The Owner API operations (SPEC §4) as one service: each method authorizes the call (scope,
 * owner, SPEC §4.1), then runs the operation's module. Whole-request failures throw DomainError and
 * are counted; per-item failures are items.
 */
import { describeIssues } from '../../../src-shared/contract/issues';
import { SetupFieldsSchema, withCommonFields, type SetupFields } from '../../../src-shared/contract/values';
import { DomainError, isDomainError } from '../../../src-shared/errors';
import type {
  AddItem,
  ClaimItem,
  GatewayIdItem,
  InfoResult,
  ItemResult,
  OwnerService,
  RequestContext,
  Scope,
  SetupItem,
  SetupOptions,
} from '../api';
import { authorizeOwner, type OwnerRef } from '../authorize';
import type { Batches } from '../batches';
import type { ContactLog } from '../cups/contact-log';
import type { CoreEnv } from '../env';
import { claimGateways } from './claim';
import { addGateways, deleteGateways, rotateTokens } from './lifecycle';
import { infoGateways, listGateways } from './query';
import { setupGateways } from './setup';
import { templateFields } from '../station/templates';

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

  /**
   * SPEC §4.2 `setup`. `options.common` (the mixed form's top-level fields) and a saved template
   * (`options.templateId`, fields secrets included) apply to every item that does not set a
   * field: item over common over template. A bad common field or an unknown template fails the
   * whole request.
   */
  setup(
    ctx: RequestContext,
    ownerId: string,
    items: readonly SetupItem[],
    options: SetupOptions = {},
  ): Promise<ItemResult[]> {
    return this.#run('setup', 'setup', ctx, ownerId, async (o) => {
      let base: SetupFields | undefined;
      if (options.templateId !== undefined)
        base = await templateFields(this.env.store, o.hex, options.templateId);
      if (options.common !== undefined) base = withCommonFields(base, checkedFields(options.common));
      return setupGateways(this.env, this.batches, this.#onChanged, ctx, o, items, base);
    });
  }

  /** SPEC §4.2 `delete`. */
  delete(ctx: RequestContext, ownerId: string, gateways: readonly GatewayIdItem[]): Promise<ItemResult[]> {
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
  info(ctx: RequestContext, ownerId: string, gateways: readonly GatewayIdItem[]): Promise<InfoResult[]> {
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
  rotate(ctx: RequestContext, ownerId: string, gateways: readonly GatewayIdItem[]): Promise<ItemResult[]> {
    return this.#run('rotate', 'setup', ctx, ownerId, (o) =>
      rotateTokens(this.env, this.batches, this.#onChanged, ctx, o, gateways),
    );
  }
}

/**
 * The mixed form's top-level fields, checked with the one setup schema.
 * @throws DomainError naming the field, with the value's code (`invalid_uri`, …).
 */
function checkedFields(common: unknown): SetupFields {
  const r = SetupFieldsSchema.safeParse(common, { reportInput: true });
  if (r.success) return r.data;
  const body = describeIssues(r.error.issues);
  throw new DomainError(body.code, body.error);
}
