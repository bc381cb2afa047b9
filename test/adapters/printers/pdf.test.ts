import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PDFDocument } from 'pdf-lib';
import { afterAll, describe, expect, it } from 'vitest';
import { buildLabelModel, type LabelModel } from '../../../src-main/core/labels/label-model';
import { resolveLayout, type LabelTemplate } from '../../../src-main/core/labels/label-template';
import { renderLayoutsPdf, renderPdf } from '../../../src-main/adapters/printers/pdf';
import {
  SEED,
  artifactsDir,
  bundledTemplate,
  inkBox,
  loneElements,
  randomGateways,
  readCode128,
  readPicture,
  readQr,
  scaleBox,
  within,
  type Picture,
} from './helpers/label-fixtures';

const run = promisify(execFile);
const work = mkdtempSync(join(tmpdir(), 'gwjs-pdf-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Rasterizes every page with one `pdftoppm -r 300 -png` call, pages in order. */
async function rasterize(pdf: Uint8Array, stem: string): Promise<Picture[]> {
  const file = join(work, `${stem}.pdf`);
  writeFileSync(file, pdf);
  await run('pdftoppm', ['-r', '300', '-png', file, join(work, stem)]);
  return readdirSync(work)
    .filter((f) => f.startsWith(`${stem}-`) && f.endsWith('.png'))
    .sort()
    .map((f) => readPicture(readFileSync(join(work, f))));
}

const PT_PER_MM = 72 / 25.4;
const TEMPLATES = ['default-50x30', 'small-40x20'] as const;

describe('renderPdf', () => {
  it('makes one page per label, each exactly the template size', async () => {
    const t = bundledTemplate('default-50x30');
    const doc = await PDFDocument.load(await renderPdf(randomGateways(3).map(buildLabelModel), t));
    expect(doc.getPageCount()).toBe(3);
    for (const p of doc.getPages()) {
      expect(p.getWidth()).toBeCloseTo(50 * PT_PER_MM, 6);
      expect(p.getHeight()).toBeCloseTo(30 * PT_PER_MM, 6);
    }
    await expect(renderPdf([], t)).rejects.toThrow(RangeError);
  });

  const counts = { 'default-50x30': 50, 'small-40x20': 25 } as const;
  for (const name of TEMPLATES) {
    it(`${name}: pdftoppm -r 300 pages read back (QR via jsQR, Code 128 via zxing) for ${counts[name]} random EUIs (seed ${SEED})`, async () => {
      const template: LabelTemplate = bundledTemplate(name);
      const models: LabelModel[] = randomGateways(counts[name]).map(buildLabelModel);
      const pages = await rasterize(await renderPdf(models, template), name);
      expect(pages).toHaveLength(models.length);
      const failures: string[] = [];
      pages.forEach((pic, i) => {
        const m = models[i]!;
        // 300 dpi: 50 mm → 591 px (pdftoppm rounds the page up)
        expect(Math.abs(pic.width - (template.widthMm / 25.4) * 300)).toBeLessThan(2);
        const qr = readQr(pic);
        const bars = readCode128(pic);
        if (qr !== m.qrPayload || bars !== m.code128Data) {
          failures.push(
            `page ${i + 1} ${m.code128Data}: qr=${qr ?? 'unreadable'} code128=${bars ?? 'unreadable'}`,
          );
        }
      });
      expect(failures).toEqual([]);
      const first = readdirSync(work).find((f) => f.startsWith(`${name}-`) && f.endsWith('.png'))!;
      copyFileSync(join(work, first), join(artifactsDir(), `pdf-${name}-page1-300dpi.png`));
    });
  }

  for (const name of TEMPLATES) {
    it(`${name}: every element stays inside its box on the page, Code 128 filling its area`, async () => {
      const template = bundledTemplate(name);
      const layout = resolveLayout(template, buildLabelModel(randomGateways(2)[1]!));
      const elements = loneElements(layout);
      const pdf = await renderLayoutsPdf(
        elements.map((e) => e.layout),
        { widthMm: template.widthMm, heightMm: template.heightMm, title: 'elements' },
      );
      const pages = await rasterize(pdf, `${name}-elements`);
      const pxPerDot = 300 / 25.4 / layout.dpmm;
      // the PDF's Code 128 module fills the area: width / (211 + 2 × 10) dots
      const pdfModule = layout.code128 ? layout.code128.area.w / 231 : 0;
      elements.forEach((el, i) => {
        const ink = inkBox(pages[i]!);
        expect(ink, el.what).toBeDefined();
        const allowed = scaleBox(el.allowed(pdfModule), pxPerDot);
        // anti-aliased edges and glyph overshoot: 2 px at 300 dpi (0.17 mm)
        expect(
          within(ink!, allowed, 2),
          `${el.what}: ink ${JSON.stringify(ink)} outside ${JSON.stringify(allowed)}`,
        ).toBe(true);
      });
    });
  }
});
