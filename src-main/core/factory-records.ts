/**
 * Factory personalization records, the remote's side (docs/sync.md "Factory records"): a factory
 * station reports each step of a unit on its line; this server — the authority, a twin holding
 * the same batch root keys — keeps every record once (`factory_records`, migration 0026) and audits
 * it (`factory.record`). Scope `factory` or `admin`; not an owner operation.
 *
 * Per record: the gateway id must parse (`invalid_id`), lie in a batch of this server
 * (`not_found`) whose KCV is the record's (`kcv_mismatch`: the station's HSM holds another root
 * key — a mismatched twin), and a record id already stored must carry the same record
 * (`already_exists` otherwise; the same one again is answered as recorded). A request with an
 * `Idempotency-Key` is applied once: its answer is stored in the transaction that writes the
 * records (`sync/idempotency.ts`, scope {@link FACTORY_IDEMPOTENCY_SCOPE}), and a retry gets it back.
 */
import { DomainError, isDomainError } from '../../src-shared/errors';
import type {
  FactoryRecord,
  FactoryRecordResult,
  FactoryRecordsRequest,
} from '../../src-shared/contract/factory-records';
import { euiFromHex, euiHex, formatId6, parseIdField } from '../../src-shared/ids';
import { AuditWriter } from './audit';
import type { RequestContext } from './context';
import { isoAt, type CoreEnv } from './env';
import type { Tx } from './ports';
import { selectIn, textOf } from './rows';
import { IdempotencyKeys, IdempotentReplay, requestHashOf } from './sync/idempotency';

/** The idempotency scope of factory records (owner scopes are 16 hex digits: never this). */
export const FACTORY_IDEMPOTENCY_SCOPE = 'factory';

const OPERATION = 'factory.records';

/** @throws DomainError('forbidden') unless the caller holds the `factory` or the `admin` scope. */
function requireFactoryScope(ctx: RequestContext): void {
  const s = ctx.principal.scopes;
  if (!s.has('factory') && !s.has('admin'))
    throw new DomainError('forbidden', 'this key lacks the "factory" scope', { scope: 'factory' });
}

interface BatchRange {
  id: string;
  first: string;
  last: string;
  kcv: string;
}

/** The remote's store of factory records. */
export class FactoryRecords {
  constructor(
    private readonly env: CoreEnv,
    private readonly keys: IdempotencyKeys,
  ) {}

  /**
   * Records a factory station's records, one answer per record in request order.
   * @throws DomainError('forbidden') without the scope; ('idempotency_mismatch') for a key used
   *   with another request.
   */
  async record(ctx: RequestContext, req: FactoryRecordsRequest): Promise<FactoryRecordResult[]> {
    requireFactoryScope(ctx);
    const key = ctx.idempotencyKey;
    const scope = FACTORY_IDEMPOTENCY_SCOPE;
    const hash = requestHashOf(OPERATION, scope, req.records);
    if (key !== undefined) {
      const first = await this.keys.replay(scope, key, OPERATION, hash);
      if (first !== undefined) {
        this.env.counters.count('ownerApi', `${OPERATION}.replayed`);
        return first as FactoryRecordResult[];
      }
    }
    try {
      return await this.env.store.transaction(async (tx) => {
        const at = isoAt(this.env.clock.now());
        const results = await this.#apply(tx, ctx, req.records, at);
        if (key !== undefined)
          await this.keys.storeIn(tx, { scope, key, operation: OPERATION, hash }, results, at);
        return results;
      });
    } catch (e) {
      if (e instanceof IdempotentReplay) return e.answer as FactoryRecordResult[];
      if (key !== undefined) {
        // a unique-key race on a shared database: the other writer's answer is the first one
        const raced = await this.keys.replay(scope, key, OPERATION, hash).catch(() => undefined);
        if (raced !== undefined) return raced as FactoryRecordResult[];
      }
      throw e;
    }
  }

  async #apply(
    tx: Tx,
    ctx: RequestContext,
    records: readonly FactoryRecord[],
    at: string,
  ): Promise<FactoryRecordResult[]> {
    const batches: BatchRange[] = (
      await tx.all('SELECT id, first_eui, last_eui, kcv FROM batches ORDER BY first_eui')
    ).map((r) => ({
      id: textOf(r, 'id'),
      first: textOf(r, 'first_eui'),
      last: textOf(r, 'last_eui'),
      kcv: textOf(r, 'kcv'),
    }));
    const stored = new Map(
      (
        await selectIn(
          tx,
          (p) => `SELECT record_id, record FROM factory_records WHERE record_id IN (${p})`,
          records.map((r) => r.recordId),
        )
      ).map((r) => [textOf(r, 'record_id'), textOf(r, 'record')] as const),
    );
    const audit = new AuditWriter(tx, ctx, at);
    const results: FactoryRecordResult[] = [];
    for (const [i, rec] of records.entries()) {
      const where = `records[${i}]`;
      let hex: string;
      try {
        hex = euiHex(parseIdField(rec.gateway, `${where}.gateway`));
      } catch (e) {
        if (!isDomainError(e)) throw e;
        results.push({ gateway: rec.gateway, recordId: rec.recordId, error: e.message, code: 'invalid_id' });
        continue;
      }
      const id6 = formatId6(euiFromHex(hex));
      const refuse = (code: FactoryRecordResult['code'], error: string) =>
        results.push({ gateway: id6, recordId: rec.recordId, error, code });
      const batch = batches.find((b) => hex >= b.first && hex <= b.last);
      if (batch === undefined) {
        refuse('not_found', `${where}.gateway: ${id6} is outside every batch of this server`);
        continue;
      }
      if (batch.kcv !== rec.kcv) {
        refuse(
          'kcv_mismatch',
          `${where}.kcv: the station's root key of batch ${rec.batch} has KCV ${rec.kcv}, this server's batch ${batch.id} has ${batch.kcv} — not the same key (twin mismatch)`,
        );
        continue;
      }
      const json = JSON.stringify(rec);
      const before = stored.get(rec.recordId);
      if (before !== undefined) {
        if (before !== json) {
          refuse('already_exists', `${where}.recordId: record ${rec.recordId} was recorded with other facts`);
        } else results.push({ gateway: id6, recordId: rec.recordId, batch: batch.id });
        continue;
      }
      await tx.run(
        `INSERT INTO factory_records (record_id, eui, batch_id, station_batch, kcv, event, state, at, station, operator, record, key_id, op_id, received_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [
          rec.recordId,
          hex,
          batch.id,
          rec.batch,
          rec.kcv,
          rec.event,
          rec.state,
          rec.at,
          rec.station,
          rec.operator,
          json,
          ctx.principal.id,
          ctx.idempotencyKey ?? null,
          at,
        ],
      );
      stored.set(rec.recordId, json);
      await audit.queue('factory.record', id6, {
        batch: batch.id,
        event: rec.event,
        state: rec.state,
        station: rec.station,
        operator: rec.operator,
        at: rec.at,
        recordId: rec.recordId,
      });
      results.push({ gateway: id6, recordId: rec.recordId, batch: batch.id });
    }
    await audit.flush();
    this.env.counters.count('ownerApi', `${OPERATION}.ok`);
    return results;
  }
}
