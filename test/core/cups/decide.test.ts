import { describe, expect, it } from 'vitest';
import { EMPTY_CRED_CRC, encodeUpdateInfoResponse } from '../../../src-shared/cups-wire';
import {
  decideUpdate,
  isInSync,
  type DesiredState,
  type UpdateReport,
} from '../../../src-main/core/cups/decide';

const report: UpdateReport = {
  cupsUri: 'https://js.example.com:6041',
  tcUri: 'wss://lns.example.com:443',
  cupsCredCrc: 111,
  tcCredCrc: 222,
  keys: [],
};

const want: DesiredState = {
  cupsUri: 'https://js.example.com:6041',
  cupsCredCrc: 111,
  lnsUri: 'wss://lns.example.com:443',
  lnsCredCrc: 222,
  firmware: null,
};

describe('decideUpdate', () => {
  it('sends nothing when URIs and CRCs match: the answer is 14 zero bytes', () => {
    const plan = decideUpdate(report, want);
    expect(isInSync(plan)).toBe(true);
    const body = encodeUpdateInfoResponse({});
    expect(body).toEqual(new Uint8Array(14));
  });

  it.each([
    [
      'cupsUri differs',
      { cupsUri: 'https://other.example.com:443' },
      { cupsUri: 'https://other.example.com:443' },
    ],
    ['lnsUri differs', { lnsUri: 'wss://lns2.example.com:443' }, { tcUri: 'wss://lns2.example.com:443' }],
    ['cupsCred CRC differs', { cupsCredCrc: 999 }, { cupsCred: true }],
    ['tcCred CRC differs', { lnsCredCrc: 999 }, { tcCred: true }],
  ] as const)('sends only the part that differs: %s', (_name, change, expected) => {
    const plan = decideUpdate(report, { ...want, ...change });
    expect(plan).toEqual({
      cupsUri: undefined,
      cupsCred: false,
      tcUri: undefined,
      tcCred: false,
      firmwareKeyCrc: undefined,
      firmwareBlocked: false,
      ...expected,
    });
  });

  it('has no opinion where the desired part is null', () => {
    const plan = decideUpdate(
      { ...report, cupsCredCrc: 5, tcCredCrc: 6 },
      { cupsUri: null, cupsCredCrc: null, lnsUri: null, lnsCredCrc: null, firmware: null },
    );
    expect(isInSync(plan)).toBe(true);
  });

  it('never plans a credential for an http or ws target, whatever the CRCs', () => {
    const plain = decideUpdate(report, {
      ...want,
      cupsUri: 'http://js.example.com:6040',
      lnsUri: 'ws://lns.example.com:80',
      cupsCredCrc: 1,
      lnsCredCrc: 2,
    });
    expect(plain.cupsUri).toBe('http://js.example.com:6040');
    expect(plain.tcUri).toBe('ws://lns.example.com:80');
    expect(plain.cupsCred).toBe(false);
    expect(plain.tcCred).toBe(false);
  });

  it('judges the target by the kept URI when the desired URI is null', () => {
    const httpReport = { ...report, cupsUri: 'http://a.example.com:80', tcUri: 'WS://b.example.com:80' };
    const plan = decideUpdate(httpReport, {
      ...want,
      cupsUri: null,
      lnsUri: null,
      cupsCredCrc: 1,
      lnsCredCrc: 2,
    });
    expect(plan.cupsCred).toBe(false);
    expect(plan.tcCred).toBe(false);
    const secure = decideUpdate(report, {
      ...want,
      cupsUri: null,
      lnsUri: null,
      cupsCredCrc: 1,
      lnsCredCrc: 2,
    });
    expect(secure.cupsCred).toBe(true);
    expect(secure.tcCred).toBe(true);
  });

  it('sends credentials to a bootstrapping station (null URIs, empty CRCs) together with the URIs', () => {
    const boot: UpdateReport = {
      cupsUri: null,
      tcUri: null,
      cupsCredCrc: EMPTY_CRED_CRC,
      tcCredCrc: EMPTY_CRED_CRC,
      keys: [],
    };
    const plan = decideUpdate(boot, want);
    expect(plan).toMatchObject({
      cupsUri: want.cupsUri,
      tcUri: want.lnsUri,
      cupsCred: true,
      tcCred: true,
    });
  });

  it('sends due firmware once, signed for the first reported key that has a signature', () => {
    const fw = { fwcrc: 7, keyCrcs: [30, 20], due: true, sent: false };
    expect(decideUpdate({ ...report, keys: [10, 20, 30] }, { ...want, firmware: fw })).toMatchObject({
      firmwareKeyCrc: 20,
      firmwareBlocked: false,
    });
    expect(decideUpdate({ ...report, keys: [10] }, { ...want, firmware: fw })).toMatchObject({
      firmwareKeyCrc: undefined,
      firmwareBlocked: true,
    });
    expect(
      decideUpdate({ ...report, keys: [20] }, { ...want, firmware: { ...fw, sent: true } }).firmwareKeyCrc,
    ).toBe(undefined);
    expect(
      decideUpdate({ ...report, keys: [20] }, { ...want, firmware: { ...fw, due: false } }).firmwareKeyCrc,
    ).toBe(undefined);
  });

  it('counts a planned firmware update as a change', () => {
    const plan = decideUpdate(
      { ...report, keys: [20] },
      { ...want, firmware: { fwcrc: 7, keyCrcs: [20], due: true, sent: false } },
    );
    expect(isInSync(plan)).toBe(false);
  });
});
