/**
 * The sync engine of a station (docs/sync.md "Push", "Pull", "Conflicts"): pushes the outbox in
 * order, each operation with its operation id as Idempotency-Key, and records every answer; pulls
 * the owner's change feed into the mirror a page per transaction, advancing the cursor in that
 * transaction. A push never overwrites the remote silently: an operation on a gateway whose remote
 * state moved since the operation was made (someone else's change in the mirror) is marked
 * `conflict` without being sent, an answer `claimed_by_other` / `already_exists` is a `conflict`,
 * any other refusal `rejected` — both versions kept for the installer to decide. Factory records
 * (docs/sync.md "Factory records") are pushed in the same order to `factory/records`; a refused
 * record is `rejected`.
 */
import { DomainError } from '../../../src-shared/errors';
import { ChangesResponseSchema, CHANGES_PATH, type GatewayChangeWire } from '../../../src-shared/sync-api';
import {
  SitePackResponseSchema,
  SITE_PACK_PATH,
  type SitePackResponse,
} from '../../../src-shared/contract/site-pack';
import { FACTORY_RECORDS_PATH } from '../../../src-shared/contract/factory-records';
import { euiHex, parseIdField } from '../../../src-shared/ids';
import type { ItemResult } from '../api';
import { isoAt, type CoreEnv } from '../env';
import type { Tx } from '../ports';
import { BatchInsert, intOf, selectIn, textOf, textOrNull } from '../rows';
import type { SyncLink } from './link';
import { itemGatewayHex, outboxEntryOf, type Outbox, type OutboxEntry, type OutboxState } from './outbox';
import { RemoteUnreachable, type RemoteApi } from './remote';

/** Item codes that mean "the remote holds another version" rather than "refused". */
const CONFLICT_CODES = new Set(['claimed_by_other', 'already_exists']);

/** What one push round did. */
export interface PushReport {
  sent: number;
  rejected: number;
  conflict: number;
  /** still pending (the link went down, or nothing was tried) */
  pending: number;
}

/** What one pull did. */
export interface PullReport {
  changes: number;
  pages: number;
  cursor: string;
}

/** A remote failure that stops the round (link down, overloaded, or the link refused). */
export class SyncStopped extends Error {
  constructor(
    message: string,
    /** true when retrying later can help (network, 5xx, 429); false for 401/403 of the link itself */
    readonly transient: boolean,
  ) {
    super(message);
    this.name = 'SyncStopped';
  }
}

function errorOfBody(body: unknown): { error: string; code: string } {
  const b = body as { error?: unknown; code?: unknown } | null;
  return {
    error: typeof b?.error === 'string' ? b.error : 'no error message',
    code: typeof b?.code === 'string' ? b.code : 'unknown',
  };
}

/** Classifies a non-200 answer: thrown as {@link SyncStopped} unless it refuses this request only. */
function stopFor(status: number, body: unknown, what: string): SyncStopped | undefined {
  const { error } = errorOfBody(body);
  if (status === 429 || status >= 500)
    return new SyncStopped(`${what}: remote answered ${status}: ${error}`, true);
  if (status === 401)
    return new SyncStopped(`${what}: the remote refused the link’s API key (${error})`, false);
  return undefined;
}

/** Blanks claim PINs of answered claim items: a PIN is kept only while it still has to be sent. */
function redacted(entry: OutboxEntry): unknown[] {
  if (entry.operation !== 'claim') return entry.items;
  return entry.items.map((i) => ({ ...(i as object), claim: '' }));
}

/**
 * Records what the remote said of the offline claims an operation carried (docs/sync.md "Offline
 * claims"): verified, rejected with the remote's message (e.g. a wrong PIN), or conflict.
 */
