import { describe, expect, it } from 'vitest';
import { buildLabelModel } from '../../../src-main/core/labels/label-model';
import { DomainError } from '../../../src-shared/errors';
import { parseId } from '../../../src-shared/ids';
import vectors from '../../vectors/kdf.json';

describe('buildLabelModel (SPEC §6)', () => {
  it('gives the SPEC §6 example payload for the KDF vector EUI and PIN', () => {
    const v = vectors.vectors[0]!;
    const m = buildLabelModel({ id: BigInt(`0x${v.eui}`), pin: v.pin });
    expect(m).toEqual({
      eui64: '00-00-00-FF-FE-00-0A-BC',
      id6: '0:ff:fe00:abc',
      pinFormatted: v.pinDisplay,
      code128Data: '000000FFFE000ABC',
      qrPayload: 'GWJS:1:000000FFFE000ABC:6CVHEQSA',
    });
  });

  it('shows every KDF vector PIN as XXXX-XXXX and puts it in the QR payload', () => {
    for (const v of vectors.vectors) {
      const m = buildLabelModel({ id: BigInt(`0x${v.eui}`), pin: v.pin });
      expect(m.pinFormatted).toBe(v.pinDisplay);
      expect(m.qrPayload).toBe(`GWJS:1:${v.eui}:${v.pin}`);
      expect(m.code128Data).toBe(v.eui);
    }
  });

  it('adds the MAC only when the EUI was typed as a MAC', () => {
    const typed = parseId('b8:27:eb:12:34:56');
    expect(typed.fromMac).toBe(true);
    const withMac = buildLabelModel({ ...typed, pin: 'S07VYTHR' });
    expect(withMac.mac).toBe('B8:27:EB:12:34:56');
    expect(withMac.eui64).toBe('B8-27-EB-FF-FE-12-34-56');
    expect(buildLabelModel({ id: typed.id, pin: 'S07VYTHR' }).mac).toBeUndefined();
    expect('mac' in buildLabelModel({ id: typed.id, pin: 'S07VYTHR', fromMac: false })).toBe(false);
  });

  it('leaves the MAC out when fromMac is set but the EUI has no FF FE in the middle', () => {
    expect(buildLabelModel({ id: 0x0102030405060708n, pin: 'S07VYTHR', fromMac: true }).mac).toBeUndefined();
  });

  it('keeps the QR payload inside the QR alphanumeric alphabet, uppercase', () => {
    const m = buildLabelModel({ id: 0xabcdef0123456789n, pin: 'ZZZZ0000' });
    expect(m.qrPayload).toMatch(/^[0-9A-Z $%*+\-./:]+$/);
    expect(m.id6).toBe('abcd:ef01:2345:6789');
  });

  it('rejects a PIN that is not 8 canonical Crockford symbols with a DomainError', () => {
    for (const pin of ['6CVHEQS', '6cvheqsa', '6CVH-EQSA', '6CVHEQSU', '']) {
      expect(() => buildLabelModel({ id: 1n, pin })).toThrow(DomainError);
    }
  });
});
