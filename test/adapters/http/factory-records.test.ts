/**
 * `POST /api/v1/factory/records` (docs/sync.md "Factory records") over real HTTPS on a real data
 * directory: the `factory` scope (a factory key, an admin key; never an owner key), strict
 * validation naming the field, per-record refusals (outside every batch, a twin mismatch by KCV,
 * a bad id, a record id reused with other facts), stored once with its audit entry, and the
 * Idempotency-Key rules — also across a restart of the server.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { FactoryRecord } from '../../../src-shared/contract/factory-records';
import { buildOpenApiDocument } from '../../../src-main/adapters/http/openapi';
import { KDF_VECTORS, OUTSIDE_ID } from '../../helpers/core-fixture';
import { startRestartableServer, type RestartableServer } from '../../helpers/restartable-server';

const gw1 = KDF_VECTORS.gw1;
const gw2 = KDF_VECTORS.gw2;
const PATH = '/api/v1/factory/records';
let server: RestartableServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

function record(over: Partial<FactoryRecord> = {}): FactoryRecord {
  return {
    recordId: 'rec-1',
    gateway: gw1.eui,
    batch: 'line-batch',
    kcv: KDF_VECTORS.kcv,
    event: 'personalized',
    at: '2030-01-01T00:00:00.000Z',
    station: 'factory-1',
    operator: 'operator:alice',
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
  };
}

async function factoryKey(s: RestartableServer): Promise<string> {
  const { apiKey, summary } = await s.station.core.access.createApiKey(
    s.station.cliContext,
    null,
    ['factory'],
    'factory line',
  );
  expect(summary).toMatchObject({ ownerId: null, scopes: ['factory'] });
  return apiKey;
}

async function storedRows(s: RestartableServer): Promise<Record<string, unknown>[]> {
  return s.station.store.read((tx) =>
    tx.all(
      'SELECT record_id, eui, batch_id, kcv, event, state, station, operator, key_id, op_id FROM factory_records ORDER BY record_id',
    ),
  );
}

describe('factory/records', () => {
  it('takes a factory or admin key, never an owner key; a factory key does nothing else', async () => {
    const s = (server = await startRestartableServer());
    const key = await factoryKey(s);
    const owner = await s.post(PATH, s.ownerA.apiKey, { records: [record()] });
    expect(owner.status).toBe(403);
    expect(owner.json).toMatchObject({
      code: 'forbidden',
      error: expect.stringContaining('"factory" scope'),
    });
    const ok = await s.post(PATH, key, { records: [record()] });
    expect(ok.status).toBe(200);
    expect(ok.json).toEqual([{ gateway: gw1.id6, recordId: 'rec-1', batch: expect.any(String) }]);
    const admin = await s.post(PATH, s.adminKey, {
      records: [record({ recordId: 'rec-2', gateway: gw2.eui })],
    });
    expect(admin.status).toBe(200);
    // the factory key is no owner's and no admin's
    const claim = await s.api('claim', key, { ownerid: s.ownerA.id6, gateway: gw1.eui, claim: gw1.pin });
    expect(claim.status).toBe(403);
    const list = await s.api('list', key, { ownerid: s.ownerA.id6 });
    expect(list.status).toBe(403);
    // a factory key carries nothing else; an owner key never carries factory
    const ctx = s.station.cliContext;
    await expect(s.station.core.access.createApiKey(ctx, null, ['factory', 'read'])).rejects.toMatchObject({
      code: 'invalid_request',
      attributes: { field: 'scopes' },
    });
    await expect(s.station.core.access.createApiKey(ctx, s.ownerA.id6, ['factory'])).rejects.toMatchObject({
      code: 'invalid_request',
      attributes: { field: 'scopes' },
    });
    const rows = await storedRows(s);
    expect(rows.map((r) => [r.record_id, r.eui, r.kcv, r.event])).toEqual([
      ['rec-1', gw1.hex, KDF_VECTORS.kcv, 'personalized'],
      ['rec-2', gw2.hex, KDF_VECTORS.kcv, 'personalized'],
    ]);
    const audit = await s.station.core.audit.list(ctx, { action: 'factory.record', target: gw1.id6 });
    expect(audit).toHaveLength(1);
    expect(audit[0]!.detail).toMatchObject({
      event: 'personalized',
      station: 'factory-1',
      recordId: 'rec-1',
    });
  });

  it('validates strictly, naming the field', async () => {
    const s = (server = await startRestartableServer());
    const key = await factoryKey(s);
    const cases: [unknown, RegExp][] = [
      [{}, /^records: /],
      [{ records: [] }, /^records: /],
      [{ records: [record()], extra: 1 }, /extra: unknown field/],
      [{ records: [record({ kcv: '1cce9b' })] }, /^records\[0\]\.kcv: /],
      [{ records: [record(), { ...record(), colour: 'red' }] }, /^records\[1\]\.colour: unknown field/],
      [{ records: [record({ at: 'yesterday' })] }, /^records\[0\]\.at: /],
      [{ records: [record({ event: 'flashed' as never })] }, /^records\[0\]\.event: /],
      [{ records: [record({ recordId: 'a b' })] }, /^records\[0\]\.recordId: /],
      [{ records: [record({ personalizeCount: 0 })] }, /^records\[0\]\.personalizeCount: /],
    ];
    for (const [body, message] of cases) {
      const a = await s.post(PATH, key, body);
      expect(a.status, JSON.stringify(body).slice(0, 80)).toBe(400);
      expect((a.json as { error: string }).error).toMatch(message);
    }
    expect(await storedRows(s)).toEqual([]);
  });

  it('refuses per record: outside every batch, a twin mismatch, a bad id, a reused record id', async () => {
    const s = (server = await startRestartableServer());
    const key = await factoryKey(s);
    await s.post(PATH, key, { records: [record({ recordId: 'r-old' })] });
    const a = await s.post(PATH, key, {
      records: [
        record({ recordId: 'r-out', gateway: OUTSIDE_ID }),
        record({ recordId: 'r-kcv', gateway: gw2.eui, kcv: 'ABCDEF' }),
        record({ recordId: 'r-id', gateway: 'not-an-id' }),
        record({ recordId: 'r-old', event: 'printed', state: 'printed', printCount: 1 }),
        record({ recordId: 'r-old' }),
        record({ recordId: 'r-good', gateway: gw2.eui }),
      ],
    });
    expect(a.status).toBe(200);
    const answers = a.json as { gateway: string; recordId: string; code?: string; error?: string }[];
    expect(answers.map((r) => [r.recordId, r.code])).toEqual([
      ['r-out', 'not_found'],
      ['r-kcv', 'kcv_mismatch'],
      ['r-id', 'invalid_id'],
      ['r-old', 'already_exists'],
      ['r-old', undefined],
      ['r-good', undefined],
    ]);
    expect(answers[0]!.error).toMatch(/records\[0\]\.gateway: b827:ebff:fe12:3456 is outside every batch/);
    expect(answers[1]!.error).toMatch(/records\[1\]\.kcv: .*KCV ABCDEF.*has 1CCE9B.*twin mismatch/);
    expect((await storedRows(s)).map((r) => r.record_id)).toEqual(['r-good', 'r-old']);
  });

  it('applies a keyed request once: a retry gets the first answer, also after a restart', async () => {
    let s = (server = await startRestartableServer());
    const key = await factoryKey(s);
    const body = { records: [record(), record({ recordId: 'rec-2', gateway: gw2.eui, kcv: '000000' })] };
    const headers = { 'Idempotency-Key': 'factory-op-1' };
    const first = await s.post(PATH, key, body, headers);
    expect(first.status).toBe(200);
    expect((first.json as { code?: string }[]).map((r) => r.code)).toEqual([undefined, 'kcv_mismatch']);
    const again = await s.post(PATH, key, body, headers);
    expect(again.json).toEqual(first.json);
    s = server = await s.restart();
    const afterRestart = await s.post(PATH, key, body, headers);
    expect(afterRestart.json).toEqual(first.json);
    // the same key with another request
    const other = await s.post(PATH, key, { records: [record({ recordId: 'rec-3' })] }, headers);
    expect(other.status).toBe(422);
    expect(other.json).toMatchObject({
      code: 'idempotency_mismatch',
      error: expect.stringMatching(/^Idempotency-Key: /),
    });
    const rows = await storedRows(s);
    expect(rows).toEqual([
      expect.objectContaining({ record_id: 'rec-1', op_id: 'factory-op-1', key_id: expect.any(String) }),
    ]);
    const audit = await s.station.core.audit.list(s.station.cliContext, { action: 'factory.record' });
    expect(audit).toHaveLength(1);
  });

  it('is in the OpenAPI document with its scope and the Idempotency-Key', () => {
    const doc = buildOpenApiDocument() as { paths: Record<string, { post: Record<string, unknown> }> };
    const op = doc.paths[PATH]!.post;
    expect(op.operationId).toBe('factoryRecords');
    expect(op.description).toContain('`factory`');
    expect(op.parameters).toEqual([expect.objectContaining({ name: 'Idempotency-Key' })]);
    expect(Object.keys(op.responses as object)).toEqual(
      expect.arrayContaining(['200', '400', '401', '403', '422']),
    );
  });
});