async function recordClaimAnswers(
  tx: Tx,
  entry: OutboxEntry,
  state: OutboxState,
  answer: unknown,
  at: string,
): Promise<void> {
  const items = Array.isArray(answer) ? (answer as ItemResult[]) : undefined;
  const whole = items === undefined ? errorOfBody(answer) : undefined;
  for (const [i, item] of entry.items.entries()) {
    const hex = itemGatewayHex(item);
    if (hex === undefined) continue;
    const r = items?.[i];
    const claimState =
      r === undefined
        ? state === 'conflict'
          ? 'conflict'
          : 'rejected'
        : r.code === undefined
          ? 'verified'
          : CONFLICT_CODES.has(r.code)
            ? 'conflict'
            : 'rejected';
    const message = r === undefined ? (whole?.error ?? null) : (r.error ?? null);
    await tx.run(
      "UPDATE sync_claims SET state = ?, message = ?, answered_at = ? WHERE eui = ? AND op_id = ? AND state = 'pending'",
      [claimState, claimState === 'verified' ? null : message, at, hex, entry.opId],
    );
  }
}

/** Push and pull for one link. */
export class SyncEngine {
  /** requests and bytes exchanged, for the status and the steady-state overhead figure */
  readonly traffic = { requests: 0, bytesOut: 0, bytesIn: 0 };

  constructor(
    private readonly env: CoreEnv,
    private readonly outbox: Outbox,
    private readonly link: SyncLink,
    private readonly remote: RemoteApi,
  ) {}

