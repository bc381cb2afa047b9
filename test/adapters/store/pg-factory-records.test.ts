/**
 * Factory records on PostgreSQL with two instances sharing one database (docs/sync.md "Factory
 * records", docs/server-mode.md): the same keyed request sent to both at once is recorded once and
 * both answer the first answer; a record already stored is answered as recorded by the other
 * instance; a mismatched KCV is refused there too.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { FactoryRecord } from '../../../src-shared/contract/factory-records';
import type { RequestContext } from '../../../src-main/core/api';
import { KDF_VECTORS } from '../../helpers/core-fixture';
import { startInstances, type Instances } from '../../helpers/pg-instances';

const gw1 = KDF_VECTORS.gw1;
let inst: Instances | undefined;
afterEach(async () => {
  await inst?.close();
  inst = undefined;
});

const record = (recordId: string, over: Partial<FactoryRecord> = {}): FactoryRecord => ({
  recordId,
  gateway: gw1.id6,
  batch: 'line-batch',
  kcv: KDF_VECTORS.kcv,
  event: 'personalized',
  at: '2030-01-01T00:00:00.000Z',
  station: 'factory-1',
  operator: 'operator:olga',
  state: 'personalized',
  fromMac: false,
  generation: 0,
  personalizeCount: 1,
  printCount: 0,
  jobId: null,
  reason: null,
  personalizedAt: '2030-01-01T00:00:00.000Z',
  printedAt: null,
  verifiedAt: null,
  blockedAt: null,
  blockedReason: null,
  ...over,
});

describe('factory records on a shared PostgreSQL database', () => {
  it('records a keyed request once across two instances', async () => {
    const i = (inst = await startInstances(2));
    const [a, b] = i.stations as [(typeof i.stations)[0], (typeof i.stations)[0]];
    const { apiKey } = await a.core.access.createApiKey(i.admin, null, ['factory'], 'line');
    const ctxOf = async (s: typeof a, key?: string): Promise<RequestContext> => ({
      principal: await s.core.access.authenticate(apiKey),
      ...(key !== undefined ? { idempotencyKey: key } : {}),
    });
    const req = { records: [record('r1'), record('r2', { kcv: 'ABCDEF' })] };
    const answers = await Promise.all([
      a.core.factoryRecords.record(await ctxOf(a, 'op-1'), req),
      b.core.factoryRecords.record(await ctxOf(b, 'op-1'), req),
    ]);
    expect(answers[1]).toEqual(answers[0]);
    expect(answers[0]!.map((r) => [r.recordId, r.code])).toEqual([
      ['r1', undefined],
      ['r2', 'kcv_mismatch'],
    ]);
    // the same record without a key on the other instance: answered as recorded, stored once
    expect(await b.core.factoryRecords.record(await ctxOf(b), { records: [record('r1')] })).toEqual([
      { gateway: gw1.id6, recordId: 'r1', batch: i.batch.id },
    ]);
    const rows = await a.store.read((tx) => tx.all('SELECT record_id, op_id FROM factory_records'));
    expect(rows).toEqual([{ record_id: 'r1', op_id: 'op-1' }]);
    expect(await a.core.audit.list(i.admin, { action: 'factory.record' })).toHaveLength(1);
  });
});
