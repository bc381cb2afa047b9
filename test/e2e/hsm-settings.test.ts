/**
 * Settings → HSM and the key ceremony in real Chromium (docs/station-ui.md, docs/twin-hsm.md),
 * against two real stations served in this process (so the test can pull the token the way
 * test/adapters/http/cups-pkcs11.test.ts does: every session of the token closed from outside):
 *
 * - station B (receiver) starts on the software keystore; its admin picks the SoftHSM2 module and
 *   token, a wrong PIN is refused in words, the right one switches the station to the token;
 * - the ceremony software → token: B creates a transport key (fingerprint shown), A (sender,
 *   software keystore, a batch of the SPEC §2 vector root key) wraps its batch to the uploaded
 *   transport.pub, B imports the uploaded wrapped file — the same KCV shown large on both; a
 *   second import is refused (overlapping range) and nothing changes;
 * - B's key list shows label, kind and the KCV the token computes;
 * - the token is pulled: the top bar says "Token removed" (polled every 500 ms), CUPS answers 503;
 *   the PIN in Settings brings it back without a restart and CUPS answers again.
 *
 * Screenshots at 1280 and 390 px go to docs/screenshots/.
 */
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireModule, releaseModule } from '../../src-main/adapters/hsm/pkcs11-module';
import { startServer, type RunningServer } from '../../src-main/adapters/http/server';
import { freePort } from '../../src-main/cli/free-port';
import { openStation, stationReadiness, type Station } from '../../src-main/compose/station';
import { createStationUi, type StationUi } from '../../src-main/compose/station-ui';
import { formatId6 } from '../../src-shared/ids';
import { makeToken, SOFTHSM_MODULE, type TestToken } from '../helpers/softhsm';
import { makeTempDir } from '../helpers/tmp-dir';
import {
  BRK,
  PASSPHRASE,
  ROOT,
  buildRenderer,
  cupsUpdateInfo,
  gwjs,
  launchBrowser,
  newPage,
  pageProblems,
  pinOf,
  writeQrVideo,
} from './harness';
import { firstRun, signIn } from './ui-helpers';

const ADMIN = { name: 'admin', password: 'admin-password-1' };
const DOCS_SHOTS = join(ROOT, 'docs/screenshots');
/** A gateway inside the vector batch (SPEC §2 vectors' EUI range). */
const GATEWAY = '000000FFFE000042';
/** The same gateway as a station names itself in `router` (ID6, SPEC §1.2). */
const ROUTER = formatId6(BigInt(`0x${GATEWAY}`));

interface Served {
  station: Station;
  ui: StationUi;
  server: RunningServer;
  setupPassword: string;
  close(): Promise<void>;
}

/** Opens a station and serves it like `gwjs serve`, in this process. */
async function serve(dataDir: string, rendererDir: string): Promise<Served> {
  const port = await freePort('127.0.0.1');
  const station = await openStation({ dataDir, passphrase: PASSPHRASE, port });
  const ui = createStationUi({ ...station, ceremony: station.core.ceremony });
  const server = await startServer({
    extend: ui.extendServer(rendererDir),
    core: station.core,
    tls: { certPem: station.tls.certPem, keyPem: station.tls.keyPem, caCertPem: station.tls.caCertPem },
    host: '127.0.0.1',
    port,
    ops: { readiness: stationReadiness(station), store: station.store },
  });
  ui.setServerUrls([server.url]);
  const setupPassword = (await ui.firstRunPassword())!;
  return {
    station,
    ui,
    server,
    setupPassword,
    async close() {
      await server.close();
      await ui.close();
      await station.close();
    },
  };
}

/** Saves a screenshot of one card (or the window) into docs/screenshots/. */
async function docShot(page: Page, name: string, card?: string): Promise<void> {
  mkdirSync(DOCS_SHOTS, { recursive: true });
  const path = join(DOCS_SHOTS, `${name}.png`);
  if (card === undefined) {
    await page.screenshot({ path });
    return;
  }
  // the main area scrolls inside the window: a window tall enough shows the whole card
  const size = page.viewportSize()!;
  const box = page.getByLabel(card, { exact: true });
  const height = Math.ceil((await box.evaluate((el) => el.getBoundingClientRect().height)) + 200);
  await page.setViewportSize({ width: size.width, height: Math.max(size.height, height) });
  await box.evaluate((el) => el.scrollIntoView({ block: 'start' }));
  await box.screenshot({ path });
  await page.setViewportSize(size);
}

