import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildLabelModel } from '../../../src-main/core/labels/label-model';
import { resolveLayout, type LabelTemplate } from '../../../src-main/core/labels/label-template';
import {
  font0FitWidth,
  font0Width,
  layoutToZpl,
  renderZpl,
  renderZplBatch,
  zplFieldData,
} from '../../../src-main/adapters/printers/zpl';
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
  within,
} from './helpers/label-fixtures';

/** zpl-renderer-js (zebrash compiled to wasm): ZPL → PNG offline, as a Zebra would print it. */
interface ZplRenderer {
  zplToBase64Async(zpl: string, widthMm: number, heightMm: number, dpmm: number): Promise<string>;
  zplToBase64MultipleAsync(zpl: string, widthMm: number, heightMm: number, dpmm: number): Promise<string[]>;
}
let zebra: ZplRenderer;
beforeAll(async () => {
  const require = createRequire(import.meta.url);
  zebra = (await (require('zpl-renderer-js') as { ready: Promise<{ api: ZplRenderer }> }).ready).api;
});

const dpmm = (t: LabelTemplate) => (t.dpi === 203 ? 8 : 12);
const TEMPLATES = ['default-50x30', 'small-40x20'] as const;

describe('renderZpl', () => {
  it('writes one ^XA…^XZ label: size in dots, ^BQ QR (ECC M, alphanumeric), ^BC Code 128 of the EUI', () => {
    const model = buildLabelModel({ id: 0x000000fffe000abcn, pin: '6CVHEQSA', fromMac: true });
    const zpl = renderZpl(model, bundledTemplate('default-50x30'));
    expect(zpl.startsWith('^XA\n')).toBe(true);
    expect(zpl.endsWith('^XZ\n')).toBe(true);
    expect(zpl).toContain('^PW400\n^LL240\n');
    // QR model 2, 4 dots per module; data: error correction M, manual input, alphanumeric mode
    expect(zpl).toContain('^FO16,6^BQN,2,4^FDMM,AGWJS:1:000000FFFE000ABC:6CVHEQSA^FS');
    expect(zpl).toContain('^BY1^FO94,168^BCN,56,N,N,N,A^FD000000FFFE000ABC^FS');
    expect(zpl).toContain('^FH^FDPIN 6CVH-EQSA^FS');
    expect(zpl).toContain('^FH^FDMAC 00:00:00:00:0A:BC^FS');
    expect(zpl).toContain('^FH^FDEUI 00-00-00-FF-FE-00-0A-BC^FS');
    const small = renderZpl(model, bundledTemplate('small-40x20'));
    expect(small).toContain('^PW480\n^LL240\n');
    expect(small).toContain('^BY2^FO29,138^BCN,84,N,N,N,A^FD000000FFFE000ABC^FS');
    expect(small).not.toContain('MAC');
  });

  it('escapes ^, ~ and _ in text so a template prefix cannot inject commands', () => {
    expect(zplFieldData('a^XZ~JR_b')).toBe('a_5EXZ_7EJR_5Fb');
    const t = bundledTemplate('default-50x30');
    const hostile = { ...t, texts: t.texts.map((x) => ({ ...x, prefix: '^XZ^XA' })) };
    const zpl = renderZpl(buildLabelModel({ id: 1n, pin: '6CVHEQSA' }), hostile);
    expect(zpl.match(/\^XA/g)).toHaveLength(1);
    expect(zpl.match(/\^XZ/g)).toHaveLength(1);
  });

  it('condenses font 0 only when the text would run past its box', () => {
    expect(font0FitWidth({ text: 'PIN 6CVH-EQSA', size: 32, maxWidth: 248 })).toBe(32);
    const long = { text: 'EUI 00-00-00-FF-FE-00-0A-BC', size: 24, maxWidth: 368 };
    const w = font0FitWidth(long);
    expect(w).toBeLessThan(24);
    expect(font0Width(long.text, w)).toBeLessThanOrEqual(long.maxWidth);
    expect(font0Width(long.text, w + 1)).toBeGreaterThan(long.maxWidth);
  });

  it('batches labels into one job, one ^XA…^XZ per label', () => {
    const models = randomGateways(3).map(buildLabelModel);
    const job = renderZplBatch(models, bundledTemplate('default-50x30'));
    expect(job.match(/\^XA/g)).toHaveLength(3);
    models.forEach((m) => expect(job).toContain(`^FDMM,A${m.qrPayload}^FS`));
  });
});

describe('ZPL as pictures (zpl-renderer-js)', () => {
  const counts = { 'default-50x30': 50, 'small-40x20': 25 } as const;
  for (const name of TEMPLATES) {
    it(`${name}: the printed QR (jsQR) and Code 128 (zxing) read back for ${counts[name]} random EUIs (seed ${SEED})`, async () => {
      const template = bundledTemplate(name);
      const models = randomGateways(counts[name]).map(buildLabelModel);
      const pictures = await zebra.zplToBase64MultipleAsync(
        renderZplBatch(models, template),
        template.widthMm,
        template.heightMm,
        dpmm(template),
      );
      expect(pictures).toHaveLength(models.length);
      const failures: string[] = [];
      pictures.forEach((b64, i) => {
        const m = models[i]!;
        const pic = readPicture(Buffer.from(b64, 'base64'));
        expect([pic.width, pic.height]).toEqual([
          template.widthMm * dpmm(template),
          template.heightMm * dpmm(template),
        ]);
        const qr = readQr(pic);
        const bars = readCode128(pic);
        if (qr !== m.qrPayload || bars !== m.code128Data) {
          failures.push(`${m.code128Data}: qr=${qr ?? 'unreadable'} code128=${bars ?? 'unreadable'}`);
        }
        if (i < 2)
          writeFileSync(join(artifactsDir(), `zpl-${name}-${m.code128Data}.png`), Buffer.from(b64, 'base64'));
      });
      expect(failures).toEqual([]);
    });
  }

  for (const name of TEMPLATES) {
    it(`${name}: every printed element stays inside its box (QR exactly where the template puts it)`, async () => {
      const template = bundledTemplate(name);
      const layout = resolveLayout(template, buildLabelModel(randomGateways(2)[1]!));
      const elements = loneElements(layout);
      const pictures = await zebra.zplToBase64MultipleAsync(
        elements.map((e) => layoutToZpl(e.layout)).join(''),
        template.widthMm,
        template.heightMm,
        dpmm(template),
      );
      elements.forEach((el, i) => {
        const ink = inkBox(readPicture(Buffer.from(pictures[i]!, 'base64')));
        expect(ink, el.what).toBeDefined();
        const allowed = el.allowed(layout.code128?.moduleDots ?? 0);
        if (el.what === 'qr') expect(ink).toEqual(allowed);
        // round glyphs of font 0 overshoot the cap line by a dot
        const tolerance = el.what.startsWith('text') ? 1 : 0;
        expect(
          within(ink!, allowed, tolerance),
          `${el.what}: ink ${JSON.stringify(ink)} outside ${JSON.stringify(allowed)}`,
        ).toBe(true);
      });
    });
  }
});
