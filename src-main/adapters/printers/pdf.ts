/**
 * PDF labels for office printers (issue #6 item 4): one page per label at the template size in mm,
 * everything vector — QR modules from `qrcode` and Code 128 bars from `bwip-js` as filled rectangles
 * on the template's dot grid (a module is `moduleDots / dpmm` mm, as on the Zebra), text in
 * Helvetica-Bold — over a white page-sized rectangle so the quiet zones are white on any paper
 * preview.
 */
import { PDFDocument, StandardFonts, rgb, type PDFFont, type PDFPage } from 'pdf-lib';
import type { LabelLayout, LabelTemplate, TextPlacement } from '../../core/labels/label-template';
import { resolveLayout } from '../../core/labels/label-template';
import type { LabelModel } from '../../core/labels/label-model';
import { code128Pattern, qrMatrix } from './symbols';

/** PDF points per millimetre. */
const PT_PER_MM = 72 / 25.4;
/** Baseline of a text line below its box top, as a fraction of the font size (as in png.ts). */
const BASELINE = 0.78;
const BLACK = rgb(0, 0, 0);
const WHITE = rgb(1, 1, 1);

/** Draws one layout on a page whose size is the label's. */
function drawLayout(page: PDFPage, font: PDFFont, layout: LabelLayout): void {
  const pt = PT_PER_MM / layout.dpmm; // points per printer dot
  const H = layout.heightDots;
  // rectangle in dots, origin top-left (the layout's) → PDF's bottom-left origin
  const box = (x: number, y: number, w: number, h: number) =>
    page.drawRectangle({ x: x * pt, y: (H - y - h) * pt, width: w * pt, height: h * pt, color: BLACK });

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
    const { y, height, moduleDots: m } = layout.code128;
    let x = layout.code128.x;
    code128Pattern(layout.code128.data).runs.forEach((run, i) => {
      if (i % 2 === 0) box(x, y, run * m, height);
      x += run * m;
    });
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
 * A PDF with one page per label, each page exactly the template's size.
 * @throws RangeError for an empty list.
 */
export async function renderPdf(models: readonly LabelModel[], template: LabelTemplate): Promise<Uint8Array> {
  if (models.length === 0) throw new RangeError('renderPdf: no labels to render');
  const doc = await PDFDocument.create({ updateMetadata: false });
  doc.setTitle(`gwjs labels (${template.name})`);
  doc.setCreator('gwjs-station');
  const font = await doc.embedFont(StandardFonts.HelveticaBold);
  const size: [number, number] = [template.widthMm * PT_PER_MM, template.heightMm * PT_PER_MM];
  for (const model of models) drawLayout(doc.addPage(size), font, resolveLayout(template, model));
  return doc.save();
}
