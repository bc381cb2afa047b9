/**
 * A factory link made on the Sync screen in real Chromium (docs/sync.md "Factory records",
 * docs/station-ui.md "Sync"): two real `gwjs serve` instances on 127.0.0.1 — a factory station
 * holding a twin of the remote's batch, and the remote with a factory key (`gwjs key create
 * --factory`). The admin chooses "Factory link" (no owner field), gives the remote's CA and the
 * factory key, and the status shows the factory link; a unit personalized on the station's line
 * is then pushed by "Sync now" and taken by the remote (the operation `sent`). The channel takes no owner only as an
 * explicit null. Screenshots at 1280 and 390 px go to docs/screenshots/.
 */
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir } from '../helpers/tmp-dir';
import {
  BRK,
  ROOT,
  buildRenderer,
  gwjs,
  launchBrowser,
  newPage,
  pageProblems,
  shot,
  startServer,
  writeQrVideo,
  type Server,
} from './harness';
import { bridge, firstRun, screenshotFailures, sidewaysOverflow, signIn } from './ui-helpers';

const ADMIN = { name: 'admin', password: 'admin-password-1' };
const PHONE = { width: 390, height: 844, touch: true };
const UNIT = '58A0CBFFFE800105';

let dir: string;
let remote: Server;
let station: Server;
let browser: Browser;
let desk: Page;
let remoteData: string;
let factoryKey: string;
let twinBatch: string;

/** Saves a screenshot for the docs (and the usual artifact). */
async function docShot(page: Page, name: string): Promise<void> {
  const file = await shot(page, name);
  copyFileSync(file, join(ROOT, 'docs/screenshots', `${name}.png`));
}

beforeAll(async () => {
  dir = makeTempDir('e2e-factory-link', { until: 'exit' });
  const renderer = join(dir, 'renderer');
  const video = join(dir, 'none.y4m');
  await Promise.all([buildRenderer(renderer), writeQrVideo(video, 'no camera used here')]);
  const brk = join(dir, 'brk.bin');
  writeFileSync(brk, BRK);
  const batch = (data: string) =>
    gwjs([
      'batch',
      'import',
      '--data',
      data,
      '--first',
      '58-A0-CB-FF-FE-80-00-00',
      '--last',
      '58-A0-CB-FF-FE-80-FF-FF',
      '--root-key-file',
      brk,
    ]);
  remoteData = join(dir, 'remote');
  await gwjs(['init', '--data', remoteData, '--public-host', '127.0.0.1']);
  await batch(remoteData);
  factoryKey = (await gwjs(['key', 'create', '--data', remoteData, '--factory'])).apiKey as string;
  const stationData = join(dir, 'station');
  await gwjs(['init', '--data', stationData]);
  twinBatch = (await batch(stationData)).batch as string;
  remote = await startServer(remoteData, renderer);
  station = await startServer(stationData, renderer);
  browser = await launchBrowser(video);
}, 240_000);

screenshotFailures('sync-factory-link', () => desk);

afterAll(async () => {
  await browser?.close();
  await station?.stop();
  await remote?.stop();
});

