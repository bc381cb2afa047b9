/**
 * The factory line as a new operator meets it, in real Chromium against a real `gwjs serve`
 * (docs/factory-line.md "The line"): the line's unit and step live in the store, so a reload or a
 * second screen resumes at "verify"; mis-scans and the wording of refusals. A TCP 9100 printer is
 * simulated by a local socket; the printed label is rendered offline (zpl-renderer-js) and its QR
 * read back (jsQR) as the operator's scan. Screenshots at 1280 and 390 px go to
 * test/artifacts/screenshots/.
 */
import { readFileSync, writeFileSync } from 'node:fs';
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
import { bridge, firstRun, signIn } from './ui-helpers';

const ADMIN = { name: 'admin', password: 'admin-password-1' };
const PHONE = { width: 390, height: 844, touch: true };
const UNIT_A = { eui: '00-00-00-FF-FE-00-0A-BC', hex: '000000FFFE000ABC', id6: '0:ff:fe00:abc' };
const UNIT_B = { eui: '00-00-00-FF-FE-00-0A-BD', hex: '000000FFFE000ABD', id6: '0:ff:fe00:abd' };

let dir: string;
let server: Server;
let browser: Browser;
let page: Page;
let printer: PrinterSim;
let zebra: ZplRenderer;

/** What a scanner reads from the label the printer got as job `n`. */
const scanPrintedLabel = (n: number): Promise<string> => printedLabelQr(printer, zebra, n);

/** A keyboard-wedge scanner: types the code into the scan field and sends Enter. */
async function scan(on: Page, text: string): Promise<void> {
  await on.locator('#line-input:not([disabled])').waitFor();
  await on.locator('#line-input').focus();
  await on.keyboard.type(text, { delay: 2 });
  await on.keyboard.press('Enter');
}

const banner = lineBanner;

async function openLine(on: Page): Promise<void> {
  await on.evaluate(() => (location.hash = '#/line'));
  await on.getByRole('heading', { name: 'Factory line' }).waitFor();
}

