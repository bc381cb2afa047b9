/**
 * One entry point for every label output (`gwjs label`, SPEC §6–§7): ZPL for Zebra
 * printers, PDF for office printers, PNG for the on-screen preview.
 */
import type { LabelTemplate } from '../../core/labels/label-template';
import type { LabelModel } from '../../core/labels/label-model';
import { renderPdf } from './pdf';
import { renderPng, type PngOptions } from './png';
import { renderZplBatch } from './zpl';

/** Output formats of {@link renderLabel}. */
export const LABEL_FORMATS = ['zpl', 'pdf', 'png'] as const;
export type LabelFormat = (typeof LABEL_FORMATS)[number];

/** Media type and file extension of each format. */
export const LABEL_FORMAT_INFO: Readonly<Record<LabelFormat, { mediaType: string; extension: string }>> = {
  zpl: { mediaType: 'application/vnd.zebra.zpl', extension: '.zpl' },
  pdf: { mediaType: 'application/pdf', extension: '.pdf' },
  png: { mediaType: 'image/png', extension: '.png' },
};

/** Options of {@link renderLabel} / {@link renderLabels}. */
type RenderOptions = PngOptions;

/**
 * Renders one label: `zpl` → ASCII ZPL II bytes, `pdf` → a one-page PDF at the template size,
 * `png` → an 8-bit grayscale PNG at printer resolution × `options.scale` (default 1).
 */
export async function renderLabel(
  model: LabelModel,
  template: LabelTemplate,
  format: LabelFormat,
  options: RenderOptions = {},
): Promise<Uint8Array> {
  return renderLabels([model], template, format, options);
}

/**
 * Renders several labels as one document: a ZPL job with one `^XA…^XZ` per label, or a PDF with one
 * page per label. PNG holds one picture, so `png` takes exactly one label.
 * @throws RangeError for an empty list, or more than one label as PNG.
 */
export async function renderLabels(
  models: readonly LabelModel[],
  template: LabelTemplate,
  format: LabelFormat,
  options: RenderOptions = {},
): Promise<Uint8Array> {
  if (models.length === 0) throw new RangeError('renderLabels: no labels to render');
  switch (format) {
    case 'zpl':
      return new TextEncoder().encode(renderZplBatch(models, template));
    case 'pdf':
      return renderPdf(models, template);
    case 'png':
      if (models.length !== 1)
        throw new RangeError(`renderLabels: png takes one label, got ${models.length}`);
      return renderPng(models[0]!, template, options);
  }
}
