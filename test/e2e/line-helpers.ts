/** Steps the factory-line browser tests share: reading a printed label back, waiting for the banner. */
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';
import { readPicture, readQr } from '../adapters/printers/helpers/label-fixtures';
import type { PrinterSim } from '../core/factory-line/helpers/line-fixture';

/** The offline ZPL renderer (zpl-renderer-js). */
export interface ZplRenderer {
  zplToBase64Async(zpl: string, widthMm: number, heightMm: number, dpmm: number): Promise<string>;
}

/** Loads zpl-renderer-js (STACK.md). */
export function loadZebra(): Promise<ZplRenderer> {
  const require = createRequire(import.meta.url);
  return (require('zpl-renderer-js') as { ready: Promise<{ api: ZplRenderer }> }).ready.then((r) => r.api);
}

/** What a scanner reads from the 50×30 label the printer got as job `n`: ZPL → picture → QR text. */
export async function printedLabelQr(printer: PrinterSim, zebra: ZplRenderer, n: number): Promise<string> {
  await printer.waitForJobs(n + 1);
  const zpl = printer.jobs[n]!.toString('latin1');
  const png = Buffer.from(await zebra.zplToBase64Async(zpl, 50, 30, 8), 'base64');
  const qr = readQr(readPicture(png));
  if (qr === undefined) throw new Error(`no QR readable on printed label ${n}`);
  return qr;
}

/** Waits for the line's banner of `kind` saying `text`. */
export async function lineBanner(page: Page, kind: string, text: string | RegExp): Promise<void> {
  await page.locator(`.line-banner[data-flash="${kind}"]`, { hasText: text }).waitFor({ timeout: 15_000 });
}
