import { describe, expect, it } from 'vitest';
import { buildLabelModel } from '../../../src-main/core/labels/label-model';
import { CODE128_MAX_MODULES, QR_SYMBOL_MODULES } from '../../../src-main/core/labels/label-template';
import { code128Pattern, qrMatrix } from '../../../src-main/adapters/printers/symbols';
import { randomGateways } from './helpers/label-fixtures';

describe('qrMatrix', () => {
  it('encodes every label payload as a version 2 (25 × 25) symbol, the size templates reserve', () => {
    expect(QR_SYMBOL_MODULES).toBe(25);
    for (const g of randomGateways(200)) {
      const m = qrMatrix(buildLabelModel(g).qrPayload);
      expect([m.version, m.size]).toEqual([2, 25]);
    }
  });

  it('refuses text outside the QR alphanumeric alphabet', () => {
    expect(() => qrMatrix('GWJS:1:abc')).toThrow(/not QR alphanumeric/);
  });
});

describe('code128Pattern', () => {
  it('never exceeds the 211 modules templates reserve, for any 16-hex EUI', () => {
    const widths = randomGateways(500).map(
      (g) => code128Pattern(buildLabelModel(g).code128Data).totalModules,
    );
    widths.push(
      code128Pattern('FFFFFFFFFFFFFFFF').totalModules,
      code128Pattern('0000000000000000').totalModules,
    );
    expect(Math.max(...widths)).toBeLessThanOrEqual(CODE128_MAX_MODULES);
    expect(code128Pattern('FFFFFFFFFFFFFFFF').totalModules).toBe(211);
    // all digits: start C + 8 pairs + check + stop
    expect(code128Pattern('0000000000000000').totalModules).toBe(10 * 11 + 13);
  });

  it('alternates bars and spaces starting and ending with a bar', () => {
    const p = code128Pattern('000000FFFE000ABC');
    expect(p.runs.length % 2).toBe(1);
    expect(p.runs.every((r) => r >= 1 && r <= 4)).toBe(true);
  });
});
