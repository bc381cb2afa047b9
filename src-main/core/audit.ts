/**
 * The audit log: every state change records who (principal), what (action), which object (target:
 * a gateway or owner as ID6, or a key/batch id), when and from where (docs/architecture.md). Entries
 * are written in the transaction that makes the change, so a change and its record commit together.
 * `detail` never holds a secret: no PIN, token, GMK, API key or private key.
 */
import { DomainError } from '../../src-shared/errors';
import { formatId6, parseId } from '../../src-shared/ids';
import type { AuditEntry, AuditService, Principal, RequestContext } from './api';
import { requireAdmin } from './authorize';
import { isoAt, type CoreEnv } from './env';
import type { SqlValue, Tx } from './ports';
import { BatchInsert, intOf, textOf, textOrNull } from './rows';

/** How a principal appears in the `actor` column: `api-key:<id>`, `cli:cli`, `operator:<name>`. */
export function actorOf(principal: Principal): string {
  return `${principal.kind}:${principal.id}`;
}

/**
 * Appends entries inside one write transaction; ids continue from the largest stored id (sql.js,
 * one writer) or come from the store's id SEQUENCE ({@link Tx.takeIds}, PostgreSQL: MAX + 1 would
 * make every concurrent write on every instance conflict), in blocks that double. `add`
 * writes at once; `queue` buffers for bulk operations (thousands of items) and writes multi-row
 * INSERTs — a caller that queues must `flush()` before its transaction ends.
 */
export class AuditWriter {
  #next: number | undefined;
  /** ids taken from the store and not yet used (Tx.takeIds), and the next block's size */
  #ids: number[] = [];
  #block = 1;
  readonly #insert: BatchInsert;

  constructor(
    private readonly tx: Tx,
    private readonly ctx: RequestContext,
    private readonly at: string,
  ) {
    this.#insert = new BatchInsert(
      tx,
      'INSERT INTO audit_log (id, at, actor, address, action, target, detail) VALUES',
      '(?, ?, ?, ?, ?, ?, ?)',
    );
  }

  /** Records one action on `target` (ID6 or another id; null for none), written at once. */
  async add(action: string, target: string | null, detail: Record<string, unknown> = {}): Promise<void> {
    await this.queue(action, target, detail);
    await this.flush();
  }

  /** Buffers one entry; written by {@link flush} (or in batches while queuing). */
  async queue(action: string, target: string | null, detail: Record<string, unknown> = {}): Promise<void> {
    const p = this.ctx.principal;
    await this.#insert.add([
      await this.#nextId(),
      this.at,
      actorOf(p),
      this.ctx.address ?? null,
      action,
      target,
      JSON.stringify(detail),
    ]);
  }

  async #nextId(): Promise<number> {
    if (this.tx.takeIds !== undefined) {
      if (this.#ids.length === 0) {
        this.#ids = await this.tx.takeIds('audit_log', this.#block);
        this.#block = Math.min(this.#block * 2, 1024);
      }
      return this.#ids.shift()!;
    }
    if (this.#next === undefined) {
      const row = await this.tx.get('SELECT MAX(id) AS m FROM audit_log');
      this.#next = (row?.m === null || row?.m === undefined ? 0 : intOf(row, 'm')) + 1;
    }
    return this.#next++;
  }

  /** Writes the buffered entries. */
  flush(): Promise<void> {
    return this.#insert.flush();
  }
}

/** Starts an {@link AuditWriter} for a transaction, stamped with the clock's current time. */
export function auditWriter(env: CoreEnv, tx: Tx, ctx: RequestContext): AuditWriter {
  return new AuditWriter(tx, ctx, isoAt(env.clock.now()));
}

const MAX_AUDIT_PAGE = 1000;

/** Reading the audit log (admin only), newest first. */
export class AuditLog implements AuditService {
  constructor(private readonly env: CoreEnv) {}

  /**
   * Entries matching `filter`, newest first. `target` matches entries whose target is the text as
   * given or, when it reads as a gateway/owner id (SPEC §1.2), its ID6 — so a batch or job id that
   * also looks like an EUI (16 hex digits) finds its own entries as well as the gateway's;
   * `action` matches every action that starts with it (`claim` also finds `claim.failed`,
   * `operator.login` the sign-ins and failed sign-ins); `before` is an entry id (paging); `limit` defaults to 100, at most 1000.
   * @throws DomainError('forbidden') for a non-admin; ('invalid_request') for a bad limit.
   */
  async list(
    ctx: RequestContext,
    filter: { target?: string; action?: string; before?: number; limit?: number },
  ): Promise<AuditEntry[]> {
    requireAdmin(ctx);
    const limit = filter.limit ?? 100;
    if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_AUDIT_PAGE) {
      throw new DomainError(
        'invalid_request',
        `limit: ${String(limit)} is not an integer 1–${MAX_AUDIT_PAGE}`,
      );
    }
    const where: string[] = [];
    const params: SqlValue[] = [];
    if (filter.target !== undefined) {
      const targets = targetForms(filter.target);
      where.push(`target IN (${targets.map(() => '?').join(', ')})`);
      params.push(...targets);
    }
    if (filter.action !== undefined) {
      // a family: `claim` finds claim, claim.failed and claim.locked; `operator.login` the sign-ins
      where.push("action LIKE ? ESCAPE '\\'");
      params.push(`${filter.action.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
    }
    if (filter.before !== undefined) {
      where.push('id < ?');
      params.push(filter.before);
    }
    const sql =
      'SELECT id, at, actor, address, action, target, detail FROM audit_log' +
      (where.length > 0 ? ` WHERE ${where.join(' AND ')}` : '') +
      ' ORDER BY id DESC LIMIT ?';
    const rows = await this.env.store.read((tx) => tx.all(sql, [...params, limit]));
    return rows.map((r) => ({
      id: intOf(r, 'id'),
      at: textOf(r, 'at'),
      actor: textOf(r, 'actor'),
      address: textOrNull(r, 'address'),
      action: textOf(r, 'action'),
      target: textOrNull(r, 'target'),
      detail: JSON.parse(textOf(r, 'detail')) as Record<string, unknown>,
    }));
  }
}

/** The target as given, and its ID6 when it reads as an id (entries name gateways by ID6). */
function targetForms(target: string): string[] {
  let id6: string;
  try {
    id6 = formatId6(parseId(target).id);
  } catch {
    return [target];
  }
  return id6 === target ? [target] : [target, id6];
}