describe('A factory link on the Sync screen', () => {
  it('makes a factory link in the UI: no owner, a factory key; the status shows the factory link', async () => {
    desk = await newPage(browser, station.url);
    await firstRun(desk, station.setupPassword!, ADMIN);
    // the channel takes no owner only as an explicit null: a missing one is refused, naming it
    const missing = await bridge(desk, 'sync:link', { url: remote.url, apiKey: factoryKey });
    expect(missing).toMatchObject({ ok: false });
    expect(missing.error!.message).toContain('ownerId');

    await desk.evaluate(() => (location.hash = '#/sync'));
    await desk.getByRole('heading', { name: 'Sync', exact: true }).waitFor();
    const form = desk.getByRole('form', { name: 'Link settings' });
    const kind = form.getByRole('radiogroup', { name: 'Kind of link' });
    expect(await kind.getByLabel('Owner link').isChecked()).toBe(true);
    await form.getByLabel('Owner of the link').waitFor();
    await kind.getByLabel('Factory link').check();
    await form.getByLabel('Owner of the link').waitFor({ state: 'detached' });
    await form.getByText(/^No owner: the station reports its factory steps/).waitFor();
    await form.getByLabel('Remote URL').fill(remote.url);
    await form.getByLabel('CA certificate file').setInputFiles(join(remoteData, 'tls/ca.pem'));
    await expect
      .poll(() => form.getByLabel('Remote CA certificate').inputValue())
      .toContain('BEGIN CERTIFICATE');
    await form.getByLabel('API key').fill(factoryKey);
    await form.getByRole('button', { name: 'Link' }).scrollIntoViewIfNeeded();
    await docShot(desk, 'sync-factory-link-form-1280');
    await form.getByRole('button', { name: 'Link' }).click();
    await desk
      .getByText(/^Linked to https:\/\/127\.0\.0\.1:\d+\. The API key is sealed in the HSM\.$/)
      .waitFor();
    const status = desk.getByLabel('Link status');
    expect(await status.getByTestId('sync-url').textContent()).toBe(remote.url);
    expect(await status.getByTestId('sync-owner').textContent()).toContain('factory link');
    const s = await bridge(desk, 'sync:status', {});
    expect(s.value).toMatchObject({ linked: true, url: remote.url, ownerId: null });
    expect(JSON.stringify(s)).not.toContain(factoryKey);
    expect(await desk.content()).not.toContain(factoryKey);
    // opened again, the form is the factory link's, and has forgotten the key
    await desk.getByText('Link settings', { exact: true }).click();
    expect(await kind.getByLabel('Factory link').isChecked()).toBe(true);
    expect(await form.getByLabel('API key').inputValue()).toBe('');
    await desk.getByText('Link settings', { exact: true }).click();
    await status.scrollIntoViewIfNeeded();
    await docShot(desk, 'sync-factory-link-1280');
  });

  it('pushes what the line personalizes to the remote with "Sync now"', async () => {
    const settings = await bridge(desk, 'factory:saveLineSettings', {
      outDir: join(dir, 'bundles'),
      printer: { kind: 'none' },
    });
    expect(settings.ok, JSON.stringify(settings.error)).toBe(true);
    const scan = await bridge(desk, 'factory:scan', { batchId: twinBatch, input: UNIT });
    expect(scan.ok, JSON.stringify(scan.error)).toBe(true);
    await desk.reload();
    await desk.getByRole('heading', { name: 'Sync', exact: true }).waitFor();
    await Promise.all([
      desk.waitForResponse((r) => r.url().endsWith('/bridge/sync%3Anow')),
      desk.getByRole('button', { name: 'Sync now' }).click(),
    ]);
    await desk.getByText('Synced: pulled, pushed and pulled again.').waitFor();
    const sent = await bridge(desk, 'sync:outbox', { states: ['sent'] });
    expect(sent.ok, JSON.stringify(sent.error)).toBe(true);
    const entries = (sent.value as { entries: { operation: string; ownerId: string | null }[] }).entries;
    expect(entries.map((e) => e.operation)).toEqual(['factory']);
    // `sent`: the remote took every record of it (a refused record would leave it `rejected`)
    expect(entries[0]!.ownerId ?? null).toBeNull();
    expect(await desk.getByTestId('sync-pending').textContent()).toBe('0');
    // and the outbox shows it sent, in the UI
    await desk.getByRole('tab', { name: /^sent \(/i }).click();
    const table = desk.locator('table[aria-label="Outbox: sent"][aria-busy="false"]');
    await table.waitFor();
    expect(await table.locator('tbody tr[data-seq] td[data-label="Operation"]').allTextContents()).toEqual([
      'factory',
    ]);
  });

  it('fits a phone: the factory link’s status and form without sideways scrolling', async () => {
    const phone = await newPage(browser, station.url, PHONE);
    await signIn(phone, ADMIN);
    await phone.getByRole('heading', { name: 'Dashboard' }).waitFor();
    await phone.evaluate(() => (location.hash = '#/sync'));
    await phone.getByRole('heading', { name: 'Sync', exact: true }).waitFor();
    await phone
      .getByLabel('Link status')
      .getByTestId('sync-owner')
      .getByText(/factory link/)
      .waitFor();
    await phone.getByText('Link settings', { exact: true }).click();
    await phone.getByRole('radiogroup', { name: 'Kind of link' }).waitFor();
    const o = await sidewaysOverflow(phone);
    expect(o, o.widest).toMatchObject({ page: 0, main: 0 });
    await phone.getByLabel('Link status').scrollIntoViewIfNeeded();
    await docShot(phone, 'sync-factory-link-390');
    await phone.context().close();
  });

  it('ran without page errors', () => {
    expect(pageProblems).toEqual([]);
  });
});
