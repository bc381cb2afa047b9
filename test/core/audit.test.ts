import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditWriter } from '../../src-main/core/audit';
import { formatId6, parseId } from '../../src-shared/ids';
import { createCoreFixture, KDF_VECTORS, SERVER_CUPS_URI, type CoreFixture } from '../helpers/core-fixture';

const { gw1 } = KDF_VECTORS;

describe('AuditLog.list', () => {
  let f: CoreFixture;
  beforeEach(async () => {
    f = await createCoreFixture();
  });
  afterEach(async () => f.close());

  it('finds a batch by its id although the id (16 hex digits) also reads as an EUI', async () => {
    expect(f.batch.id).toMatch(/^[0-9a-f]{16}$/);
    const entries = await f.core.audit.list(f.admin, { target: f.batch.id });
    expect(entries.map((e) => [e.action, e.target])).toEqual([['batch.import', f.batch.id]]);
  });

  it('finds a gateway by any id form (its entries are written under the ID6)', async () => {
    await f.core.factory.personalize(f.admin, gw1.id6, { cupsUri: SERVER_CUPS_URI, trustPem: f.pki.caPem });
    for (const form of [gw1.id6, gw1.hex, gw1.eui, '00:00:00:00:0a:bc', gw1.hex.toLowerCase()]) {
      const entries = await f.core.audit.list(f.admin, { target: form });
      expect(
        entries.map((e) => [e.action, e.target]),
        form,
      ).toEqual([['personalize', gw1.id6]]);
    }
  });

  it('matches both the text as given and its ID6 form when both were written', async () => {
    const asGateway = formatId6(parseId(f.batch.id).id);
    await f.store.transaction(async (tx) => {
      await new AuditWriter(tx, f.admin, '2030-01-01T00:00:01.000Z').add('test.gateway', asGateway);
    });
    const entries = await f.core.audit.list(f.admin, { target: f.batch.id });
    expect(entries.map((e) => e.target)).toEqual([asGateway, f.batch.id]);
    expect(await f.core.audit.list(f.admin, { target: 'no-such-target' })).toEqual([]);
  });

  it('filters by an action family: the action and every action under it, % and _ taken literally', async () => {
    await f.store.transaction(async (tx) => {
      const w = new AuditWriter(tx, f.admin, '2030-01-01T00:00:01.000Z');
      for (const action of ['claim', 'claim.failed', 'claimx_y', 'operator.login', 'operator.login_failed'])
        await w.add(action, null);
    });
    const actions = async (action: string) =>
      (await f.core.audit.list(f.admin, { action })).map((e) => e.action).sort();
    expect(await actions('claim')).toEqual(['claim', 'claim.failed', 'claimx_y']);
    expect(await actions('operator.login')).toEqual(['operator.login', 'operator.login_failed']);
    expect(await actions('claim_')).toEqual([]);
    expect(await actions('%')).toEqual([]);
  });

  it('refuses a bad limit and non-admins', async () => {
    await expect(f.core.audit.list(f.admin, { limit: 0 })).rejects.toMatchObject({
      code: 'invalid_request',
      message: expect.stringContaining('limit'),
    });
    await expect(f.core.audit.list(f.ownerA.ctx, { target: f.batch.id })).rejects.toMatchObject({
      code: 'forbidden',
    });
  });
});
