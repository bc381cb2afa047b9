/**
 * The factory line in real Chromium against a real `gwjs serve` (docs/factory-line.md): a simulated
 * keyboard-wedge scanner (typed text + Enter) personalizes units, a TCP 9100 printer simulated by a
 * local socket receives the labels, the printed label is rendered offline (zpl-renderer-js) and its
 * QR read back (jsQR) as the operator's verification scan — and a deliberate mis-scan (the
 * neighbour's label) blocks the unit with an alarm. Then the Batches screen (overlap refused, a
 * pre-generation job), and the owner manifest: exported in the station UI, opened on the Claim
 * screen with the owner's private key, bulk-claimed. Screenshots go to test/artifacts/screenshots/.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir } from '../helpers/tmp-dir';
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
import { lineBanner, loadZebra, printedLabelQr, type ZplRenderer } from './line-helpers';

const ADMIN = { name: 'admin', password: 'admin-password-1' };
const UNIT_A = { mac: '00:00:00:00:0a:bc', hex: '000000FFFE000ABC', id6: '0:ff:fe00:abc' };
const UNIT_B = { eui: '00-00-00-FF-FE-00-0A-BD', hex: '000000FFFE000ABD', id6: '0:ff:fe00:abd' };

let dir: string;
let out: string;
let server: Server;
let browser: Browser;
let page: Page;
let printer: PrinterSim;
let zebra: ZplRenderer;
let batchId: string;

/** What a scanner reads from the label the printer got as job `n`. */
const scanPrintedLabel = (n: number): Promise<string> => printedLabelQr(printer, zebra, n);

/** A keyboard-wedge scanner: types the code into the focused field and sends Enter. */
async function scan(text: string): Promise<void> {
  await page.locator('#line-input:not([disabled])').waitFor();
  await page.keyboard.type(text, { delay: 2 });
  await page.keyboard.press('Enter');
}

const banner = (kind: string, text: string | RegExp): Promise<void> => lineBanner(page, kind, text);