/** Clicks `button` and answers the downloaded file's path. */
async function download(page: Page, click: () => Promise<void>, dir: string): Promise<string> {
  const [file] = await Promise.all([page.waitForEvent('download'), click()]);
  const target = join(dir, file.suggestedFilename());
  await file.saveAs(target);
  return target;
}

let token: TestToken;
let dir: string;
let a: Served;
let b: Served;
let browser: Browser;
let pageA: Page;
let pageB: Page;
let caPemB: string;

beforeAll(async () => {
  token = makeToken('e2e-hsm');
  dir = makeTempDir('e2e-hsm', { until: 'exit' });
  const renderer = join(dir, 'renderer');
  const video = join(dir, 'camera.y4m');
  const dataA = join(dir, 'sender');
  const dataB = join(dir, 'receiver');
  await Promise.all([buildRenderer(renderer), writeQrVideo(video, 'no camera used here')]);
  await gwjs(['init', '--data', dataA]);
  writeFileSync(join(dir, 'brk.bin'), BRK);
  await gwjs([
    'batch',
    'import',
    '--data',
    dataA,
    '--first',
    '00-00-00-FF-FE-00-00-00',
    '--last',
    '00-00-00-FF-FE-00-FF-FF',
    '--root-key-file',
    join(dir, 'brk.bin'),
  ]);
  await gwjs(['init', '--data', dataB]);
  a = await serve(dataA, renderer);
  b = await serve(dataB, renderer);
  caPemB = b.station.tls.caCertPem;
  browser = await launchBrowser(video);
  pageA = await newPage(browser, `${a.server.url}/`);
  await firstRun(pageA, a.setupPassword, ADMIN);
  pageB = await newPage(browser, `${b.server.url}/`);
  await firstRun(pageB, b.setupPassword, ADMIN);
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await b?.close();
  await a?.close();
});

const settings = async (page: Page) => {
  await page.evaluate(() => (location.hash = '#settings'));
  await page.getByRole('heading', { name: 'Settings' }).waitFor();
  return page.getByLabel('HSM', { exact: true });
};

