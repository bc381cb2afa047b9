/**
 * PNG preview of a label (SPEC §6): the template layout drawn at printer resolution (times an
 * integer `scale`) on a white background — QR modules from `qrcode`, Code 128 bars from `bwip-js`,
 * text in bwip-js's OCR-B font — and encoded as 8-bit grayscale with pngjs. Every module is a whole
 * number of pixels and the quiet zones reserved by the template stay white, so scanners read the
 * picture as they read the printed label.
 */
import { PNG } from 'pngjs';
import bwipjs from 'bwip-js/node';
import type { LabelLayout, LabelTemplate, TextPlacement } from '../../core/labels/label-template';
import { resolveLayout } from '../../core/labels/label-template';
import type { LabelModel } from '../../core/labels/label-model';
import { code128Pattern, qrMatrix } from './symbols';

/** Options of {@link renderPng}. */
export interface PngOptions {
  /** pixels per printer dot (1 = printer resolution; 2–4 for a sharper on-screen preview) */
  scale?: number;
}

/** Baseline of a text line below its box top, as a fraction of the font size (caps fill ~¾). */
const BASELINE = 0.78;
const FONT = 'OCR-B';

/** A grayscale canvas: 0 = black, 255 = white. */
class GrayCanvas {
  readonly pixels: Uint8Array;
  constructor(
    readonly width: number,
    readonly height: number,
  ) {
    this.pixels = new Uint8Array(width * height).fill(255);
  }

  fillRect(x: number, y: number, w: number, h: number): void {
    const x0 = Math.max(0, x);
    const x1 = Math.min(this.width, x + w);
    for (let yy = Math.max(0, y); yy < Math.min(this.height, y + h); yy++) {
      this.pixels.fill(0, yy * this.width + x0, yy * this.width + x1);
    }
  }

  /** Darkens a pixel by coverage `a` (0–255), keeping the darker of old and new. */
  ink(x: number, y: number, a: number): void {
    if (x < 0 || y < 0 || x >= this.width || y >= this.height) return;
    const i = y * this.width + x;
    this.pixels[i] = Math.min(this.pixels[i]!, 255 - a);
  }
}

function textWidth(fontId: number, text: string, size: number): number {
  let w = 0;
  for (let i = 0; i < text.length; i++)
    w += bwipjs.FontLib.getglyph(fontId, text.charCodeAt(i), size, size).advance;
  return w;
}

/** Font size (px) that keeps `text` within `maxWidth`: the template's, or smaller. */
function fitSize(fontId: number, text: string, size: number, maxWidth: number): number {
  let s = size;
  while (s > 4 && textWidth(fontId, text, s) > maxWidth) s--;
  return s;
}

function drawText(c: GrayCanvas, t: TextPlacement, scale: number): void {
  const fontId = bwipjs.FontLib.lookup(FONT);
  const size = fitSize(fontId, t.text, t.size * scale, t.maxWidth * scale);
  const baseline = t.y * scale + Math.round(t.size * scale * BASELINE);
  let x = t.x * scale;
  for (let k = 0; k < t.text.length; k++) {
    const g = bwipjs.FontLib.getglyph(fontId, t.text.charCodeAt(k), size, size);
    for (let j = 0; j < g.height; j++) {
      for (let i = 0; i < g.width; i++) {
        const a = g.bytes[g.offset + j * g.width + i]!;
        if (a) c.ink(x + g.left + i, baseline - g.top + j, a);
      }
    }
    x += g.advance;
  }
}

/** Draws a resolved layout; returns the canvas (exported for tests that inspect pixels). */
export function drawLayout(layout: LabelLayout, scale = 1): GrayCanvas {
  if (!Number.isInteger(scale) || scale < 1 || scale > 8) {
    throw new RangeError(`scale: ${scale} must be an integer from 1 to 8`);
  }
  const c = new GrayCanvas(layout.widthDots * scale, layout.heightDots * scale);
  if (layout.qr) {
    const m = qrMatrix(layout.qr.payload);
    const px = layout.qr.moduleDots * scale;
    for (let r = 0; r < m.size; r++) {
      for (let col = 0; col < m.size; col++) {
        if (m.dark(r, col)) c.fillRect(layout.qr.x * scale + col * px, layout.qr.y * scale + r * px, px, px);
      }
    }
  }
  if (layout.code128) {
    const p = code128Pattern(layout.code128.data);
    const px = layout.code128.moduleDots * scale;
    let x = layout.code128.x * scale;
    p.runs.forEach((run, i) => {
      if (i % 2 === 0) c.fillRect(x, layout.code128!.y * scale, run * px, layout.code128!.height * scale);
      x += run * px;
    });
  }
  for (const t of layout.texts) drawText(c, t, scale);
  return c;
}

/** One label as a PNG (8-bit grayscale, white background). */
export function renderPng(model: LabelModel, template: LabelTemplate, options: PngOptions = {}): Uint8Array {
  const c = drawLayout(resolveLayout(template, model), options.scale ?? 1);
  const png = new PNG({ width: c.width, height: c.height, colorType: 0, inputColorType: 0, bitDepth: 8 });
  png.data = Buffer.from(c.pixels.buffer, c.pixels.byteOffset, c.pixels.byteLength);
  const out = PNG.sync.write(png, { colorType: 0, inputColorType: 0, inputHasAlpha: false });
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}
