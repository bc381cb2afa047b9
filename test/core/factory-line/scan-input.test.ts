import { describe, expect, it } from 'vitest';
import { parseScanInput } from '../../../src-main/core/factory-line/scan-input';

describe('parseScanInput', () => {
  it('reads every scanner form of a gateway id, ignoring the CR/LF a scanner adds', () => {
    const id = 0x000000fffe000abcn;
    expect(parseScanInput('00-00-00-FF-FE-00-0A-BC\r\n')).toEqual({ id, fromMac: false });
    expect(parseScanInput(' 000000FFFE000ABC ')).toEqual({ id, fromMac: false });
    expect(parseScanInput('0:ff:fe00:abc')).toEqual({ id, fromMac: false });
    expect(parseScanInput('00:00:00:00:0a:bc')).toEqual({ id, fromMac: true });
    expect(parseScanInput('GWJS:1:000000FFFE000ABC:6CVHEQSA\n')).toEqual({ id, fromMac: false });
  });

  it('names the problem and quotes what was scanned', () => {
    expect(() => parseScanInput('hello')).toThrow(
      expect.objectContaining({ code: 'invalid_id', message: expect.stringContaining('"hello"') }),
    );
    expect(() => parseScanInput('GWJS:2:000000FFFE000ABC:6CVHEQSA')).toThrow(/format "2"/);
    expect(() => parseScanInput('https://ttig.pro/c/58A0CBFFFE800102/abc')).toThrow(/not a gateway id/);
    expect(() => parseScanInput('x'.repeat(300))).toThrow(/…"/);
  });
});