describe('Settings → HSM with a SoftHSM2 token, and the twin ceremony software → token', () => {
  it('picks the module and token, refuses a wrong PIN in words, switches with the right one', async () => {
    const card = await settings(pageB);
    await card.getByRole('button', { name: 'Change backend…' }).click();
    const backend = card.getByRole('form', { name: 'HSM backend' });
    await backend.getByLabel('PKCS#11 token').check();
    await backend.getByLabel('Module').selectOption(SOFTHSM_MODULE);
    const tokenSelect = backend.getByRole('combobox', { name: /^Token/ });
    await expect
      .poll(() => tokenSelect.locator('option').allTextContents())
      .toContainEqual(expect.stringContaining(token.label));
    const option = (await tokenSelect.locator('option').allTextContents()).find((t) =>
      t.includes(token.label),
    )!;
    expect(option).toMatch(/serial [0-9a-f]{16}/);
    await tokenSelect.selectOption({ label: option });
    const pin = backend.getByLabel('User PIN of the token');
    await pin.fill(`${token.pin}9`);
    await backend.getByRole('button', { name: 'Use this token' }).click();
    await backend
      .getByText('Wrong token PIN. The token stays locked; it blocks itself after a few wrong PINs.')
      .waitFor();
    expect(await pin.inputValue()).toBe(''); // the PIN left the form at once
    expect((await b.station.hsm.status()).kind).toBe('software');
    await pin.fill(token.pin);
    await backend.getByRole('button', { name: 'Use this token' }).click();
    // the form closes after the switch and says what is in use now
    await card.getByLabel('HSM backend').getByText(`Now using token “${token.label}”.`).waitFor();
    expect(await card.getByRole('form', { name: 'HSM backend' }).count()).toBe(0);
    await card.getByText('PKCS#11 token').first().waitFor();
    expect((await b.station.hsm.status()).kind).toBe('pkcs11');
    // the PIN is nowhere in the page's state or storage, nor in station.json
    const leaked = await pageB.evaluate(
      (p) => document.documentElement.outerHTML.includes(p) || JSON.stringify(localStorage).includes(p),
      token.pin,
    );
    expect(leaked).toBe(false);
    expect(readFileSync(join(b.station.dataDir, 'station.json'), 'utf8')).not.toContain(token.pin);
    await pageB.getByText(/Token unlocked · 0 keys/).waitFor();
  });

  it('runs the ceremony A (software) → B (token): fingerprint, then the same KCV large on both', async () => {
    const files = join(dir, 'files');
    mkdirSync(files, { recursive: true });
    await settings(pageB);
    const wizardB = pageB.getByLabel('Key ceremony');
    await wizardB.getByRole('button', { name: 'Create transport key' }).click();
    const fpB = (await wizardB.getByTestId('fingerprint-large').textContent())!.replace(/\s/g, '');
    const transportKeys = (await b.station.hsm.listKeys()).filter((k) => k.kind === 'transport');
    expect(transportKeys.map((k) => k.fingerprint)).toEqual([fpB]);
    const pub = await download(
      pageB,
      () => wizardB.getByRole('button', { name: /^Download transport-/ }).click(),
      files,
    );

    await settings(pageA);
    const wizardA = pageA.getByLabel('Key ceremony');
    await wizardA.getByRole('tab', { name: 'Send a key' }).click();
    await wizardA.getByLabel('Batch').waitFor();
    await wizardA.getByLabel('Transport key file').setInputFiles(pub);
    const fpA = (await wizardA.getByTestId('fingerprint-large').textContent())!.replace(/\s/g, '');
    expect(fpA).toBe(fpB); // what the two operators compare by phone
    await wizardA.getByRole('button', { name: /^Wrap batch / }).click();
    const kcvA = (await wizardA.getByLabel('KCV in this HSM').getByTestId('kcv-large').textContent())!;
    const batchA = (await a.station.core.batches.list(a.station.cliContext))[0]!;
    expect(kcvA).toBe(batchA.kcv);
    const wrapped = await download(
      pageA,
      () => wizardA.getByRole('button', { name: /^Download batch-/ }).click(),
      files,
    );
    await docShot(pageA, 'hsm-ceremony-send-1280', 'Key ceremony');

    // a tampered copy is refused in words and changes nothing
    const doc = JSON.parse(readFileSync(wrapped, 'utf8')) as { batch: { last: string } };
    doc.batch.last = '00-00-00-FF-FE-01-FF-FF';
    const tampered = join(files, 'tampered.wrapped');
    writeFileSync(tampered, JSON.stringify(doc));
    await wizardB.getByLabel('Wrapped key file').setInputFiles(tampered);
    await wizardB.getByRole('button', { name: 'Import into this HSM' }).click();
    await wizardB
      .getByLabel('Ceremony refused')
      .getByText('The wrapped key file was changed or damaged. Nothing was imported; ask for a new file.')
      .waitFor();
    expect(await b.station.core.batches.list(b.station.cliContext)).toEqual([]);

    await wizardB.getByLabel('Wrapped key file').setInputFiles(wrapped);
    expect(await wizardB.getByLabel('KCV the file claims').getByTestId('kcv-large').textContent()).toBe(kcvA);
    await wizardB.getByLabel('KCV the sending operator reads out (optional)').fill(kcvA);
    await wizardB.getByRole('button', { name: 'Import into this HSM' }).click();
    const kcvB = (await wizardB.getByLabel('KCV in this HSM').getByTestId('kcv-large').textContent())!;
    expect(kcvB).toBe(kcvA);
    const batchB = (await b.station.core.batches.list(b.station.cliContext))[0]!;
    expect(batchB.kcv).toBe(kcvA);
    await docShot(pageB, 'hsm-ceremony-receive-1280', 'Key ceremony');

    // the transcript downloads as JSON with the verified chain
    const json = await download(
      pageB,
      () => wizardB.getByRole('button', { name: 'Download JSON' }).click(),
      files,
    );
    const transcript = JSON.parse(readFileSync(json, 'utf8')) as { chains: { check: { ok: boolean } }[] };
    expect(transcript.chains.length).toBeGreaterThan(0);
    expect(transcript.chains.every((c) => c.check.ok)).toBe(true);
    const pdf = await download(
      pageB,
      () => wizardB.getByRole('button', { name: 'Download PDF' }).click(),
      files,
    );
    expect(readFileSync(pdf).subarray(0, 5).toString()).toBe('%PDF-');

    // importing the same batch again: the range overlaps, refused, nothing changes
    await wizardB.getByLabel('Wrapped key file').setInputFiles(wrapped);
    await wizardB.getByRole('button', { name: 'Import into this HSM' }).click();
    await wizardB
      .getByLabel('Ceremony refused')
      .getByText(/overlaps a batch this station has already/)
      .waitFor();
    expect(await b.station.core.batches.list(b.station.cliContext)).toHaveLength(1);
  });

  it('lists the token keys with the KCV the token computes', async () => {
    const card = await settings(pageB);
    const keys = card.getByLabel('HSM keys');
    await keys.getByText('never leaves the HSM', { exact: false }).first().waitFor();
    const handles = await keys
      .locator('li[data-handle]')
      .evaluateAll((rows) =>
        rows.map((r) => [
          r.getAttribute('data-handle'),
          r.querySelector('[data-testid=key-kcv]')?.textContent,
        ]),
      );
    const held = await b.station.hsm.listKeys();
    const root = held.find((k) => k.kind === 'root')!;
    expect(root.handle).toMatch(/^p11-brk-/);
    expect(root.exportable).toBe(false); // received in a ceremony: it never leaves the token
    expect(handles).toContainEqual([root.handle, await b.station.hsm.kcv(root.handle)]);
    expect(handles).toContainEqual([
      root.handle,
      (await a.station.core.batches.list(a.station.cliContext))[0]!.kcv,
    ]);
    await card.getByRole('button', { name: 'Change backend…' }).click();
    await docShot(pageB, 'hsm-settings-1280', 'HSM');
    const phone = await newPage(browser, `${b.server.url}/`, { width: 390, height: 844, touch: true });
    try {
      await signIn(phone, ADMIN);
      await phone.getByRole('heading', { name: 'Dashboard' }).waitFor();
      await settings(phone);
      await phone
        .getByLabel('HSM keys')
        .getByText('never leaves the HSM', { exact: false })
        .first()
        .waitFor();
      await docShot(phone, 'hsm-settings-390', 'HSM');
    } finally {
      await phone.context().close();
    }
  });

  it('shows "Token removed" when the token is pulled, CUPS fails closed, the PIN recovers it', async () => {
    const url = b.server.url;
    // a claimed gateway of the imported batch: its CUPS token is checked through the token's HMAC
    const ctx = b.station.cliContext;
    await b.station.core.access.createOwner(ctx, '1::1', 'Acme');
    const claim = await b.station.core.owner.claim(ctx, '1::1', [
      { gateway: GATEWAY, claim: pinOf(GATEWAY) },
    ]);
    expect(claim).toEqual([{ gateway: expect.any(String) }]);
    const before = await cupsUpdateInfo(url, caPemB, GATEWAY, ROUTER);
    expect([200, 404]).toContain(before);
    const chip = pageB.getByRole('status', { name: 'HSM state' });
    expect(await chip.count()).toBe(0);
    const m = acquireModule(SOFTHSM_MODULE);
    const slot = m.C_GetSlotList(true).find((s) => m.C_GetTokenInfo(s).label.trim() === token.label)!;
    const pulledAt = Date.now();
    m.C_CloseAllSessions(slot);
    releaseModule(SOFTHSM_MODULE);
    await chip.getByText('Token removed').waitFor({ timeout: 5000 });
    // measured, not asserted (TEAM.md: no timing assertions); the poll is 500 ms + the 200 ms probe
    console.log(`token removed visible after ${Date.now() - pulledAt} ms`);
    expect(await cupsUpdateInfo(url, caPemB, GATEWAY, ROUTER)).toBe(503);
    await pageB.evaluate(() => (location.hash = '#dashboard'));
    await pageB
      .getByRole('alert')
      .getByText('HSM token removed — CUPS is stopped for the whole fleet.')
      .waitFor();
    const card = await settings(pageB);
    await card.getByText('token removed', { exact: true }).waitFor();
    await card.scrollIntoViewIfNeeded();
    await docShot(pageB, 'hsm-token-removed-1280');
    const form = card.getByRole('form', { name: 'Unlock HSM' });
    await form.getByLabel('User PIN').fill(token.pin);
    await form.getByRole('button', { name: 'Unlock' }).click();
    await card.getByText('HSM unlocked: 1 root key available.').waitFor();
    await pageB.getByText(/Token unlocked · 1 key/).waitFor();
    expect(await cupsUpdateInfo(url, caPemB, GATEWAY, ROUTER)).toBe(before);
    expect(pageProblems).toEqual([]);
  });
});

// keep a copy of the docs screenshots with the other artifacts
afterAll(() => {
  const artifacts = join(ROOT, 'test/artifacts/screenshots');
  mkdirSync(artifacts, { recursive: true });
  for (const n of [
    'hsm-settings-1280',
    'hsm-settings-390',
    'hsm-ceremony-receive-1280',
    'hsm-ceremony-send-1280',
    'hsm-token-removed-1280',
  ]) {
    try {
      copyFileSync(join(DOCS_SHOTS, `${n}.png`), join(artifacts, `${n}.png`));
    } catch {
      // a failed test left no screenshot
    }
  }
});