beforeAll(async () => {
  dir = makeTempDir('e2e-line-field', { until: 'exit' });
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

const UNIT_C = { eui: '00-00-00-FF-FE-00-0A-C0', id6: '0:ff:fe00:ac0' };
const UNIT_D = { eui: '00-00-00-FF-FE-00-0A-C1', id6: '0:ff:fe00:ac1' };

/** POST to a bridge channel; the HTTP status and the answer. */
async function post(on: Page, channel: string, body: unknown): Promise<{ status: number; answer: unknown }> {
  return on.evaluate(
    async ([c, b]) => {
      const r = await fetch(`/bridge/${c as string}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-gwjs-bridge': '1' },
        body: JSON.stringify(b),
      });
      return { status: r.status, answer: (await r.json()) as unknown };
    },
    [channel, body] as const,
  );
}

describe('mis-scans and wording', () => {
  let phone: Page;

  it('the label template is a picker of the templates that exist; an unknown name is a 400 naming template', async () => {
    await openLine(page);
    await page.locator('details.card summary', { hasText: 'Line settings' }).click();
    const picker = page.locator('#line-template');
    await picker.waitFor();
    await expect
      .poll(() => picker.locator('option').allTextContents())
      .toEqual(['default-50x30 — 50×30 mm, 203 dpi', 'small-40x20 — 40×20 mm, 300 dpi']);
    await picker.selectOption('small-40x20');
    await page.locator('#line-settings-save').click();
    await page.getByText('Saved.').waitFor();
    await picker.scrollIntoViewIfNeeded();
    await shot(page, 'line-template-picker');

    const bogus = await post(page, 'factory:saveLineSettings', {
      outDir: join(dir, 'bundles'),
      template: 'nonsense-99',
    });
    expect(bogus.status).toBe(400);
    expect(bogus.answer).toMatchObject({
      ok: false,
      error: {
        code: 'invalid_request',
        message: expect.stringMatching(/^template: "nonsense-99" is not a label template/),
      },
    });
    const kept = (await bridge(page, 'factory:lineSettings', {})).value as { settings: { template: string } };
    expect(kept.settings.template).toBe('small-40x20');
    // back to the 50×30 label the QR reader of this test expects
    await picker.selectOption('default-50x30');
    await page.locator('#line-settings-save').click();
    await page.getByText('Saved.').waitFor();

    phone = await newPage(browser, server.url, PHONE);
    await signIn(phone, ADMIN);
    await phone.getByRole('heading', { name: 'Dashboard' }).waitFor();
    await openLine(phone);
    await phone.locator('details.card summary', { hasText: 'Line settings' }).click();
    await phone.locator('#line-template').scrollIntoViewIfNeeded();
    await shot(phone, 'line-template-picker-390');
  });

  it('garbage at verify changes nothing, and nothing blocks a unit whose label never printed', async () => {
    await page.locator('details.card summary', { hasText: 'Line settings' }).click(); // close it
    await scan(page, UNIT_C.eui);
    await banner(page, 'info', `Personalized ${UNIT_C.id6}`);
    await scan(page, 'BOX-4711-XYZ');
    await banner(page, 'warn', 'Not verified — the unit is unchanged');
    const detail = (await page.locator('.line-banner .detail').textContent()) ?? '';
    expect(detail).toMatch(/not a GWJS label/);
    expect(detail).not.toMatch(/\.\./);
    expect(await page.locator('.line-step').getAttribute('data-step')).toBe('verify');
    expect(await page.locator('[data-counter="blocked"]').textContent()).toBe('1');

    // the printer goes away: D's label never prints; a stray label scanned at D blocks nothing
    const gone = await startPrinterSim();
    await gone.close();
    const saved = await bridge(page, 'factory:saveLineSettings', {
      outDir: join(dir, 'bundles'),
      printer: { kind: 'tcp9100', host: '127.0.0.1', port: gone.port },
    });
    expect(saved.ok).toBe(true);
    await page.keyboard.press('Escape'); // C back to scan
    await scan(page, UNIT_D.eui);
    await banner(page, 'warn', 'the label did not print');
    await scan(page, `GWJS:1:${UNIT_A.hex}:${pinOf(UNIT_A.hex)}`);
    await banner(page, 'warn', 'Not verified — the unit is unchanged');
    expect(await page.locator('.line-banner .detail').textContent()).toContain(
      `gateway ${UNIT_D.id6} has no printed label yet`,
    );
    expect(await page.locator('[data-counter="blocked"]').textContent()).toBe('1');
    await shot(page, 'line-misscan');

    await phone.evaluate(() => window.dispatchEvent(new Event('focus')));
    await phone.locator('.line-step[data-step="verify"]').waitFor();
    await scan(phone, 'hello?');
    await banner(phone, 'warn', 'Not verified — the unit is unchanged');
    await phone.locator('.line-banner').scrollIntoViewIfNeeded();
    await shot(phone, 'line-misscan-390');
    const unit = (await bridge(page, 'factory:unit', { gateway: UNIT_D.id6 })).value as {
      unit: { state: string };
    };
    expect(unit.unit.state).toBe('personalized');
    await bridge(page, 'factory:saveLineSettings', {
      outDir: join(dir, 'bundles'),
      printer: { kind: 'tcp9100', host: '127.0.0.1', port: printer.port },
    });
  });

  it('pre-generating over personalized units says so', async () => {
    for (const on of [page, phone]) {
      await on.evaluate(() => (location.hash = '#/batches'));
      await on.getByRole('heading', { name: 'Batches' }).waitFor();
      await on.locator('#job-first').fill(UNIT_A.eui);
      await on.locator('#job-count').fill('3000');
      await on.locator('#job-start').click();
      const notice = on.locator('.notice.error[data-code="conflict"]');
      await notice.waitFor();
      const text = (await notice.textContent()) ?? '';
      expect(text).not.toContain('changed meanwhile');
      expect(text).toContain('units in it are personalized already');
      expect(text).toContain(`start after ${UNIT_D.id6}`);
      await notice.scrollIntoViewIfNeeded();
    }
    await shot(page, 'pregenerate-over-units');
    await shot(phone, 'pregenerate-over-units-390');
  });

  it('a CSV row without a PIN says the PIN is missing', async () => {
    for (const on of [page, phone]) {
      await on.evaluate(() => (location.hash = '#/claim'));
      await on.getByRole('tab', { name: 'List / CSV' }).click();
      await on
        .getByLabel('Gateways and PINs')
        .fill(`gateway,pin\n${UNIT_A.eui},${pinOf(UNIT_A.hex)}\n${UNIT_C.eui},\n`);
      await on.getByText('line 3: This line has no claim PIN.').waitFor();
      const notice = on.locator('.notice.warn', { hasText: 'Rows with problems' });
      expect(await notice.textContent()).not.toContain('does not match');
      await notice.scrollIntoViewIfNeeded();
    }
    await shot(page, 'claim-missing-pin');
    await shot(phone, 'claim-missing-pin-390');
    await phone.close();
    expect(pageProblems).toEqual([]);
  });
});

describe('small truths: what the dashboard counts, what the search finds', () => {
  const stat = (on: Page, label: string) =>
    on
      .locator('.stat', { has: on.locator('.label', { hasText: new RegExp(`^${label}$`) }) })
      .locator('.value');

  it('the dashboard shows personalized units beside claimed gateways', async () => {
    for (const [on, name] of [
      [page, 'dashboard-personalized'],
      [await newPage(browser, server.url, PHONE), 'dashboard-personalized-390'],
    ] as const) {
      if (on !== page) {
        await signIn(on, ADMIN);
        await on.getByRole('heading', { name: 'Dashboard' }).waitFor();
      }
      await on.evaluate(() => (location.hash = '#/dashboard'));
      await on.getByRole('heading', { name: 'Dashboard' }).waitFor();
      await expect.poll(() => stat(on, 'Personalized').textContent()).toBe('4');
      expect(await stat(on, 'Claimed').textContent()).toBe('0');
      await shot(on, name);
      if (on !== page) await on.close();
    }
  });

  it('the Gateways search over every owner finds a personalized unit nobody claimed', async () => {
    const phone = await newPage(browser, server.url, PHONE);
    await signIn(phone, ADMIN);
    await phone.getByRole('heading', { name: 'Dashboard' }).waitFor(); // landed: the hash is ours now
    for (const [on, name] of [
      [page, 'gateways-unclaimed-unit'],
      [phone, 'gateways-unclaimed-unit-390'],
    ] as const) {
      await on.evaluate(() => (location.hash = '#/gateways'));
      await on.getByRole('heading', { name: 'Gateways' }).waitFor();
      await on.getByLabel('Search gateways').fill(UNIT_C.eui);
      await on.getByTestId('gateway-count').getByText('1 gateway').waitFor();
      await on.locator('.vt-cell', { hasText: UNIT_C.id6 }).first().waitFor();
      if (on === page) await on.locator('.vt-cell', { hasText: 'unclaimed' }).waitFor();
      await shot(on, name);
    }
    await phone.close();
    expect(pageProblems).toEqual([]);
  });
});

describe('Settings → Network', () => {
  it('picks the listen address from the interfaces, re-issues the certificate for the public hosts, persists them', async () => {
    await page.evaluate(() => (location.hash = '#/settings'));
    const card = page.getByRole('form', { name: 'Network' });
    await card.locator('#network-host').waitFor();
    const options = await card.locator('#network-host option').allTextContents();
    expect(options.some((o) => o.startsWith('127.0.0.1 — lo'))).toBe(true);
    expect(options).toContain('0.0.0.0 — every IPv4 interface');
    const port = new URL(server.url).port;
    // bundles carry the port this run listens on (serve --port 0 chose it, docs/running.md)
    expect(await card.getByTestId('network-effective-cups-uri').textContent()).toBe(
      `https://localhost:${port}`,
    );

    // an address this machine does not have is refused, naming the field, and nothing is written
    const before = readFileSync(join(dir, 'data', 'station.json'), 'utf8');
    const bad = await post(page, 'network:save', {
      host: '10.9.9.9',
      publicHosts: ['10.1.2.3'],
      cupsUri: null,
    });
    expect(bad.status).toBe(400);
    expect(bad.answer).toMatchObject({
      error: { code: 'invalid_request', message: expect.stringMatching(/^host: /) },
    });
    const badHost = await post(page, 'network:save', {
      host: '0.0.0.0',
      publicHosts: ['no way!'],
      cupsUri: null,
    });
    expect(badHost).toMatchObject({
      status: 400,
      answer: { error: { message: expect.stringMatching(/^publicHosts: /) } },
    });
    const badUri = await post(page, 'network:save', {
      host: '0.0.0.0',
      publicHosts: ['a.example'],
      cupsUri: 'http://x:1/p',
    });
    expect(badUri).toMatchObject({
      status: 400,
      answer: { error: { message: expect.stringMatching(/^cupsUri: /) } },
    });
    expect(readFileSync(join(dir, 'data', 'station.json'), 'utf8')).toBe(before);

    await card.locator('#network-host').selectOption('0.0.0.0');
    await card.locator('#network-public-hosts').fill('10.1.2.3, station.example.com');
    await card.locator('#network-save').click();
    await card.getByText('Saved.', { exact: true }).waitFor();
    expect(await card.getByTestId('network-ip-sans').textContent()).toContain('10.1.2.3');
    const dns = (await card.getByTestId('network-dns-sans').textContent()) ?? '';
    expect(dns).toContain('10.1.2.3'); // mbedTLS matches DNS names only (STACK.md)
    expect(dns).toContain('station.example.com');
    expect(await card.getByTestId('network-effective-cups-uri').textContent()).toBe(
      `https://10.1.2.3:${port}`,
    );
    // the CUPS URI applies at once, the listen address at the next start
    expect(await card.getByTestId('network-pending-host').textContent()).toBe(
      'Listen address 0.0.0.0 takes effect at the next start',
    );
    await card.getByText(`(https://10.1.2.3:${port})`).waitFor();
    const saved = JSON.parse(readFileSync(join(dir, 'data', 'station.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    expect(saved).toMatchObject({ host: '0.0.0.0', publicHosts: ['10.1.2.3', 'station.example.com'] });

    // the running server presents the new certificate at once
    const { connect } = await import('node:tls');
    const san = await new Promise<string>((resolve, reject) => {
      const s = connect({ host: '127.0.0.1', port: Number(port), rejectUnauthorized: false }, () => {
        resolve(s.getPeerCertificate().subjectaltname ?? '');
        s.end();
      });
      s.on('error', reject);
    });
    expect(san).toContain('IP Address:10.1.2.3');
    expect(san).toContain('DNS:station.example.com');
    await card.scrollIntoViewIfNeeded();
    await shot(page, 'settings-network');

    const phone = await newPage(browser, server.url, PHONE);
    await signIn(phone, ADMIN);
    await phone.getByRole('heading', { name: 'Dashboard' }).waitFor();
    await phone.evaluate(() => (location.hash = '#/settings'));
    await phone.getByRole('form', { name: 'Network' }).locator('#network-host').scrollIntoViewIfNeeded();
    await shot(phone, 'settings-network-390');
    await phone.close();
    expect(pageProblems).toEqual([]);
  });
});
