import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  CODE128_MAX_MODULES,
  boxesOverlap,
  code128Fit,
  dpmmOf,
  parseLabelTemplate,
  reservedBoxes,
  resolveLayout,
} from '../../../src-main/core/labels/label-template';
import { buildLabelModel } from '../../../src-main/core/labels/label-model';
import { DomainError } from '../../../src-shared/errors';

const dir = new URL('../../../resources/labels/', import.meta.url);
const bundled = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(new URL(`${name}.json`, dir), 'utf8')) as Record<string, unknown>;

/** A valid template with one element per kind, for mutation in the rejection tests. */
const base = () => ({
  name: 'test-60x40',
  widthMm: 60,
  heightMm: 40,
  dpi: 203,
  qr: { xMm: 3, yMm: 3, moduleDots: 4 },
  code128: { xMm: 3, yMm: 30, widthMm: 54, heightMm: 8 },
  texts: [{ field: 'pin', prefix: 'PIN ', xMm: 20, yMm: 3, sizeMm: 4, maxWidthMm: 38 }],
});

function rejection(raw: unknown): DomainError {
  try {
    parseLabelTemplate(raw, 'test');
  } catch (e) {
    if (e instanceof DomainError) return e;
    throw e;
  }
  throw new Error('template was accepted');
}

describe('parseLabelTemplate', () => {
  it('accepts every bundled template, including default-50x30 at 203 dpi and small-40x20 at 300 dpi', () => {
    const names = readdirSync(dir).filter((f) => f.endsWith('.json'));
    expect(names).toEqual(expect.arrayContaining(['default-50x30.json', 'small-40x20.json']));
    for (const f of names) {
      const t = parseLabelTemplate(bundled(f.slice(0, -5)), f);
      expect(t.name).toBe(f.slice(0, -5));
    }
    expect(parseLabelTemplate(bundled('default-50x30'), 'd')).toMatchObject({
      widthMm: 50,
      heightMm: 30,
      dpi: 203,
    });
    expect(parseLabelTemplate(bundled('small-40x20'), 's')).toMatchObject({
      widthMm: 40,
      heightMm: 20,
      dpi: 300,
    });
  });

  it('fills in defaults (empty prefix and description)', () => {
    const raw = base();
    delete (raw.texts[0] as { prefix?: string }).prefix;
    const t = parseLabelTemplate(raw, 'test');
    expect(t.texts[0]!.prefix).toBe('');
    expect(t.description).toBe('');
  });

  it('names the field of a shape error', () => {
    expect(rejection({ ...base(), dpi: 250 }).message).toMatch(/label template test: dpi: /);
    expect(rejection({ ...base(), texts: [{ ...base().texts[0], field: 'gmk' }] }).message).toMatch(
      /texts\.0\.field/,
    );
    expect(rejection({ ...base(), extra: 1 }).message).toMatch(/label template test/);
    expect(rejection({ ...base(), name: '../etc/passwd' }).message).toMatch(/name/);
    expect(rejection({ ...base(), qr: { xMm: 3, yMm: 3, moduleDots: 2.5 } }).message).toMatch(
      /qr\.moduleDots/,
    );
    expect(rejection({ ...base(), texts: [{ ...base().texts[0], prefix: 'PIN\n' }] }).message).toMatch(
      /printable ASCII/,
    );
  });

  it('refuses a QR whose quiet zone runs off the label', () => {
    // 4 modules of 4 dots = 2 mm of quiet zone at 8 dpmm; 1 mm from the edge is too close
    const e = rejection({ ...base(), qr: { xMm: 1, yMm: 3, moduleDots: 4 } });
    expect(e.code).toBe('invalid_request');
    expect(e.message).toMatch(/qr \(with quiet zone\) does not fit on the 60 × 40 mm label/);
  });

  it('refuses a Code 128 area too narrow for the widest EUI at one dot per module', () => {
    // 211 modules + 2 × 10 quiet = 231 dots = 28.875 mm at 8 dpmm
    const e = rejection({ ...base(), code128: { xMm: 3, yMm: 30, widthMm: 28, heightMm: 8 } });
    expect(e.message).toMatch(
      /code128\.widthMm: 28 mm holds no Code 128 of a 16-hex EUI at 203 dpi \(needs 28\.875 mm\)/,
    );
    expect(rejection({ ...base(), code128: { xMm: 20, yMm: 30, widthMm: 45, heightMm: 8 } }).message).toMatch(
      /code128 \(with quiet zones\) does not fit/,
    );
  });

  it('refuses overlapping elements and names both', () => {
    const e = rejection({
      ...base(),
      texts: [{ field: 'eui64', xMm: 10, yMm: 10, sizeMm: 3, maxWidthMm: 40 }],
    });
    expect(e.message).toMatch(/qr \(with quiet zone\) overlaps texts\[0\] \(eui64\)/);
    const two = rejection({
      ...base(),
      texts: [
        { field: 'pin', xMm: 20, yMm: 3, sizeMm: 4, maxWidthMm: 38 },
        { field: 'id6', xMm: 20, yMm: 6, sizeMm: 3, maxWidthMm: 38 },
      ],
    });
    expect(two.message).toMatch(/texts\[0\] \(pin\) overlaps texts\[1\] \(id6\)/);
  });
});

