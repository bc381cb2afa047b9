/**
 * The line's position in the store (docs/factory-line.md "The line"): the unit between its scan and
 * its verification, and the blocked unit until it is set aside, read back by any screen.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { RequestContext } from '../../../src-main/core/api';
import { KDF_VECTORS } from '../../helpers/core-fixture';
import { createLineFixture, type LineFixture } from './helpers/line-fixture';

const { gw1, gw2 } = KDF_VECTORS;
const operator: RequestContext = {
  principal: { kind: 'operator', id: 'olga', ownerId: null, scopes: new Set(['admin']) },
  address: '192.0.2.7',
};

describe('FactoryLine position', () => {
  let lf: LineFixture;
  afterEach(async () => lf?.close());

  it('holds the scanned unit at verify until it is verified, and a blocked one until it is left', async () => {
    lf = await createLineFixture();
    const line = lf.line.line;
    expect(await line.position()).toEqual({ position: null });

    await line.scan(operator, { batchId: lf.fx.batch.id, input: gw1.hex });
    expect(await line.position()).toMatchObject({
      position: {
        batchId: lf.fx.batch.id,
        step: 'verify',
        printFailed: null,
        unit: { gateway: gw1.id6, state: 'printed' },
      },
    });
    await line.verify(operator, { gateway: gw1.id6, scanned: `GWJS:1:${gw1.hex}:${gw1.pin}` });
    expect(await line.position()).toEqual({ position: null });

    await line.scan(operator, { batchId: lf.fx.batch.id, input: gw2.hex });
    // the neighbour's label blocks gw2: the line stays on it, blocked
    await line.verify(operator, { gateway: gw2.id6, scanned: `GWJS:1:${gw1.hex}:${gw1.pin}` });
    expect(await line.position()).toMatchObject({
      position: { step: 'blocked', unit: { gateway: gw2.id6 } },
    });
    // leaving another unit changes nothing; leaving gw2 frees the line, gw2 stays blocked
    expect((await line.leave({ gateway: gw1.id6 })).position).toMatchObject({ unit: { gateway: gw2.id6 } });
    expect(await line.leave({ gateway: gw2.id6 })).toEqual({ position: null });
    expect((await line.unit(gw2.id6)).unit?.state).toBe('blocked');
    await expect(line.leave({ gateway: 'nonsense' })).rejects.toMatchObject({ code: 'invalid_id' });
  });

  it('says why the label of the unit on the line did not print', async () => {
    lf = await createLineFixture();
    await lf.printer.close();
    await lf.line.line.scan(operator, { batchId: lf.fx.batch.id, input: gw1.hex });
    const { position } = await lf.line.line.position();
    expect(position).toMatchObject({ step: 'verify', unit: { state: 'personalized' } });
    expect(position?.printFailed).toMatch(/ECONNREFUSED|refused/i);
  });
});
