/**
 * ZPL II for Zebra printers (SPEC §6): one `^XA … ^XZ` label per gateway, drawn from the
 * template layout in printer dots. The printer encodes the symbols itself: `^BQ` QR (model 2, error
 * correction M, manual alphanumeric input, SPEC §6) and `^BC` Code 128 (automatic code sets) of the
 * 16-hex EUI. Text uses the scalable font 0, condensed when needed to stay inside its box.
 */
import type { LabelLayout, LabelTemplate, TextPlacement } from '../../core/labels/label-template';
import { resolveLayout } from '../../core/labels/label-template';
import type { LabelModel } from '../../core/labels/label-model';

/**
 * `^BQ` draws the symbol this many dots below its `^FO` (Zebra firmware; zebrash/Labelary agree), so
 * the field origin is raised by it to put the symbol where the template says.
 */
const ZPL_QR_Y_SHIFT_DOTS = 10;

/**
 * Advance widths of ZPL font 0 (a Helvetica Bold Condensed design) per unit of the `^A0` width
 * parameter, measured on zebrash; Zebra firmware is as narrow or narrower (its hyphen much more so).
 * Characters not listed count as 0.85.
 */
const FONT0_ADVANCE: Readonly<Record<string, number>> = {
  ...Object.fromEntries([...'0123456789E FLTZabde'].map((c) => [c, 0.5])),
  ...Object.fromEntries([...'ABCKPSVXY'].map((c) => [c, 0.556])),
  ...Object.fromEntries([...'DGHNOQRU'].map((c) => [c, 0.612])),
  ' ': 0.25,
  I: 0.278,
  f: 0.278,
  ':': 0.278,
  '.': 0.334,
  J: 0.444,
  c: 0.444,
  M: 0.778,
  W: 0.834,
  '-': 0.8,
};

/** Estimated width of `text` in font 0 at `^A0` width `w`, in dots. */
export function font0Width(text: string, w: number): number {
  let units = 0;
  for (const ch of text) units += FONT0_ADVANCE[ch] ?? 0.85;
  return units * w;
}

/** `^A0` width parameter that keeps `text` within its box: the font size, or narrower. */
export function font0FitWidth(t: Pick<TextPlacement, 'text' | 'size' | 'maxWidth'>): number {
  const natural = font0Width(t.text, t.size);
  if (natural <= t.maxWidth) return t.size;
  return Math.max(1, Math.floor((t.size * t.maxWidth) / natural));
}

/**
 * Field data for `^FH^FD`: `^`, `~` and `_` (the `^FH` escape) become `_5E`, `_7E`, `_5F`, so no
 * text can end the field or inject a command.
 */
export function zplFieldData(text: string): string {
  return text.replace(/[\^~_]/g, (c) => `_${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** The ZPL of one resolved layout (see {@link renderZpl}). */
export function layoutToZpl(layout: LabelLayout): string {
  const out: string[] = ['^XA', '^CI0', `^PW${layout.widthDots}`, `^LL${layout.heightDots}`, '^LH0,0'];
  if (layout.qr) {
    const { x, y, moduleDots, payload } = layout.qr;
    // model 2, magnification = dots per module; data: ECC M, Manual input, A(lphanumeric) mode
    out.push(`^FO${x},${y - ZPL_QR_Y_SHIFT_DOTS}^BQN,2,${moduleDots}^FDMM,A${payload}^FS`);
  }
  if (layout.code128) {
    const { x, y, height, moduleDots, data } = layout.code128;
    // no interpretation line (the EUI is printed as text), automatic code sets (mode A)
    out.push(`^BY${moduleDots}^FO${x},${y}^BCN,${height},N,N,N,A^FD${data}^FS`);
  }
  for (const t of layout.texts) {
    out.push(`^FO${t.x},${t.y}^A0N,${t.size},${font0FitWidth(t)}^FH^FD${zplFieldData(t.text)}^FS`);
  }
  out.push('^PQ1', '^XZ');
  return out.join('\n') + '\n';
}

/** One label in ZPL II for the template's printer resolution. */
export function renderZpl(model: LabelModel, template: LabelTemplate): string {
  return layoutToZpl(resolveLayout(template, model));
}

/** Several labels as one ZPL job (labels concatenated, one `^XA … ^XZ` each). */
export function renderZplBatch(models: readonly LabelModel[], template: LabelTemplate): string {
  return models.map((m) => renderZpl(m, template)).join('');
}
