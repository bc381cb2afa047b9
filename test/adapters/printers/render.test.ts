import { PDFDocument } from 'pdf-lib';
import { describe, expect, it } from 'vitest';
import { buildLabelModel } from '../../../src-main/core/labels/label-model';
import {
  LABEL_FORMATS,
  LABEL_FORMAT_INFO,
  renderLabel,
  renderLabels,
} from '../../../src-main/adapters/printers/render';
import { bundledTemplate, randomGateways, readCode128, readPicture, readQr } from './helpers/label-fixtures';

const model = buildLabelModel({ id: 0x58a0cbfffe800102n, pin: 'S07VYTHR', fromMac: true });
const template = bundledTemplate('default-50x30');
const ascii = (b: Uint8Array, n: number) => Buffer.from(b.subarray(0, n)).toString('latin1');

describe('renderLabel', () => {
  it('renders each format to bytes: ZPL text, a PDF document, a PNG picture', async () => {
    expect(LABEL_FORMATS).toEqual(['zpl', 'pdf', 'png']);
    const zpl = await renderLabel(model, template, 'zpl');
    expect(ascii(zpl, 4)).toBe('^XA\n');
    expect(Buffer.from(zpl).toString('latin1')).toContain('GWJS:1:58A0CBFFFE800102:S07VYTHR');
    expect(ascii(await renderLabel(model, template, 'pdf'), 5)).toBe('%PDF-');
    const png = await renderLabel(model, template, 'png');
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const pic = readPicture(png);
    expect(readQr(pic)).toBe(model.qrPayload);
    expect(readCode128(pic)).toBe('58A0CBFFFE800102');
    expect(readPicture(await renderLabel(model, template, 'png', { scale: 2 })).width).toBe(800);
    expect(LABEL_FORMAT_INFO.pdf).toEqual({ mediaType: 'application/pdf', extension: '.pdf' });
  });

  it('renders several labels as one ZPL job or one multi-page PDF, and refuses what cannot be one file', async () => {
    const models = randomGateways(4).map(buildLabelModel);
    const job = Buffer.from(await renderLabels(models, template, 'zpl')).toString('latin1');
    expect(job.match(/\^XA/g)).toHaveLength(4);
    const pdf = await PDFDocument.load(await renderLabels(models, template, 'pdf'));
    expect(pdf.getPageCount()).toBe(4);
    await expect(renderLabels(models, template, 'png')).rejects.toThrow('png takes one label, got 4');
    await expect(renderLabels([], template, 'zpl')).rejects.toThrow(RangeError);
  });
});
