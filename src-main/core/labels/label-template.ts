/**
 * Label templates (SPEC §6, docs/factory-line.md): the label size in mm, the printer resolution, which of the
 * SPEC §6 fields are shown and where. Templates are JSON files (resources/labels/*.json, editable);
 * this module validates them and resolves a template plus a {@link LabelModel} into a layout in
 * printer dots that the ZPL, PDF and PNG renderers all draw from. ZPL and PNG share one dot grid (a
 * module is a whole number of dots); the PDF keeps the QR on that grid and lets the Code 128 fill its
 * area, since office printers are not bound to the Zebra's dots.
 */
import { z } from 'zod';
import { DomainError } from '../../../src-shared/errors';
import type { LabelModel } from './label-model';

/** Text fields a template can show (SPEC §6). `mac` only prints when the EUI came from a MAC. */
const LABEL_TEXT_FIELDS = ['eui64', 'id6', 'mac', 'pin'] as const;
type LabelTextField = (typeof LABEL_TEXT_FIELDS)[number];

/** Printer resolutions we lay out for, with Zebra's dots-per-mm convention (203 dpi = 8 dpmm). */
const DPMM_BY_DPI: Readonly<Record<number, number>> = { 152: 6, 203: 8, 300: 12, 600: 24 };

/**
 * Modules per side of the label QR code. The payload `GWJS:1:<16 hex>:<8 PIN>` (SPEC §6) is always
 * 32 alphanumeric characters, which at error correction M fits version 2 (25 × 25, capacity 38).
 */
export const QR_SYMBOL_MODULES = 25;
/** QR quiet zone, in modules (ISO/IEC 18004). */
const QR_QUIET_MODULES = 4;
/**
 * Widest Code 128 of a 16-hex EUI, in modules, quiet zones excluded: start + 16 data symbols in code
 * set B + check (11 modules each) + stop (13). Encoders that switch to set C for digit pairs are
 * narrower, so a layout that fits this fits every EUI.
 */
export const CODE128_MAX_MODULES = 18 * 11 + 13;
/** Code 128 quiet zone, in modules (ISO/IEC 15417 asks for 10 X). */
export const CODE128_QUIET_MODULES = 10;

const printableAscii = z.string().regex(/^[\x20-\x7e]*$/, 'printable ASCII only');
const mm = z.number().finite().nonnegative();

const textSchema = z.strictObject({
  field: z.enum(LABEL_TEXT_FIELDS),
  /** printed before the value, e.g. "PIN " */
  prefix: printableAscii.max(16).default(''),
  xMm: mm,
  yMm: mm,
  /** font size (em height) in mm; capitals are about ¾ of it */
  sizeMm: z.number().min(1).max(20),
  /** renderers condense or shrink the text so it never runs past this width */
  maxWidthMm: z.number().positive(),
});

/** The JSON shape of a template file. */
const labelTemplateSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'lowercase letters, digits and "-"'),
  description: z.string().max(200).default(''),
  widthMm: z.number().min(10).max(200),
  heightMm: z.number().min(10).max(300),
  dpi: z.union([z.literal(152), z.literal(203), z.literal(300), z.literal(600)]),
  qr: z.strictObject({ xMm: mm, yMm: mm, moduleDots: z.number().int().min(1).max(10) }).optional(),
  /**
   * The Code 128 area, quiet zones included. Printer outputs (ZPL, PNG) use the widest whole number of
   * dots per module that fits the widest EUI in it; the PDF fills the area (see {@link code128Fit}).
   */
  code128: z
    .strictObject({
      xMm: mm,
      yMm: mm,
      widthMm: z.number().positive(),
      heightMm: z.number().min(3).max(100),
    })
    .optional(),
  texts: z.array(textSchema).max(8),
});

/** A validated template (see {@link parseLabelTemplate}). */
export type LabelTemplate = z.output<typeof labelTemplateSchema>;

