/**
 * The Owner API wire adapter (`src-shared/owner-api.ts`): single, bulk and mixed forms → the one
 * call shape (owner, items in request order, top-level fields), the mixed form's merge rule, and
 * the bulk fast path (the whole item array parsed at once, marked checked for the core).
 */
import { describe, expect, it } from 'vitest';
import { ADD, CLAIM, DELETE, INFO, SETUP } from '../../src-shared/contract/gateway-ops';
import { wereCheckedWith, type ItemOperation } from '../../src-shared/contract/operation';
import { withCommonFields, type SetupFields } from '../../src-shared/contract/values';
import { itemCallOf, parseOwnerCall } from '../../src-shared/owner-api';

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

describe('parseOwnerCall: the bulk fast path (docs/performance.md)', () => {
  const body = (gateways: unknown[]) => ({ ownerid: '::1', lnsUri: 'wss://top.example.com:443', gateways });

  it('parses a bulk whose every item passes in one pass and hands the parsed items on, marked checked', () => {
    const r = parseOwnerCall('gateway/setup', body([{ gateway: '::2', fwcrc: '0x10' }, { gateway: '::3' }]));
    if (!r.ok) throw new Error(r.error.error);
    expect(r.value.items).toEqual([{ gateway: '::2', fwcrc: 16 }, { gateway: '::3' }]);
    expect(wereCheckedWith(r.value.items, SETUP.item)).toBe(true);
    expect(wereCheckedWith(r.value.items, CLAIM.item)).toBe(false);
    expect(Object.isFrozen(r.value.items)).toBe(true);
    expect(r.value.common).toEqual({ lnsUri: 'wss://top.example.com:443' });
  });

  it('passes the items on as given, unmarked, when one fails, so the core answers per item', () => {
    const items = [
      { gateway: '::2', fwcrc: '0x10' },
      { gateway: '::3', lnsUri: 'ftp://x' },
    ];
    const r = parseOwnerCall('gateway/setup', body(items));
    if (!r.ok) throw new Error(r.error.error);
    expect(r.value.items).toEqual(items);
    expect(wereCheckedWith(r.value.items, SETUP.item)).toBe(false);
  });

  it('keeps a whole-request problem a 400 on either path', () => {
    expect(
      parseOwnerCall('gateway/setup', { ...body([{ gateway: '::2' }]), lnsUri: 'ftp://x' }),
    ).toMatchObject({
      ok: false,
      error: { code: 'invalid_uri' },
    });
    expect(
      parseOwnerCall('gateway/claim', { ownerid: 'nope', gateways: [{ gateway: '::2', claim: 1 }] }),
    ).toMatchObject({
      ok: false,
      error: { code: 'invalid_id' },
    });
  });

  it('marks plain-id lists too', () => {
    const r = parseOwnerCall('gateway/info', { ownerid: '::1', gateways: ['::2', '::3'] });
    if (!r.ok) throw new Error(r.error.error);
    expect(wereCheckedWith(r.value.items, INFO.item)).toBe(true);
  });
});
