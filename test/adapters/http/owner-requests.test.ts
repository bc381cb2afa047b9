import { describe, expect, it } from 'vitest';
import { addItems, claimItems, gatewayIds, setupItems } from '../../../src-main/adapters/http/owner-requests';

describe('setupItems', () => {
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

describe('claimItems, addItems, gatewayIds', () => {
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