beforeAll(async () => {
  dir = makeTempDir('e2e-factory', { until: 'exit' });
  out = join(dir, 'bundles');
  const renderer = join(dir, 'renderer');
  const data = join(dir, 'data');
  const video = join(dir, 'none.y4m');
  [, , zebra] = await Promise.all([
    buildRenderer(renderer),
    writeQrVideo(video, 'no camera used here'),
    loadZebra(),
  ]);
  await gwjs(['init', '--data', data]);
  const brk = join(dir, 'brk.bin');
  writeFileSync(brk, BRK);
  const batch = await gwjs([
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
  batchId = String(batch.batch);
  await gwjs(['owner', 'create', '--data', data, '--id', '1::1', '--name', 'Acme']);
  printer = await startPrinterSim();
  server = await startServer(data, renderer);
  browser = await launchBrowser(video);
}, 180_000);

afterEach(async (ctx) => {
  if (ctx.task.result?.state === 'fail' && page) {
    await shot(page, `FAILED-factory-${ctx.task.name.replace(/[^a-z0-9]+/gi, '-').slice(0, 50)}`).catch(
      () => undefined,
    );
  }
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await printer?.close();
});

describe('factory line in Chromium', () => {
  it('an admin sets up the line: output folder, zip, post-write hook, TCP 9100 printer', async () => {
    page = await newPage(browser, server.url);
    await page.getByLabel('Setup password').fill(server.setupPassword!);
    await page.getByLabel('Operator name').fill(ADMIN.name);
    await page.getByLabel('Password', { exact: true }).fill(ADMIN.password);
    await page.getByLabel('Repeat password').fill(ADMIN.password);
    await page.getByRole('button', { name: /Create administrator/ }).click();
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();

    await page.keyboard.press('Alt+l');
    await page.getByRole('heading', { name: 'Factory line' }).waitFor();
    await page.locator('#line-outdir').fill(out);
    await page.getByLabel('Also write a zip per bundle').check();
    await page.locator('#line-printer').selectOption('tcp9100');
    await page.locator('#line-printer-host').fill('127.0.0.1');
    await page.locator('#line-printer-port').fill(String(printer.port));
    await page.getByPlaceholder('/usr/local/bin/flash-gateway').fill('/bin/sh');
    await page.locator('textarea').first().fill('-c\necho flashing "$GWJS_EUI" from "$1"\nflash\n{bundle}');
    await page.locator('#line-settings-save').click();
    await page.getByText('Saved.').waitFor();
    expect(await page.locator('#line-batch').inputValue()).toBe(batchId);
  });

  it('scan → bundle + label → scan the printed QR → verified, from the scanner alone', async () => {
    await page.locator('#line-input').click();
    await scan(UNIT_A.mac);
    await banner('info', `Personalized ${UNIT_A.id6}`);
    await page.locator('img.label-preview').waitFor();
    await shot(page, 'factory-01-personalized');

    const qr = await scanPrintedLabel(0);
    expect(qr).toBe(`GWJS:1:${UNIT_A.hex}:${pinOf(UNIT_A.hex)}`);
    expect(printer.jobs[0]!.toString('latin1')).toContain('MAC 00:00:00:00:0A:BC');
    await scan(qr);
    await banner('ok', `Verified ${UNIT_A.id6}`);
    expect(await page.evaluate(() => document.body.dataset.lastCue)).toMatch(/^ok:/);
    expect(await page.locator('[data-counter="verified"]').textContent()).toBe('1');
    await shot(page, 'factory-02-verified');

    const bundle = join(out, UNIT_A.hex);
    expect(JSON.parse(readFileSync(join(bundle, 'gateway.json'), 'utf8'))).toMatchObject({
      eui: UNIT_A.hex,
      batch: batchId,
    });
    expect(existsSync(join(out, `${UNIT_A.hex}.zip`))).toBe(true);
    expect(await page.locator('.kv', { hasText: 'Hook' }).textContent()).toContain(
      `flashing ${UNIT_A.hex} from ${bundle}`,
    );
  });

  it('a mis-scanned label blocks the unit with a loud error until acknowledged', async () => {
    await scan(UNIT_B.eui);
    await banner('info', `Personalized ${UNIT_B.id6}`);
    const qrB = await scanPrintedLabel(1);
    expect(qrB).toBe(`GWJS:1:${UNIT_B.hex}:${pinOf(UNIT_B.hex)}`);

    // the operator scans the neighbour's label (unit A's) instead of the one just printed
    await scan(`GWJS:1:${UNIT_A.hex}:${pinOf(UNIT_A.hex)}`);
    await banner('error', `UNIT BLOCKED: ${UNIT_B.id6}`);
    expect(await page.locator('.line-banner[data-flash="error"]').getAttribute('role')).toBe('alert');
    expect(await page.evaluate(() => document.body.dataset.lastCue)).toMatch(/^error:/);
    expect(await page.locator('#line-input').isDisabled()).toBe(true);
    expect(await page.locator('[data-counter="blocked"]').textContent()).toBe('1');
    await shot(page, 'factory-03-blocked');

    // a scanner cannot get past the alarm: the field stays disabled until Esc
    await page.keyboard.type('00-00-00-FF-FE-00-0A-BE');
    await page.keyboard.press('Enter');
    expect(printer.jobs).toHaveLength(2);
    await page.keyboard.press('Escape');
    await banner('info', `${UNIT_B.id6} set aside`);

    // back on the line only with a reason: personalize again, print, verify with the right label
    await scan(UNIT_B.eui);
    await banner('warn', 'Already personalized');
    await page.locator('#line-reason').fill('label mixed up at the printer');
    await page.keyboard.press('Enter');
    await banner('info', `Personalized ${UNIT_B.id6}`);
    await scan(await scanPrintedLabel(2));
    await banner('ok', `Verified ${UNIT_B.id6}`);
    await page.locator('.history td.ev-mismatch').first().waitFor();
    await shot(page, 'factory-04-after-repersonalize');
    expect(pageProblems).toEqual([]);
  });

  it('Batches: KCV and counters, overlap refused with a clear message, a pre-generation job', async () => {
    await page.keyboard.press('Alt+b');
    await page.getByRole('heading', { name: 'Batches' }).waitFor();
    const row = page.locator(`tr[data-batch="${batchId}"]`);
    await row.waitFor();
    expect(await row.locator('.kcv').textContent()).toBe('1CCE9B');
    expect(await row.textContent()).toContain('00-00-00-FF-FE-00-00-00 … 00-00-00-FF-FE-00-FF-FF');

    await page.locator('#batch-first').fill('00:00:00:00:f0:00');
    await page.locator('#batch-last').fill('00:00:00:01:0f:ff');
    await page.getByText('00-00-00-FF-FE-00-F0-00').waitFor(); // MAC → EUI-64 shown live
    await page.locator('#batch-create').click();
    await page
      .locator('.notice.error[data-code="batch_conflict"]', { hasText: `overlaps batch ${batchId}` })
      .waitFor();
    await shot(page, 'factory-05-overlap-refused');

    // a job big enough to watch: progress, rate, ETA; cancel keeps what is written, resume finishes it
    await page.locator('#job-count').fill('5000');
    await page.locator('#job-start').click();
    const job = page.locator('tr[data-state="running"]', { hasText: '/s' });
    await job.waitFor({ timeout: 30_000 });
    await job.scrollIntoViewIfNeeded();
    await shot(page, 'factory-06-pregeneration-running');
    await job
      .getByRole('button', { name: 'Cancel' })
      .click({ timeout: 2000 })
      .catch(() => undefined); // a very fast station may finish first
    const stopped = page.locator('tr[data-state="cancelled"], tr[data-state="done"]');
    await stopped.waitFor({ timeout: 60_000 });
    if ((await stopped.getAttribute('data-state')) === 'cancelled') {
      const doneAtCancel = Number(
        /units: ([\d,]+) \//.exec((await stopped.textContent()) ?? '')![1]!.replace(/,/g, ''),
      );
      expect(doneAtCancel).toBeGreaterThan(0);
      expect(doneAtCancel).toBeLessThan(5000);
      await shot(page, 'factory-07-pregeneration-cancelled');
      await stopped.getByRole('button', { name: 'Resume' }).click();
    }
    await page.locator('tr[data-state="done"]').waitFor({ timeout: 90_000 });
    expect(readdirSync(join(out, 'labels')).filter((f) => f.endsWith('.zpl'))).toHaveLength(5000);
    await page
      .locator(`tr[data-batch="${batchId}"] td`, { hasText: '5,002' })
      .first()
      .waitFor({ timeout: 10_000 });
    await page.getByRole('heading', { name: 'Batches' }).scrollIntoViewIfNeeded();
    await shot(page, 'factory-08-batches');
  });

  it('owner manifest: exported to the owner key, opened on the Claim screen with the private key, bulk-claimed', async () => {
    const key = join(dir, 'owner.pem');
    execFileSync('openssl', [
      'genpkey',
      '-algorithm',
      'EC',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-out',
      key,
    ]);
    const publicPem = execFileSync('openssl', ['pkey', '-in', key, '-pubout'], { encoding: 'utf8' });
    await page.locator('#manifest-key').fill(publicPem);
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.locator('#manifest-export').click(),
    ]);
    const manifest = join(dir, download.suggestedFilename());
    await download.saveAs(manifest);
    await page.getByText(/5,002 gateways, encrypted to key/).waitFor();
    expect(readFileSync(manifest, 'utf8')).not.toContain(pinOf(UNIT_A.hex));

    await page.getByLabel('Owner', { exact: true }).selectOption('1::1');
    await page.keyboard.press('Alt+3');
    await page.getByRole('tab', { name: 'Manifest' }).click();
    await page.locator('#manifest-file').setInputFiles(manifest);
    await page.getByText(/5,002 gateways of batch/).waitFor();
    await page.locator('#manifest-private-key').setInputFiles(key);
    await page.locator('#manifest-open').click();
    await page.getByRole('tab', { name: 'List / CSV', selected: true }).waitFor();
    await shot(page, 'factory-09-manifest-opened');
    await page.getByRole('button', { name: 'Claim 5,002 gateways' }).click();
    await page.getByText('5,002 of 5,002 claimed.').waitFor({ timeout: 60_000 });
    await shot(page, 'factory-10-manifest-claimed');
  });
});