describe('boxesOverlap', () => {
  it('counts shared area, not shared edges', () => {
    const a = { x: 0, y: 0, w: 10, h: 10 };
    expect(boxesOverlap(a, { x: 10, y: 0, w: 5, h: 5 })).toBe(false);
    expect(boxesOverlap(a, { x: 0, y: 10, w: 5, h: 5 })).toBe(false);
    expect(boxesOverlap(a, { x: 9, y: 9, w: 5, h: 5 })).toBe(true);
    expect(boxesOverlap(a, { x: 2, y: 2, w: 1, h: 1 })).toBe(true);
  });
});

describe('code128Fit', () => {
  it('picks whole printer dots per module and centres the widest symbol', () => {
    expect(CODE128_MAX_MODULES).toBe(211);
    // 46 mm at 8 dpmm = 368 dots: 1 dot per module, (368 − 231) / 2 = 68 dots margin, + 10 quiet
    expect(code128Fit(368, true)).toEqual({ module: 1, barsOffset: 78 });
    // 38.5 mm at 12 dpmm = 462 dots: exactly 2 dots per module, bars after the 20-dot quiet zone
    expect(code128Fit(462, true)).toEqual({ module: 2, barsOffset: 20 });
    expect(code128Fit(230, true).module).toBe(0);
  });

  it('fills the area exactly when modules need not be whole (PDF)', () => {
    const f = code128Fit(46, false);
    expect(f.module).toBeCloseTo(46 / 231, 12);
    expect(f.barsOffset).toBeCloseTo(10 * f.module, 12);
  });
});

describe('reservedBoxes', () => {
  it('reserves the template areas in dots, QR quiet zone included', () => {
    const t = parseLabelTemplate(base(), 'test');
    expect(reservedBoxes(t).map((b) => b.box)).toEqual([
      { x: 24 - 16, y: 24 - 16, w: 100 + 32, h: 100 + 32 },
      { x: 24, y: 240, w: 432, h: 64 },
      { x: 160, y: 24, w: 304, h: 32 },
    ]);
  });
});

describe('resolveLayout', () => {
  it('converts mm to dots at 8 dpmm for 203 dpi and 12 dpmm for 300 dpi', () => {
    expect(dpmmOf({ dpi: 203 })).toBe(8);
    expect(dpmmOf({ dpi: 300 })).toBe(12);
    const model = buildLabelModel({ id: 0x000000fffe000abcn, pin: '6CVHEQSA', fromMac: true });
    const d = resolveLayout(parseLabelTemplate(bundled('default-50x30'), 'd'), model);
    expect([d.widthDots, d.heightDots, d.dpmm]).toEqual([400, 240, 8]);
    expect(d.qr).toEqual({ x: 16, y: 16, moduleDots: 4, payload: 'GWJS:1:000000FFFE000ABC:6CVHEQSA' });
    expect(d.code128).toMatchObject({
      x: 16 + 78,
      y: 168,
      height: 56,
      moduleDots: 1,
      data: '000000FFFE000ABC',
    });
    expect(d.texts.map((t) => t.text)).toEqual([
      'PIN 6CVH-EQSA',
      'ID6 0:ff:fe00:abc',
      'MAC 00:00:00:00:0A:BC',
      'EUI 00-00-00-FF-FE-00-0A-BC',
    ]);
    const s = resolveLayout(parseLabelTemplate(bundled('small-40x20'), 's'), model);
    expect([s.widthDots, s.heightDots, s.dpmm]).toEqual([480, 240, 12]);
    expect(s.code128).toMatchObject({ x: 9 + 20, moduleDots: 2 });
  });

  it('leaves out the MAC line when the EUI did not come from a MAC', () => {
    const model = buildLabelModel({ id: 0x0102030405060708n, pin: '6CVHEQSA' });
    const d = resolveLayout(parseLabelTemplate(bundled('default-50x30'), 'd'), model);
    expect(d.texts.map((t) => t.field)).toEqual(['pin', 'id6', 'eui64']);
  });
});