  async #post(what: string, path: string, body: unknown, headers?: Record<string, string>) {
    this.traffic.requests++;
    this.traffic.bytesOut += JSON.stringify(body).length;
    let a;
    try {
      a = await this.remote.post(path, body, headers);
    } catch (e) {
      if (e instanceof RemoteUnreachable) throw new SyncStopped(`${what}: ${e.message}`, true);
      throw e;
    }
    this.traffic.bytesIn += JSON.stringify(a.body ?? null).length;
    return a;
  }

  /** Pulls every page of the change feed after the stored cursor into the mirror. */
  async pull(): Promise<PullReport> {
    if (this.link.ownerId6 === null)
      throw new DomainError('not_configured', 'pull: a factory link has no owner, so no change feed');
    let cursor = await this.#cursor();
    let changes = 0;
    let pages = 0;
    for (;;) {
      const a = await this.#post('pull', CHANGES_PATH, {
        ownerid: this.link.ownerId6,
        after: cursor,
        limit: 1000,
      });
      if (a.status !== 200) {
        throw (
          stopFor(a.status, a.body, 'pull') ??
          new SyncStopped(`pull: remote answered ${a.status}: ${errorOfBody(a.body).error}`, false)
        );
      }
      const page = ChangesResponseSchema.safeParse(a.body);
      if (!page.success)
        throw new SyncStopped('pull: the remote’s change feed answer does not match the contract', false);
      // an empty page that does not move the cursor changes nothing: no transaction (steady state)
      if (page.data.changes.length > 0 || page.data.next !== cursor) {
        await this.#applyPage(page.data.changes, page.data.next);
      }
      cursor = page.data.next;
      changes += page.data.changes.length;
      pages++;
      if (!page.data.more) break;
    }
    return { changes, pages, cursor };
  }

  async #cursor(): Promise<string> {
    const r = await this.env.store.read((tx) => tx.get("SELECT cursor FROM sync_link WHERE id = 'remote'"));
    return r === undefined ? '0' : textOf(r, 'cursor');
  }

  /** Applies one page and its cursor in one transaction (docs/sync.md "Pull"). */
  async #applyPage(changes: readonly GatewayChangeWire[], next: string): Promise<void> {
    const at = isoAt(this.env.clock.now());
    await this.env.store.transaction(async (tx) => {
      const upsert = new BatchInsert(
        tx,
        'INSERT INTO sync_mirror (eui, seq, kind, op_id, at, state, pulled_at) VALUES',
        '(?, ?, ?, ?, ?, ?, ?)',
        'ON CONFLICT (eui) DO UPDATE SET seq = excluded.seq, kind = excluded.kind, op_id = excluded.op_id, at = excluded.at, state = excluded.state, pulled_at = excluded.pulled_at',
      );
      const seen = new Map<string, GatewayChangeWire>();
      for (const c of changes) seen.set(euiHex(parseIdField(c.gateway, 'gateway')), c);
      for (const [hex, c] of seen) {
        await upsert.add([
          hex,
          Number(c.seq),
          c.kind,
          c.opId,
          c.at,
          c.state === null ? null : JSON.stringify(c.state),
          at,
        ]);
      }
      await upsert.flush();
      await tx.run("UPDATE sync_link SET cursor = ? WHERE id = 'remote'", [next]);
    });
  }

  /** Pushes pending operations in order until none is left or the link stops the round. */
  async push(): Promise<PushReport> {
    const report: PushReport = { sent: 0, rejected: 0, conflict: 0, pending: 0 };
    let after = 0;
    for (;;) {
      const batch = await this.outbox.list({ states: ['pending'], afterSeq: after, limit: 500 });
      if (batch.length === 0) break;
      for (const entry of batch) {
        const state = await this.#pushOne(entry);
        report[state === 'sent' ? 'sent' : state === 'rejected' ? 'rejected' : 'conflict']++;
        after = entry.seq;
      }
    }
    report.pending = (await this.outbox.counts()).pending;
    return report;
  }

  /** Conflicts found locally: gateways whose mirror moved by someone else since the operation. */
  async #staleGateways(tx: Tx, entry: OutboxEntry): Promise<{ hex: string; mirror: unknown }[]> {
    // a claim or an add has no base; factory records and delivery reports are facts, pushed whatever moved
    if (
      entry.operation === 'claim' ||
      entry.operation === 'add' ||
      entry.operation === 'factory' ||
      entry.operation === 'firmware-sent'
    )
      return [];
    const hexes = Object.keys(entry.baseSeq);
    const rows = await selectIn(tx, (p) => `SELECT * FROM sync_mirror WHERE eui IN (${p})`, hexes);
    const ours = new Set(
      (
        await selectIn(
          tx,
          (p) => `SELECT op_id FROM sync_outbox WHERE op_id IN (${p})`,
          rows.map((r) => textOrNull(r, 'op_id')).filter((x): x is string => x !== null),
        )
      ).map((r) => textOf(r, 'op_id')),
    );
    const stale: { hex: string; mirror: unknown }[] = [];
    for (const r of rows) {
      const hex = textOf(r, 'eui');
      const opId = textOrNull(r, 'op_id');
      if (intOf(r, 'seq') > (entry.baseSeq[hex] ?? 0) && (opId === null || !ours.has(opId))) {
        const state = textOrNull(r, 'state');
        stale.push({
          hex,
          mirror: {
            kind: textOf(r, 'kind'),
            at: textOf(r, 'at'),
            state: state === null ? null : (JSON.parse(state) as unknown),
          },
        });
      }
    }
    return stale;
  }

  async #record(entry: OutboxEntry, state: OutboxState, answer: unknown, remote: unknown): Promise<void> {
    const at = isoAt(this.env.clock.now());
    await this.env.store.transaction(async (tx) => {
      await tx.run(
        `UPDATE sync_outbox SET state = ?, answer = ?, remote = ?, answered_at = ?, attempts = attempts + 1, items = ?
          WHERE seq = ? AND state = 'pending'`,
        [
          state,
          JSON.stringify(answer),
          remote === null ? null : JSON.stringify(remote),
          at,
          JSON.stringify(state === 'conflict' && entry.operation !== 'claim' ? entry.items : redacted(entry)),
          entry.seq,
        ],
      );
      if (entry.operation === 'claim') await recordClaimAnswers(tx, entry, state, answer, at);
    });
  }

  async #pushOne(entry: OutboxEntry): Promise<OutboxState> {
    const stale = await this.env.store.read((tx) => this.#staleGateways(tx, entry));
    if (stale.length > 0) {
      await this.#record(
        entry,
        'conflict',
        {
          status: 0,
          error: 'the remote changed these gateways since this operation was made',
          code: 'conflict',
        },
        stale,
      );
      return 'conflict';
    }
    // factory records go to their own endpoint, without an owner (docs/sync.md "Factory records")
    const factory = entry.operation === 'factory';
    const [path, body] = factory
      ? [FACTORY_RECORDS_PATH, { records: entry.items }]
      : [`/api/v1/gateway/${entry.operation}`, { ownerid: this.link.ownerId6, gateways: entry.items }];
    let a;
    try {
      a = await this.#post('push', path, body, { 'Idempotency-Key': entry.opId });
    } catch (e) {
      await this.#countAttempt(entry);
      throw e;
    }
    const stop = stopFor(a.status, a.body, 'push');
    if (stop !== undefined) {
      await this.#countAttempt(entry);
      throw stop;
    }
    if (a.status !== 200) {
      const err = errorOfBody(a.body);
      await this.#record(entry, 'rejected', { status: a.status, ...err }, null);
      return 'rejected';
    }
    const items = a.body as ItemResult[];
    if (!Array.isArray(items) || items.length !== entry.items.length) {
      await this.#countAttempt(entry);
      throw new SyncStopped('push: the remote’s answer does not have one item per request item', false);
    }
    const codes = items.map((i) => i.code).filter((c): c is NonNullable<typeof c> => c !== undefined);
    // a refused factory record is rejected: the remote holds no other version of it to compare
    const state: OutboxState =
      codes.length === 0
        ? 'sent'
        : !factory && codes.some((c) => CONFLICT_CODES.has(c))
          ? 'conflict'
          : 'rejected';
    await this.#record(
      entry,
      state,
      items,
      state === 'conflict' ? items.filter((i) => i.code !== undefined) : null,
    );
    return state;
  }

  async #countAttempt(entry: OutboxEntry): Promise<void> {
    await this.env.store.transaction((tx) =>
      tx.run('UPDATE sync_outbox SET attempts = attempts + 1 WHERE seq = ?', [entry.seq]),
    );
  }

  /**
   * Fetches the site pack of `gateways` (ID6; undefined = all of the owner's) from the remote
   * (docs/sync.md "Site packs"); the images whose SHA-256 is in `haveFirmware` come without bytes.
   * @throws SyncStopped when the remote is unreachable or refuses; the answer must match the contract.
   */
  async sitePack(
    gateways: readonly string[] | undefined,
    haveFirmware: readonly string[] = [],
  ): Promise<SitePackResponse> {
    if (this.link.ownerId6 === null)
      throw new DomainError('not_configured', 'site pack: a factory link has no owner, so no site pack');
    const a = await this.#post('site pack', SITE_PACK_PATH, {
      ownerid: this.link.ownerId6,
      ...(gateways !== undefined ? { gateways } : {}),
      ...(haveFirmware.length > 0 ? { haveFirmware } : {}),
    });
    if (a.status !== 200) {
      throw (
        stopFor(a.status, a.body, 'site pack') ??
        new SyncStopped(`site pack: remote answered ${a.status}: ${errorOfBody(a.body).error}`, false)
      );
    }
    const pack = SitePackResponseSchema.safeParse(a.body);
    if (!pack.success)
      throw new SyncStopped('site pack: the remote’s answer does not match the contract', false);
    return pack.data;
  }

  /** One entry by seq. @throws DomainError('not_found'). */
  async entry(seq: number): Promise<OutboxEntry> {
    const r = await this.env.store.read((tx) => tx.get('SELECT * FROM sync_outbox WHERE seq = ?', [seq]));
    if (r === undefined) throw new DomainError('not_found', `outbox: no operation ${seq}`);
    return outboxEntryOf(r);
  }
}