/** An axis-aligned box in dots: [x, y) × [x + w, y + h). */
interface DotBox {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** One text line of a resolved layout, in dots. */
export interface TextPlacement {
  field: LabelTextField;
  text: string;
  x: number;
  y: number;
  /** font size (em) in dots */
  size: number;
  maxWidth: number;
}

/** A template resolved for one label: everything in printer dots on the template's grid. */
export interface LabelLayout {
  template: string;
  dpmm: number;
  widthDots: number;
  heightDots: number;
  qr?: { x: number; y: number; moduleDots: number; payload: string };
  /** `x` is where the bars start (the quiet zone is left of it, inside `area`, the template's box) */
  code128?: { x: number; y: number; height: number; moduleDots: number; data: string; area: DotBox };
  texts: TextPlacement[];
}

/** Dots per mm for a template's dpi. */
export function dpmmOf(template: Pick<LabelTemplate, 'dpi'>): number {
  const d = DPMM_BY_DPI[template.dpi];
  if (d === undefined) throw new DomainError('invalid_request', `dpi: ${template.dpi} is not supported`);
  return d;
}

const toDots = (valueMm: number, dpmm: number) => Math.round(valueMm * dpmm);

/** The boxes a template reserves, quiet zones included, labelled for error messages. */
export function reservedBoxes(template: LabelTemplate): Array<{ what: string; box: DotBox }> {
  const d = dpmmOf(template);
  const out: Array<{ what: string; box: DotBox }> = [];
  if (template.qr) {
    const m = template.qr.moduleDots;
    const q = QR_QUIET_MODULES * m;
    out.push({
      what: 'qr (with quiet zone)',
      box: {
        x: toDots(template.qr.xMm, d) - q,
        y: toDots(template.qr.yMm, d) - q,
        w: QR_SYMBOL_MODULES * m + 2 * q,
        h: QR_SYMBOL_MODULES * m + 2 * q,
      },
    });
  }
  if (template.code128) {
    out.push({
      what: 'code128 (with quiet zones)',
      box: {
        x: toDots(template.code128.xMm, d),
        y: toDots(template.code128.yMm, d),
        w: toDots(template.code128.widthMm, d),
        h: toDots(template.code128.heightMm, d),
      },
    });
  }
  template.texts.forEach((t, i) =>
    out.push({
      what: `texts[${i}] (${t.field})`,
      box: { x: toDots(t.xMm, d), y: toDots(t.yMm, d), w: toDots(t.maxWidthMm, d), h: toDots(t.sizeMm, d) },
    }),
  );
  return out;
}

/**
 * How a Code 128 sits in an area `width` units wide (dots, or mm for the PDF): the module size that
 * fits the widest EUI ({@link CODE128_MAX_MODULES}) plus both quiet zones — whole units when `whole`
 * (printer dots), else exact — and the offset of the first bar from the area's left edge, centring
 * the widest symbol. `module` is 0 when nothing fits.
 */
export function code128Fit(width: number, whole: boolean): { module: number; barsOffset: number } {
  const span = CODE128_MAX_MODULES + 2 * CODE128_QUIET_MODULES;
  const module = whole ? Math.floor(width / span) : width / span;
  const barsOffset = (width - span * module) / 2 + CODE128_QUIET_MODULES * module;
  return { module, barsOffset: whole ? Math.floor(barsOffset) : barsOffset };
}

/** True when two boxes share any area (touching edges do not count). */
export function boxesOverlap(a: DotBox, b: DotBox): boolean {
  return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

/**
 * Parses and checks a template: the JSON shape, then the geometry — every element (the QR and the
 * widest possible Code 128 with their quiet zones, each text's box) lies inside the label and no two
 * overlap, so no EUI or PIN can make a label unreadable.
 * @param source names the template in error messages (file name or template name)
 * @throws DomainError('invalid_request') naming the field or the two colliding elements.
 */
export function parseLabelTemplate(raw: unknown, source: string): LabelTemplate {
  const parsed = labelTemplateSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? issue.path.join('.') : '(root)';
    throw new DomainError(
      'invalid_request',
      `label template ${source}: ${where}: ${issue?.message ?? 'invalid'}`,
      { template: source, field: where },
    );
  }
  const t = parsed.data;
  const d = dpmmOf(t);
  const W = toDots(t.widthMm, d);
  const H = toDots(t.heightMm, d);
  if (t.code128 && code128Fit(toDots(t.code128.widthMm, d), true).module < 1) {
    const need = (CODE128_MAX_MODULES + 2 * CODE128_QUIET_MODULES) / d;
    throw new DomainError(
      'invalid_request',
      `label template ${source}: code128.widthMm: ${t.code128.widthMm} mm holds no Code 128 of a 16-hex EUI at ${t.dpi} dpi (needs ${need} mm)`,
      { template: source, field: 'code128.widthMm' },
    );
  }
  const boxes = reservedBoxes(t);
  for (const { what, box } of boxes) {
    if (box.x < 0 || box.y < 0 || box.x + box.w > W || box.y + box.h > H) {
      throw new DomainError(
        'invalid_request',
        `label template ${source}: ${what} does not fit on the ${t.widthMm} × ${t.heightMm} mm label`,
        { template: source },
      );
    }
  }
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i]!;
      const b = boxes[j]!;
      if (boxesOverlap(a.box, b.box)) {
        throw new DomainError('invalid_request', `label template ${source}: ${a.what} overlaps ${b.what}`, {
          template: source,
        });
      }
    }
  }
  return t;
}

function textValue(model: LabelModel, field: LabelTextField): string | undefined {
  switch (field) {
    case 'eui64':
      return model.eui64;
    case 'id6':
      return model.id6;
    case 'mac':
      return model.mac;
    case 'pin':
      return model.pinFormatted;
  }
}

/**
 * Resolves a validated template and a label model into dot coordinates. A text whose value is absent
 * (the MAC of an EUI not typed as a MAC) is left out; its space stays blank.
 */
export function resolveLayout(template: LabelTemplate, model: LabelModel): LabelLayout {
  const d = dpmmOf(template);
  const layout: LabelLayout = {
    template: template.name,
    dpmm: d,
    widthDots: toDots(template.widthMm, d),
    heightDots: toDots(template.heightMm, d),
    texts: [],
  };
  if (template.qr) {
    layout.qr = {
      x: toDots(template.qr.xMm, d),
      y: toDots(template.qr.yMm, d),
      moduleDots: template.qr.moduleDots,
      payload: model.qrPayload,
    };
  }
  if (template.code128) {
    const area = {
      x: toDots(template.code128.xMm, d),
      y: toDots(template.code128.yMm, d),
      w: toDots(template.code128.widthMm, d),
      h: toDots(template.code128.heightMm, d),
    };
    const fit = code128Fit(area.w, true);
    layout.code128 = {
      x: area.x + fit.barsOffset,
      y: area.y,
      height: area.h,
      moduleDots: fit.module,
      data: model.code128Data,
      area,
    };
  }
  for (const t of template.texts) {
    const value = textValue(model, t.field);
    if (value === undefined) continue;
    layout.texts.push({
      field: t.field,
      text: t.prefix + value,
      x: toDots(t.xMm, d),
      y: toDots(t.yMm, d),
      size: toDots(t.sizeMm, d),
      maxWidth: toDots(t.maxWidthMm, d),
    });
  }
  return layout;
}
