/**
 * The Owner API operations (SPEC §4) as one service: each method authorizes the call (scope,
 * owner, SPEC §4.1), then runs the operation's module. Whole-request failures throw DomainError and
 * are counted; per-item failures are items.
 */
import { describeIssues } from '../../../src-shared/contract/issues';
import { SetupFieldsSchema, withCommonFields, type SetupFields } from '../../../src-shared/contract/values';
import { DomainError, isDomainError } from '../../../src-shared/errors';
import { parseIdField } from '../../../src-shared/ids';
import type {
  AddItem,
  ClaimItem,
  FirmwareSentItem,
  GatewayIdItem,
  InfoResult,
  ItemResult,
  OwnerService,
  RequestContext,
  Scope,
  SetupItem,
  SetupOptions,
  TransferRequest,
  TransferResult,
} from '../api';
import { authorizeOwner, requireAdmin, type OwnerRef } from '../authorize';
import type { Batches } from '../batches';
import type { ContactLog } from '../cups/contact-log';
import type { CoreEnv } from '../env';
import { claimGateways, unlockClaims, type OfflineClaimPolicy } from './claim';
import { recordPackDeliveries } from './firmware-sent';
import { addGateways, deleteGateways, rotateTokens } from './lifecycle';
import { infoGateways, listGateways } from './query';
import { appliedSetupItems, setupGateways } from './setup';
import { templateFields } from '../station/templates';
import { transferGateway } from './transfer';
import { readChanges, type ChangesPage } from '../sync/change-feed';
import { buildSitePack } from '../sync/site-pack-build';
import type { SitePackResponse } from '../../../src-shared/contract/site-pack';
import type { WriteOperation } from '../sync/commit';
import { IdempotencyKeys, IdempotentReplay, requestHashOf } from '../sync/idempotency';

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
  readonly #keys: IdempotencyKeys;
  /** set by a station's sync: claims it may record as pending (docs/sync.md "Offline claims") */
  offlineClaims: OfflineClaimPolicy | undefined;

  constructor(
    private readonly env: CoreEnv,
    private readonly batches: Batches,
    private readonly hooks: GatewayHooks,
    keys?: IdempotencyKeys,
  ) {
    this.#onChanged = hooks.changed;
    this.#keys = keys ?? new IdempotencyKeys(env);
  }

  /**
   * A write operation: authorized like every call, and with an Idempotency-Key answered from the
   * stored first answer when there is one (docs/sync.md). The operation's transaction stores the
   * answer (commit hook); a concurrent retry that committed first rolls this one back and its
   * answer is returned instead.
   */
  #write(
    op: WriteOperation,
    scope: Scope,
    ctx: RequestContext,
    ownerId: string,
    items: readonly unknown[] | ((owner: OwnerRef) => Promise<readonly unknown[]>),
    body: (owner: OwnerRef) => Promise<ItemResult[]>,
  ): Promise<ItemResult[]> {
    const key = ctx.idempotencyKey;
    if (key === undefined) return this.#run(op, scope, ctx, ownerId, body);
    return this.#run(op, scope, ctx, ownerId, async (owner) => {
      const hash = requestHashOf(op, owner.hex, typeof items === 'function' ? await items(owner) : items);
      const first = await this.#keys.replay(owner.hex, key, op, hash);
      if (first !== undefined) {
        this.env.counters.count('ownerApi', `${op}.replayed`);
        return first;
      }
      try {
        return await body(owner);
      } catch (e) {
        if (e instanceof IdempotentReplay) return e.answer;
        // a unique-key race on a shared database: the other writer's answer is the first one
        const raced = await this.#keys.replay(owner.hex, key, op, hash).catch(() => undefined);
        if (raced !== undefined) return raced;
        throw e;
      }
    });
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
    return this.#write('claim', 'claim', ctx, ownerId, items, (o) =>
      claimGateways(this.env, this.batches, this.#onChanged, ctx, o, items, this.offlineClaims),
    );
  }

  /**
   * SPEC §4.2 `setup`. `options.common` (the mixed form's top-level fields) and a saved template
   * (`options.templateId`, fields secrets included) apply to every item that does not set a
   * field: item over common over template. A bad common field or an unknown template fails the
   * whole request. The operation is the items as applied (`appliedSetupItems`): what an
   * Idempotency-Key covers and what sync pushes.
   */
  setup(
    ctx: RequestContext,
    ownerId: string,
    items: readonly SetupItem[],
    options: SetupOptions = {},
  ): Promise<ItemResult[]> {
    let base: Promise<SetupFields | undefined> | undefined;
    const baseOf = (o: OwnerRef) => (base ??= this.#setupBase(o, options));
    return this.#write(
      'setup',
      'setup',
      ctx,
      ownerId,
      async (o) => appliedSetupItems(items, await baseOf(o)),
      async (o) => setupGateways(this.env, this.batches, this.#onChanged, ctx, o, items, await baseOf(o)),
    );
  }

  /** The fields a setup applies under each item's own: a template's, then the top-level ones. */
  async #setupBase(owner: OwnerRef, options: SetupOptions): Promise<SetupFields | undefined> {
    let base: SetupFields | undefined;
    if (options.templateId !== undefined)
      base = await templateFields(this.env.store, owner.hex, options.templateId);
    if (options.common !== undefined) base = withCommonFields(base, checkedFields(options.common));
    return base;
  }

  /** SPEC §4.2 `delete`. */
  delete(ctx: RequestContext, ownerId: string, gateways: readonly GatewayIdItem[]): Promise<ItemResult[]> {
    return this.#write('delete', 'delete', ctx, ownerId, gateways, (o) =>
      deleteGateways(this.env, this.batches, this.hooks, ctx, o, gateways),
    );
  }

  /** SPEC §4.2 `add`. */
  add(ctx: RequestContext, ownerId: string, items: readonly AddItem[]): Promise<ItemResult[]> {
    return this.#write('add', 'add', ctx, ownerId, items, (o) =>
      addGateways(this.env, this.batches, this.#onChanged, ctx, o, items),
    );
  }

  /** Lifts a claim lock (admin only, audited; docs/security.md "Claim lockout"). */
  async unlockClaims(
    ctx: RequestContext,
    gateway: string,
    ownerId?: string | null,
  ): Promise<{ gateway: string; removed: number }> {
    requireAdmin(ctx);
    const owner =
      ownerId === undefined || ownerId === null
        ? null
        : await authorizeOwner(this.env, ctx, ownerId, 'claim');
    let id: bigint;
    try {
      id = parseIdField(gateway, 'gateway');
    } catch (e) {
      if (isDomainError(e)) throw new DomainError('invalid_request', e.message, { field: 'gateway' });
      throw e;
    }
    return unlockClaims(this.env, ctx, id, owner);
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

  /** The owner's change feed (docs/sync.md "Pull"), scope `read`. */
  changes(
    ctx: RequestContext,
    ownerId: string,
    options: { after?: string | undefined; limit?: number | undefined },
  ): Promise<ChangesPage> {
    return this.#run('changes', 'read', ctx, ownerId, (o) => readChanges(this.env, o, options));
  }

  /** The owner's site pack (docs/sync.md "Site packs"), scope `setup`. */
  sitePack(
    ctx: RequestContext,
    ownerId: string,
    gateways: readonly string[] | undefined,
    haveFirmware?: readonly string[],
  ): Promise<SitePackResponse> {
    return this.#run('site-pack', 'setup', ctx, ownerId, (o) =>
      buildSitePack(this.env, this.batches, ctx, o, gateways, haveFirmware),
    );
  }

  /** Firmware deliveries a station made from its site pack (`firmware-sent.ts`), scope `setup`. */
  firmwareSent(
    ctx: RequestContext,
    ownerId: string,
    items: readonly FirmwareSentItem[],
  ): Promise<ItemResult[]> {
    return this.#write('firmware-sent', 'setup', ctx, ownerId, items, (o) =>
      recordPackDeliveries(this.env, this.batches, this.#onChanged, ctx, o, items),
    );
  }

  /** One gateway to another owner in one transaction (see `transfer.ts`). */
  async transfer(ctx: RequestContext, request: TransferRequest, toCtx = ctx): Promise<TransferResult> {
    return this.#run('transfer', 'delete', ctx, request.from, async (from) => {
      const to = await authorizeOwner(this.env, toCtx, request.to, 'claim');
      return transferGateway(
        this.env,
        this.batches,
        this.hooks,
        ctx,
        { from, to },
        request.gateway,
        request.claim,
      );
    });
  }

  /** Token rotation (SPEC §2) for batch gateways: arms generation g + 1 (scope `setup`). */
  rotate(ctx: RequestContext, ownerId: string, gateways: readonly GatewayIdItem[]): Promise<ItemResult[]> {
    return this.#write('rotate', 'setup', ctx, ownerId, gateways, (o) =>
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
