import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { buildLabelModel } from '../../../src-main/core/labels/label-model';
import { resolveLayout } from '../../../src-main/core/labels/label-template';
import { drawLayout, renderPng } from '../../../src-main/adapters/printers/png';
import { parseScannedCode } from '../../../src-shared/qr-payload';
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

const TEMPLATES = ['default-50x30', 'small-40x20'] as const;

describe('renderPng', () => {
  for (const name of TEMPLATES) {
    it(`${name}: QR (jsQR) and Code 128 (zxing) read back the payloads for 50 random EUIs (seed ${SEED})`, () => {
      const template = bundledTemplate(name);
      const gateways = randomGateways(50);
      const failures: string[] = [];
      for (const g of gateways) {
        const model = buildLabelModel(g);
        const pic = readPicture(renderPng(model, template));
        const qr = readQr(pic);
        const bars = readCode128(pic);
        if (qr !== model.qrPayload || bars !== model.code128Data) {
          failures.push(`${model.code128Data}: qr=${qr ?? 'unreadable'} code128=${bars ?? 'unreadable'}`);
          continue;
        }
        // what the claim screen would make of the scan: the same gateway and PIN
        const scanned = parseScannedCode(qr);
        expect(scanned).toMatchObject({ kind: 'gwjs', id: g.id, pin: g.pin });
      }
      expect(failures).toEqual([]);
    });
  }

  it('draws at printer resolution: 400 × 240 px at 203 dpi, 480 × 240 px at 300 dpi; ×scale on request', () => {
    const model = buildLabelModel(randomGateways(1)[0]!);
    const a = PNG.sync.read(Buffer.from(renderPng(model, bundledTemplate('default-50x30'))));
    expect([a.width, a.height]).toEqual([400, 240]);
    const b = PNG.sync.read(Buffer.from(renderPng(model, bundledTemplate('small-40x20'))));
    expect([b.width, b.height]).toEqual([480, 240]);
    const c = readPicture(renderPng(model, bundledTemplate('default-50x30'), { scale: 3 }));
    expect([c.width, c.height]).toEqual([1200, 720]);
    expect(readQr(c)).toBe(model.qrPayload);
    expect(readCode128(c)).toBe(model.code128Data);
    expect(() => renderPng(model, bundledTemplate('default-50x30'), { scale: 1.5 })).toThrow(RangeError);
  });

  for (const name of TEMPLATES) {
    it(`${name}: keeps every element inside its own box, so nothing overlaps and quiet zones stay white`, () => {
      const template = bundledTemplate(name);
      for (const g of randomGateways(6)) {
        const layout = resolveLayout(template, buildLabelModel(g));
        const canvasOf = drawLayout(layout);
        // the whole label: white background and a white border where no element is
        expect(canvasOf.pixels[0]).toBe(255);
        expect(canvasOf.pixels[canvasOf.pixels.length - 1]).toBe(255);
        for (const el of loneElements(layout)) {
          const c = drawLayout(el.layout);
          const ink = inkBox(
            {
              width: c.width,
              height: c.height,
              gray: Uint8ClampedArray.from(c.pixels),
              rgba: new Uint8ClampedArray(0),
            },
            250,
          );
          expect(ink, el.what).toBeDefined();
          const allowed = el.allowed(layout.code128?.moduleDots ?? 0);
          expect(
            within(ink!, allowed, 0),
            `${el.what}: ink ${JSON.stringify(ink)} outside ${JSON.stringify(allowed)}`,
          ).toBe(true);
        }
      }
    });
  }

  it('saves sample pictures under test/artifacts/labels for a human to look at', () => {
    const dir = artifactsDir();
    const [vector, ...rest] = randomGateways(3);
    for (const name of TEMPLATES) {
      for (const g of [vector!, rest[0]!]) {
        const model = buildLabelModel(g);
        const t = bundledTemplate(name);
        writeFileSync(join(dir, `png-${name}-${model.code128Data}.png`), renderPng(model, t));
        writeFileSync(
          join(dir, `png-${name}-${model.code128Data}-x3.png`),
          renderPng(model, t, { scale: 3 }),
        );
      }
    }
  });
});
