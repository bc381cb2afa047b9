/**
 * PDF labels for office printers (SPEC §6): one page per label at the template size in mm,
 * everything vector — QR modules from `qrcode` as filled rectangles on the template's dot grid (a
 * module is `moduleDots / dpmm` mm, as on the Zebra), Code 128 bars from `bwip-js` as rectangles
 * whose module fills the template's Code 128 area (an office printer is not bound to 203 dpi dots, so
 * a 50 mm label gets 0.2 mm bars instead of the Zebra's 0.125 mm), text in Helvetica-Bold — over a
 * white page-sized rectangle so the quiet zones are white on any paper or preview.
 */
import {
  PDFDocument,
  StandardFonts,
  fill,
  popGraphicsState,
  pushGraphicsState,
  rectangle,
  rgb,
  setFillingGrayscaleColor,
  type PDFFont,
  type PDFOperator,
  type PDFPage,
} from 'pdf-lib';
import type { LabelLayout, LabelTemplate, TextPlacement } from '../../core/labels/label-template';
import {
  CODE128_MAX_MODULES,
  CODE128_QUIET_MODULES,
  code128Fit,
  resolveLayout,
} from '../../core/labels/label-template';
import type { LabelModel } from '../../core/labels/label-model';
import { code128Pattern, qrMatrix } from './symbols';

/** PDF points per millimetre. */
const PT_PER_MM = 72 / 25.4;
/** Baseline of a text line below its box top, as a fraction of the font size (as in png.ts). */
const BASELINE = 0.78;
/** Widest Code 128 module the PDF uses, mm (wide labels get no wider bars than scanners like). */
const PDF_CODE128_MAX_MODULE_MM = 0.5;
const BLACK = rgb(0, 0, 0);
const WHITE = rgb(1, 1, 1);

/** Draws one layout on a page whose size is the label's. */
function drawLayout(page: PDFPage, font: PDFFont, layout: LabelLayout): void {
  const pt = PT_PER_MM / layout.dpmm; // points per printer dot
  const H = layout.heightDots;
  // every dark module and bar is one `re` of a single black path, filled once at the end
  const marks: PDFOperator[] = [];
  // rectangle in dots, origin top-left (the layout's) → PDF's bottom-left origin
  const box = (x: number, y: number, w: number, h: number) =>
    marks.push(rectangle(x * pt, (H - y - h) * pt, w * pt, h * pt));

  page.drawRectangle({ x: 0, y: 0, width: page.getWidth(), height: page.getHeight(), color: WHITE });
  if (layout.qr) {
    const { x, y, moduleDots: m } = layout.qr;
    const q = qrMatrix(layout.qr.payload);
    for (let r = 0; r < q.size; r++) {
      // one rectangle per horizontal run of dark modules keeps the page small
      let c = 0;
      while (c < q.size) {
        if (!q.dark(r, c)) {
          c++;
          continue;
        }
        const start = c;
        while (c < q.size && q.dark(r, c)) c++;
        box(x + start * m, y + r * m, (c - start) * m, m);
      }
    }
  }
  if (layout.code128) {
    // not bound to printer dots: the module that fills the template's area (in dots, fractional)
    const { area, data } = layout.code128;
    const fit = code128Fit(area.w, false);
    const m = Math.min(fit.module, PDF_CODE128_MAX_MODULE_MM * layout.dpmm);
    let x =
      area.x +
      (area.w - m * (CODE128_MAX_MODULES + 2 * CODE128_QUIET_MODULES)) / 2 +
      CODE128_QUIET_MODULES * m;
    code128Pattern(data).runs.forEach((run, i) => {
      if (i % 2 === 0) box(x, area.y, run * m, area.h);
      x += run * m;
    });
  }
  if (marks.length > 0) {
    page.pushOperators(
      pushGraphicsState(),
      setFillingGrayscaleColor(0),
      ...marks,
      fill(),
      popGraphicsState(),
    );
  }
  for (const t of layout.texts) drawText(page, font, t, pt, H);
}

function drawText(page: PDFPage, font: PDFFont, t: TextPlacement, pt: number, H: number): void {
  let size = t.size * pt;
  const maxWidth = t.maxWidth * pt;
  const width = font.widthOfTextAtSize(t.text, size);
  if (width > maxWidth) size = (size * maxWidth) / width;
  const baselineDots = t.y + t.size * BASELINE;
  page.drawText(t.text, { x: t.x * pt, y: (H - baselineDots) * pt, size, font, color: BLACK });
}

/**
 * A PDF with one page per resolved layout, each page `widthMm × heightMm` (the template's size).
 * @throws RangeError for an empty list.
 */
export async function renderLayoutsPdf(
  layouts: readonly LabelLayout[],
  size: { widthMm: number; heightMm: number; title: string },
): Promise<Uint8Array> {
  if (layouts.length === 0) throw new RangeError('renderPdf: no labels to render');
  const doc = await PDFDocument.create({ updateMetadata: false });
  doc.setTitle(size.title);
  doc.setCreator('gwjs-station');
  const font = await doc.embedFont(StandardFonts.HelveticaBold);
  const page: [number, number] = [size.widthMm * PT_PER_MM, size.heightMm * PT_PER_MM];
  for (const layout of layouts) drawLayout(doc.addPage(page), font, layout);
  return doc.save();
}

/**
 * A PDF with one page per label, each page exactly the template's size.
 * @throws RangeError for an empty list.
 */
export async function renderPdf(models: readonly LabelModel[], template: LabelTemplate): Promise<Uint8Array> {
  return renderLayoutsPdf(
    models.map((m) => resolveLayout(template, m)),
    { widthMm: template.widthMm, heightMm: template.heightMm, title: `gwjs labels (${template.name})` },
  );
}
