/**
 * Test helpers for label pictures: reproducible random gateways with real-shaped PINs, PNG decoding,
 * QR (jsQR) and Code 128 (zxing) reading, and ink bounding boxes.
 */
import { createRequire } from 'node:module';
import { mkdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PNG } from 'pngjs';
import jsQR from 'jsqr';
import type { LabelInput } from '../../../../src-main/core/labels/label-model';
import {
  CODE128_QUIET_MODULES,
  QR_SYMBOL_MODULES,
  parseLabelTemplate,
  type LabelLayout,
  type LabelTemplate,
} from '../../../../src-main/core/labels/label-template';

const require = createRequire(import.meta.url);
// zxing ships CommonJS whose named exports Node's ESM loader cannot see; load it as CommonJS.
const zx = require('@zxing/library') as typeof import('@zxing/library');

/** Seed for the random gateways; set LABEL_TEST_SEED to replay a failure. */
export const SEED = Number(process.env.LABEL_TEST_SEED ?? 0x6a77_6a73);

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** xorshift32: small, seedable, good enough to pick test EUIs. */
export function prng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s;
  };
}

/**
 * `n` random gateways: the first is the SPEC §6 example, the rest random 64-bit EUIs (every third one
 * built from a MAC, so the label shows it) with random 8-symbol Crockford PINs.
 */
export function randomGateways(n: number, seed = SEED): LabelInput[] {
  const next = prng(seed);
  const out: LabelInput[] = [{ id: 0x000000fffe000abcn, pin: '6CVHEQSA', fromMac: true }];
  while (out.length < n) {
    const hi = BigInt(next());
    const lo = BigInt(next());
    let id = (hi << 32n) | lo;
    const fromMac = out.length % 3 === 0;
    if (fromMac) id = (id & 0xffffff0000ffffffn) | 0x000000fffe000000n; // FF FE at bytes 3–4
    let pin = '';
    for (let i = 0; i < 8; i++) pin += CROCKFORD[next() % 32];
    out.push({ id, pin, fromMac });
  }
  return out;
}

/** A bundled template from resources/labels, validated. */
export function bundledTemplate(name: string): LabelTemplate {
  const url = new URL(`../../../../resources/labels/${name}.json`, import.meta.url);
  return parseLabelTemplate(JSON.parse(readFileSync(url, 'utf8')), name);
}

/** A decoded picture: RGBA for jsQR, one luminance byte per pixel for zxing and ink boxes. */
export interface Picture {
  width: number;
  height: number;
  rgba: Uint8ClampedArray;
  gray: Uint8ClampedArray;
}

/** Decodes a PNG (any colour type) into a {@link Picture}. */
export function readPicture(png: Uint8Array): Picture {
  const img = PNG.sync.read(Buffer.from(png));
  const rgba = new Uint8ClampedArray(img.data.buffer, img.data.byteOffset, img.data.byteLength);
  const gray = new Uint8ClampedArray(img.width * img.height);
  for (let i = 0; i < gray.length; i++) {
    // PNG alpha over white, then luminance
    const a = rgba[4 * i + 3]! / 255;
    const l = 0.299 * rgba[4 * i]! + 0.587 * rgba[4 * i + 1]! + 0.114 * rgba[4 * i + 2]!;
    gray[i] = Math.round(l * a + 255 * (1 - a));
  }
  return { width: img.width, height: img.height, rgba, gray };
}

/** The QR text jsQR reads in the picture, or undefined. */
export function readQr(p: Picture): string | undefined {
  return jsQR(p.rgba, p.width, p.height, { inversionAttempts: 'dontInvert' })?.data;
}

/** The Code 128 text zxing reads in the picture (any row, TRY_HARDER), or undefined. */
export function readCode128(p: Picture): string | undefined {
  const hints = new Map<import('@zxing/library').DecodeHintType, unknown>([
    [zx.DecodeHintType.TRY_HARDER, true],
  ]);
  try {
    const source = new zx.RGBLuminanceSource(p.gray, p.width, p.height);
    return new zx.Code128Reader()
      .decode(new zx.BinaryBitmap(new zx.HybridBinarizer(source)), hints)
      .getText();
  } catch {
    return undefined;
  }
}

/** Bounding box of pixels darker than `threshold`, or undefined on a blank picture. */
export function inkBox(
  p: Picture,
  threshold = 128,
): { x: number; y: number; w: number; h: number } | undefined {
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < p.height; y++) {
    for (let x = 0; x < p.width; x++) {
      if (p.gray[y * p.width + x]! < threshold) {
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
    }
  }
  return x1 < 0 ? undefined : { x: x0, y: y0, w: x1 - x0 + 1, h: y1 - y0 + 1 };
}

/** A box in pixels or dots. */
export interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** One element of a layout alone, and the box its ink must stay in (quiet zones excluded). */
export interface LoneElement {
  what: string;
  layout: LabelLayout;
  /** where ink may appear, in dots; `code128Module` lets the PDF check widen bars to fill the area */
  allowed: (code128Module: number) => Box;
}

/** Splits a layout into one-element layouts, for checking that each element stays in its box. */
export function loneElements(layout: LabelLayout): LoneElement[] {
  const bare: LabelLayout = {
    template: layout.template,
    dpmm: layout.dpmm,
    widthDots: layout.widthDots,
    heightDots: layout.heightDots,
    texts: [],
  };
  const out: LoneElement[] = [];
  const { qr, code128 } = layout;
  if (qr) {
    const side = QR_SYMBOL_MODULES * qr.moduleDots;
    out.push({
      what: 'qr',
      layout: { ...bare, qr },
      allowed: () => ({ x: qr.x, y: qr.y, w: side, h: side }),
    });
  }
  if (code128) {
    const a = code128.area;
    out.push({
      what: 'code128',
      layout: { ...bare, code128 },
      allowed: (m) => ({
        x: a.x + CODE128_QUIET_MODULES * m,
        y: a.y,
        w: a.w - 2 * CODE128_QUIET_MODULES * m,
        h: a.h,
      }),
    });
  }
  for (const t of layout.texts) {
    out.push({
      what: `text ${t.field} ${JSON.stringify(t.text)}`,
      layout: { ...bare, texts: [t] },
      allowed: () => ({ x: t.x, y: t.y, w: t.maxWidth, h: t.size }),
    });
  }
  return out;
}

/** True when `inner` lies within `outer` grown by `tol` on every side. */
export function within(inner: Box, outer: Box, tol: number): boolean {
  return (
    inner.x >= outer.x - tol &&
    inner.y >= outer.y - tol &&
    inner.x + inner.w <= outer.x + outer.w + tol &&
    inner.y + inner.h <= outer.y + outer.h + tol
  );
}

/** Scales a box by `k` (dots → pixels). */
export const scaleBox = (b: Box, k: number): Box => ({ x: b.x * k, y: b.y * k, w: b.w * k, h: b.h * k });

/** test/artifacts/labels/, created on first use (gitignored). */
export function artifactsDir(): string {
  const dir = fileURLToPath(new URL('../../../artifacts/labels/', import.meta.url));
  mkdirSync(dir, { recursive: true });
  return dir;
}
