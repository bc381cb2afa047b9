/**
 * The factory line as a new operator meets it, in real Chromium against a real `gwjs serve`
 * (docs/factory-line.md "The line"): the line's unit and step live in the store, so a reload or a
 * second screen resumes at "verify"; mis-scans and the wording of refusals. A TCP 9100 printer is
 * simulated by a local socket; the printed label is rendered offline (zpl-renderer-js) and its QR
 * read back (jsQR) as the operator's scan. Screenshots at 1280 and 390 px go to
 * test/artifacts/screenshots/.
 */
import { createRequire } from 'node:module';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir } from '../helpers/tmp-dir';
import { readPicture, readQr } from '../adapters/printers/helpers/label-fixtures';
import { startPrinterSim, type PrinterSim } from '../core/factory-line/helpers/line-fixture';
import {
  BRK,
  buildRenderer,
  gwjs,
  launchBrowser,
  newPage,
  pageProblems,
  pinOf,
  shot,
  startServer,
  writeQrVideo,
  type Server,
} from './harness';
import { bridge, firstRun, signIn } from './ui-helpers';

const ADMIN = { name: 'admin', password: 'admin-password-1' };
const PHONE = { width: 390, height: 844, touch: true };
const UNIT_A = { eui: '00-00-00-FF-FE-00-0A-BC', hex: '000000FFFE000ABC', id6: '0:ff:fe00:abc' };
const UNIT_B = { eui: '00-00-00-FF-FE-00-0A-BD', hex: '000000FFFE000ABD', id6: '0:ff:fe00:abd' };

interface ZplRenderer {
  zplToBase64Async(zpl: string, widthMm: number, heightMm: number, dpmm: number): Promise<string>;
}

let dir: string;
let server: Server;
let browser: Browser;
let page: Page;
let printer: PrinterSim;
let zebra: ZplRenderer;

/** What a scanner reads from the label the printer got as job `n`: ZPL → picture → QR text. */
async function scanPrintedLabel(n: number): Promise<string> {
  await printer.waitForJobs(n + 1);
  const zpl = printer.jobs[n]!.toString('latin1');
  const png = Buffer.from(await zebra.zplToBase64Async(zpl, 50, 30, 8), 'base64');
  const qr = readQr(readPicture(png));
  if (qr === undefined) throw new Error(`no QR readable on printed label ${n}`);
  return qr;
}

/** A keyboard-wedge scanner: types the code into the scan field and sends Enter. */
async function scan(on: Page, text: string): Promise<void> {
  await on.locator('#line-input:not([disabled])').waitFor();
  await on.locator('#line-input').focus();
  await on.keyboard.type(text, { delay: 2 });
  await on.keyboard.press('Enter');
}

async function banner(on: Page, kind: string, text: string | RegExp): Promise<void> {
  await on.locator(`.line-banner[data-flash="${kind}"]`, { hasText: text }).waitFor({ timeout: 15_000 });
}

async function openLine(on: Page): Promise<void> {
  await on.evaluate(() => (location.hash = '#/line'));
  await on.getByRole('heading', { name: 'Factory line' }).waitFor();
}

beforeAll(async () => {
  dir = makeTempDir('e2e-line-field', { until: 'exit' });
  const renderer = join(dir, 'renderer');
  const data = join(dir, 'data');
  const video = join(dir, 'none.y4m');
  const require = createRequire(import.meta.url);
  [, , zebra] = await Promise.all([
    buildRenderer(renderer),
    writeQrVideo(video, 'no camera used here'),
    (require('zpl-renderer-js') as { ready: Promise<{ api: ZplRenderer }> }).ready.then((r) => r.api),
  ]);
  await gwjs(['init', '--data', data]);
  const brk = join(dir, 'brk.bin');
  writeFileSync(brk, BRK);
  await gwjs([
    'batch',
    'import',
    '--data',
    data,
    '--first',
    '00:00:00:00:00:00',
    '--last',
    '00:00:00:00:ff:ff',
    '--root-key-file',
    brk,
  ]);
  printer = await startPrinterSim();
  server = await startServer(data, renderer);
  browser = await launchBrowser(video);
  page = await newPage(browser, server.url);
  await firstRun(page, server.setupPassword!, ADMIN);
  const saved = await bridge(page, 'factory:saveLineSettings', {
    outDir: join(dir, 'bundles'),
    printer: { kind: 'tcp9100', host: '127.0.0.1', port: printer.port },
  });
  expect(saved.ok).toBe(true);
}, 180_000);

afterEach(async (ctx) => {
  if (ctx.task.result?.state === 'fail' && page) {
    await shot(page, `FAILED-line-field-${ctx.task.name.replace(/[^a-z0-9]+/gi, '-').slice(0, 50)}`).catch(
      () => undefined,
    );
  }
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await printer?.close();
});

describe('the factory line after a reload and on a second screen', () => {
  it('a reload resumes at verify: the printed label verifies without a reason', async () => {
    await openLine(page);
    await scan(page, UNIT_A.eui);
    await banner(page, 'info', `Personalized ${UNIT_A.id6}`);
    const qr = await scanPrintedLabel(0);

    await page.reload();
    await openLine(page);
    await page.locator('.line-step[data-step="verify"]').waitFor({ timeout: 10_000 });
    await banner(page, 'info', `Resumed at ${UNIT_A.id6}`);
    expect(await page.locator('.line-scan').textContent()).toContain(UNIT_A.id6);
    await shot(page, 'line-resumed');
    await scan(page, qr);
    await banner(page, 'ok', `Verified ${UNIT_A.id6}`);
    expect(await page.locator('[data-counter="verified"]').textContent()).toBe('1');
    expect(await page.locator('.line-step').getAttribute('data-step')).toBe('scan');
  });

  it('a second screen (a phone) picks up the unit waiting for verification, and a blocked one', async () => {
    await scan(page, UNIT_B.eui);
    await banner(page, 'info', `Personalized ${UNIT_B.id6}`);
    const phone = await newPage(browser, server.url, PHONE);
    await signIn(phone, ADMIN);
    await phone.getByRole('heading', { name: 'Dashboard' }).waitFor();
    await openLine(phone);
    await phone.locator('.line-step[data-step="verify"]').waitFor({ timeout: 10_000 });
    expect(await phone.locator('.line-scan').textContent()).toContain(UNIT_B.id6);
    await shot(phone, 'line-resumed-390');

    // the neighbour's label scanned on the phone blocks B; the desk's screen shows it on focus
    await scan(phone, `GWJS:1:${UNIT_A.hex}:${pinOf(UNIT_A.hex)}`);
    await banner(phone, 'error', `UNIT BLOCKED: ${UNIT_B.id6}`);
    await page.evaluate(() => window.dispatchEvent(new Event('focus')));
    await page.locator('.line-step[data-step="blocked"]').waitFor({ timeout: 10_000 });
    expect(await page.locator('#line-input').isDisabled()).toBe(true);
    // set aside on the desk: the line is free on every screen, and B stays blocked
    await page.keyboard.press('Escape');
    await banner(page, 'info', `${UNIT_B.id6} set aside`);
    await expect
      .poll(async () => (await bridge(phone, 'factory:linePosition', {})).value)
      .toEqual({
        position: null,
      });
    await phone.reload();
    await openLine(phone);
    await phone.locator('.line-step[data-step="scan"]').waitFor();
    const unit = (await bridge(phone, 'factory:unit', { gateway: UNIT_B.id6 })).value as {
      unit: { state: string };
    };
    expect(unit.unit.state).toBe('blocked');
    await phone.close();
    expect(pageProblems).toEqual([]);
  });
});
