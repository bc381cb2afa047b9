/**
 * The Owner API wire adapter (`src-shared/owner-api.ts`): single, bulk and mixed forms → the one
 * call shape (owner, items in request order, top-level fields), and the mixed form's merge rule.
 */
import { describe, expect, it } from 'vitest';
import { ADD, CLAIM, DELETE, SETUP } from '../../src-shared/contract/gateway-ops';
import type { ItemOperation } from '../../src-shared/contract/operation';
import { withCommonFields, type SetupFields } from '../../src-shared/contract/values';
import { itemCallOf } from '../../src-shared/owner-api';

const itemsOf = (op: ItemOperation) => (body: Record<string, unknown>) => {
  const call = itemCallOf(op, body, 'gateways' in body);
  return call.items.map((i) => withCommonFields(call.common as SetupFields | undefined, i as SetupFields));
};
const setupItems = itemsOf(SETUP);
const claimItems = itemsOf(CLAIM);
const addItems = itemsOf(ADD);
const gatewayIds = (body: Record<string, unknown>) => itemCallOf(DELETE, body, 'gateways' in body).items;

describe('itemCallOf + withCommonFields: setup', () => {
  it('turns a single request into one item without the ownerid', () => {
    expect(setupItems({ ownerid: '::1', gateway: '::2', lnsUri: 'ws://l.example.com:80' })).toEqual([
      { gateway: '::2', lnsUri: 'ws://l.example.com:80' },
    ]);
  });

  it('applies top-level fields to every item unless the item sets them, explicit null included', () => {
    const items = setupItems({
      ownerid: '::1',
      lnsUri: 'wss://top.example.com:443',
      lnsTrust: 'MAMCAQE=',
      gateways: [
        { gateway: '::2' },
        { gateway: '::3', lnsUri: 'wss://own.example.com:443' },
        { gateway: '::4', lnsTrust: null },
      ],
    });
    expect(items).toEqual([
      { gateway: '::2', lnsUri: 'wss://top.example.com:443', lnsTrust: 'MAMCAQE=' },
      { gateway: '::3', lnsUri: 'wss://own.example.com:443', lnsTrust: 'MAMCAQE=' },
      { gateway: '::4', lnsUri: 'wss://top.example.com:443', lnsTrust: null },
    ]);
  });

  it('leaves absent fields absent (keep the stored value)', () => {
    const [item] = setupItems({ ownerid: '::1', gateways: [{ gateway: '::2' }] });
    expect(Object.keys(item!)).toEqual(['gateway']);
  });
});

describe('itemCallOf: claim, add, delete', () => {
  it('keep request order in both forms', () => {
    expect(claimItems({ ownerid: '::1', gateway: '::2', claim: 'p' })).toEqual([
      { gateway: '::2', claim: 'p' },
    ]);
    expect(
      claimItems({
        ownerid: '::1',
        gateways: [
          { gateway: '::3', claim: 'a' },
          { gateway: '::2', claim: 'b' },
        ],
      }),
    ).toEqual([
      { gateway: '::3', claim: 'a' },
      { gateway: '::2', claim: 'b' },
    ]);
    expect(addItems({ ownerid: '::1', gateway: '::2', flavorid: 'f', token: 't' })).toEqual([
      { gateway: '::2', flavorid: 'f', token: 't' },
    ]);
    expect(gatewayIds({ ownerid: '::1', gateways: ['::3', '::2'] })).toEqual(['::3', '::2']);
    expect(gatewayIds({ ownerid: '::1', gateway: '::2' })).toEqual(['::2']);
  });
});
