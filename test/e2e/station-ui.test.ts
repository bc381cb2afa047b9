/**
 * The installer's and operator's screens in real Chromium against a real `gwjs serve`:
 * login, claim by id + PIN, claim by scanning a QR label with the (fake) camera, bulk
 * claim from a CSV file, setup from a template with an uploaded trust file, a reachability check
 * failing on a wrong trust, delete, and the 100 000-row gateways table. One browser, several pages;
 * every test leaves a screenshot in test/artifacts/screenshots/.
 */
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, sign } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir } from '../helpers/tmp-dir';
import {
  BIG_OWNER_ROWS,
  buildRenderer,
  createStation,
  cupsUpdateInfo,
  launchBrowser,
  newPage,
  pageProblems,
  PASSPHRASE,
  pinOf,
  shot,
  startServer,
  writeQrVideo,
  type Server,
} from './harness';

const ADMIN = { name: 'admin', password: 'admin-password-1' };
const INSTALLER = { name: 'ian', password: 'installer-pass-1' };
/** The label the fake camera shows: SPEC §2 vector gateway 58a0:cbff:fe80:102. */
const QR_LABEL = 'GWJS:1:58A0CBFFFE800102:S07VYTHR';

let dir: string;
let server: Server;
let browser: Browser;
let admin: Page;
let installer: Page;

/** Calls a bridge channel from a signed-in page, as the renderer does. */
async function bridge(page: Page, channel: string, body: unknown): Promise<{ ok: boolean; value?: unknown }> {
  return page.evaluate(
    async ([c, b]) => {
      const r = await fetch(`/bridge/${encodeURIComponent(c as string)}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-gwjs-bridge': '1' },
        body: JSON.stringify(b),
      });
      return (await r.json()) as { ok: boolean; value?: unknown };
    },
    [channel, body] as const,
  );
}

async function signIn(page: Page, who: { name: string; password: string }): Promise<void> {
  await page.getByLabel('Operator name').fill(who.name);
  await page.getByLabel('Password').fill(who.password);
  await page.getByLabel('Password').press('Enter');
}

async function chooseOwner(page: Page, ownerId: string): Promise<void> {
  await page.getByLabel('Owner', { exact: true }).selectOption(ownerId);
}

beforeAll(async () => {
  dir = makeTempDir('e2e-ui', { until: 'exit' });
  const renderer = join(dir, 'renderer');
  const video = join(dir, 'label.y4m');
  await Promise.all([buildRenderer(renderer), writeQrVideo(video, QR_LABEL)]);
  await createStation(join(dir, 'data'));
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      join(dir, 'wrong-ca.key'),
      '-out',
      join(dir, 'wrong-ca.pem'),
      '-subj',
      '/CN=Some Other CA',
      '-days',
      '30',
    ],
    { stdio: 'ignore' },
  );
  server = await startServer(join(dir, 'data'), renderer);
  browser = await launchBrowser(video);
}, 120_000);

// A failed test leaves pictures of both pages, to see what the operator would have seen.
afterEach(async (ctx) => {
  if (ctx.task.result?.state !== 'fail') return;
  const name = ctx.task.name.replace(/[^a-z0-9]+/gi, '-').slice(0, 60);
  if (admin) await shot(admin, `FAILED-${name}-admin`).catch(() => undefined);
  if (installer) await shot(installer, `FAILED-${name}-installer`).catch(() => undefined);
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('station UI in Chromium', () => {
  it('first run creates the admin; operators sign in, wrong passwords are refused in words', async () => {
    expect(server.setupPassword).toBeTruthy();
    admin = await newPage(browser, server.url);
    await admin.getByLabel('Setup password').fill(server.setupPassword!);
    await admin.getByLabel('Operator name').fill(ADMIN.name);
    await admin.getByLabel('Password', { exact: true }).fill(ADMIN.password);
    await admin.getByLabel('Repeat password').fill(ADMIN.password);
    await admin.getByRole('button', { name: /Create administrator/ }).click();
    await admin.getByRole('heading', { name: 'Dashboard' }).waitFor();
    await admin.getByText('HSM unlocked').first().waitFor();
    const created = await bridge(admin, 'operators:create', {
      ...INSTALLER,
      role: 'installer',
      ownerId: '1::1',
    });
    expect(created.ok).toBe(true);

    installer = await newPage(browser, server.url);
    await signIn(installer, { name: INSTALLER.name, password: 'not-the-password' });
    await installer.getByText('Wrong operator name or password.').waitFor();
    await shot(installer, '01-login-refused');
    await signIn(installer, INSTALLER);
    await installer.getByText('ian · installer').waitFor();
    // an installer bound to owner 1::1 sees no Owners & API keys admin controls, and its owner is fixed
    expect(await installer.getByLabel('Owner', { exact: true }).isDisabled()).toBe(true);
    expect(await installer.getByRole('button', { name: /Create key/ }).count()).toBe(0);
    await chooseOwner(admin, '1::1');
    await admin.getByText('Personalized', { exact: true }).waitFor();
    await shot(admin, '02-dashboard');
  });

  it('claims one gateway by id and PIN, with the live identity check, from the keyboard', async () => {
    await installer.keyboard.press('Alt+3');
    await installer.getByRole('heading', { name: 'Claim gateways' }).waitFor();
    await installer.keyboard.type('00-00-00-FF-FE-00-0A-BC'); // focus starts in the id field
    await installer.getByText('0:ff:fe00:abc').first().waitFor();
    await installer.keyboard.press('Tab');
    await installer.keyboard.type('6cvh eqsa');
    await installer.getByText('6CVH-EQSA').waitFor();
    await shot(installer, '03-claim-typing');
    await installer.keyboard.press('Enter');
    await installer.getByText('Claimed 0:ff:fe00:abc').waitFor();
    await shot(installer, '04-claim-done');
  });

  it('claims a gateway by scanning its QR label with the camera', async () => {
    await installer.getByRole('tab', { name: 'Scan QR' }).click();
    await installer.getByRole('button', { name: 'Start camera' }).click();
    const card = installer.locator('.notice', { hasText: '58a0:cbff:fe80:102' });
    await card.getByText('Claimed for owner 1::1.').waitFor({ timeout: 15_000 });
    expect(await card.textContent()).toContain('S07V-YTHR');
    await shot(installer, '05-claim-scan');
    await installer.getByRole('button', { name: 'Stop camera' }).click();
  });

  it('claims 1 200 gateways from a CSV file in chunks and reports the rows that failed', async () => {
    const lines = ['gateway,pin'];
    for (let i = 0; i < 1200; i++) {
      const eui = (0x000000fffe001000n + BigInt(i)).toString(16).toUpperCase().padStart(16, '0');
      lines.push(`${eui.match(/../g)!.join('-')},${pinOf(eui)}`);
    }
    lines.push('00-00-00-FF-FE-00-20-00,AAAA-AAAA'); // wrong PIN
    lines.push('1:::2,AAAA-AAAA'); // not an id
    const csv = join(dir, 'site-b.csv');
    writeFileSync(csv, `${lines.join('\n')}\n`);
    await installer.getByRole('tab', { name: 'List / CSV' }).click();
    await installer.getByLabel('Import CSV').setInputFiles(csv);
    await installer.getByText('1,202 rows: 1,201 ready, 1 with problems').waitFor();
    await installer.getByRole('button', { name: 'Claim 1,201 gateways' }).click();
    await installer.getByText('1,200 of 1,202 claimed.').waitFor({ timeout: 60_000 });
    await installer.getByText('The PIN does not match this gateway.').waitFor();
    await shot(installer, '06-claim-bulk-csv');
  });

  it('saves a setup template with an uploaded trust file and applies it to gateways after the reachability check', async () => {
    const port = new URL(server.url).port;
    await admin.keyboard.press('Alt+4');
    await admin.getByRole('tab', { name: 'Enter settings' }).click();
    const lns = admin.getByRole('group', { name: 'LNS settings' });
    await lns.getByRole('checkbox').check();
    await lns.getByLabel('Address').fill(`wss://localhost:${port}`);
    await lns.locator('input[name=lnsTrust]').setInputFiles(server.caCert);
    await lns.getByText('PEM certificate').waitFor();
    await lns.getByLabel('Gateway token').fill('lns-site-a-token');
    await admin.getByLabel('Template name').fill('Site A — local LNS');
    await admin.getByRole('button', { name: 'Save as template' }).click();
    await admin.getByText('Template “Site A — local LNS” saved.').waitFor();
    await shot(admin, '07-setup-template-form');

    await installer.keyboard.press('Alt+4');
    await installer.getByRole('heading', { name: 'Set up gateways' }).waitFor();
    await installer.getByLabel('Template', { exact: true }).selectOption({ label: 'Site A — local LNS' });
    await installer.getByText(`LNS: wss://localhost:${port} — trust, token`).waitFor();
    const ids = [
      '0:ff:fe00:abc',
      '58-A0-CB-FF-FE-80-01-02',
      '00-00-00-FF-FE-00-10-00',
      '00-00-00-FF-FE-00-10-01',
    ];
    await installer.getByLabel('Gateways to set up').fill(ids.join('\n'));
    await installer.getByRole('button', { name: 'Check and apply to 4 gateways' }).click();
    await installer.getByText('reachable, certificate trusted').waitFor();
    await installer.getByText('4 of 4 set up.').waitFor({ timeout: 30_000 });
    await shot(installer, '08-setup-applied');
  });

  it('refuses to save when the target fails the TLS check against a wrong trust', async () => {
    const port = new URL(server.url).port;
    await installer.getByRole('tab', { name: 'Enter settings' }).click();
    const lns = installer.getByRole('group', { name: 'LNS settings' });
    await lns.getByRole('checkbox').check();
    await lns.getByLabel('Address').fill(`wss://localhost:${port}`);
    await lns.locator('input[name=lnsTrust]').setInputFiles(join(dir, 'wrong-ca.pem'));
    await lns.getByLabel('Gateway token').fill('x');
    await installer.getByRole('button', { name: 'Check and apply to 4 gateways' }).click();
    await installer.getByText('check failed').waitFor();
    await installer.getByText(/Not saved: a target did not pass the reachability check/).waitFor();
    expect(await installer.getByText(/of 4 set up/).count()).toBe(0);
    await installer.locator('main').evaluate((m) => m.scrollBy(0, 420));
    await shot(installer, '09-setup-wrong-trust');
  });

  it('deletes a gateway after typed confirmation', async () => {
    await installer.keyboard.press('Alt+5');
    await installer.getByLabel('Gateways to delete').fill('0:ff:fe00:abc');
    await installer.getByLabel('Confirmation').fill('1');
    await installer.getByRole('button', { name: 'Delete 1 gateway' }).click();
    await installer.getByText('1 of 1 deleted.').waitFor();
    await shot(installer, '10-delete');
    const info = await bridge(installer, 'gateways:info', { ownerId: '1::1', gateways: ['0:ff:fe00:abc'] });
    expect(JSON.stringify(info)).toMatch(/not_claimed|not_found/);
  });

  it('scrolls and filters the 100 000 gateways of an owner (server-side search, windowed rows)', async () => {
    await chooseOwner(admin, '2::2');
    await admin.keyboard.press('Alt+2');
    const count = admin.getByTestId('gateway-count');
    await admin.getByText(`${BIG_OWNER_ROWS.toLocaleString('en')} gateways`).waitFor({ timeout: 15_000 });

    const grid = admin.getByRole('grid', { name: 'Gateways' });
    let t = Date.now();
    await grid.evaluate((el) => (el.scrollTop = 50_000 * 32));
    await admin.locator('[aria-rowindex="50002"] >> text=58a0:cbff:fe00:c350').waitFor();
    const scrollMs = Date.now() - t;

    t = Date.now();
    await admin.getByLabel('Search gateways').fill('58-A0-CB-FF-FE-01-86-9F');
    await admin.getByText(/^1 gateway ·/).waitFor();
    const filterMs = Date.now() - t;

    t = Date.now();
    await admin.getByLabel('Search gateways').fill('58A0CBFFFE0186');
    await admin.getByText(/^160 gateways ·/).waitFor();
    const prefixMs = Date.now() - t;

    await admin.getByLabel('Search gateways').fill('');
    await admin.getByText(`${BIG_OWNER_ROWS.toLocaleString('en')} gateways`).waitFor();
    await grid.evaluate((el) => (el.scrollTop = 700 * 32));
    await admin.locator('[aria-rowindex="702"]').click();
    await admin.getByRole('complementary').getByText('Last contact', { exact: true }).waitFor();
    await admin.getByRole('complementary').getByText('corecell', { exact: true }).waitFor();
    await shot(admin, '11-gateways-100k');
    console.log(
      `gateways table: scroll ${scrollMs} ms, exact filter ${filterMs} ms, prefix filter ${prefixMs} ms; ${await count.textContent()}`,
    );
  });

  it('creates an API key that is shown once, then lists and revokes it', async () => {
    await admin.keyboard.press('Alt+7');
    await admin.getByRole('heading', { name: 'Owners & API keys' }).waitFor();
    await admin.getByLabel('Key owner').selectOption('1::1');
    await admin.getByLabel('Label').fill('ERP integration');
    await admin.getByRole('button', { name: 'Create key' }).click();
    const key = await admin.getByTestId('new-api-key').textContent();
    expect(key).toMatch(/^gwjs_/);
    await shot(admin, '13-api-key-once');
    await admin.getByRole('button', { name: 'I have stored it' }).click();
    expect(await admin.getByTestId('new-api-key').count()).toBe(0);
    expect(await admin.content()).not.toContain(key!);
    const row = admin.getByRole('row', { name: /ERP integration/ });
    admin.once('dialog', (d) => void d.accept());
    await row.getByRole('button', { name: 'Revoke' }).click();
    await row.getByText('revoked').waitFor();
  });

  it('filters the audit log by a gateway typed in any form', async () => {
    await installer.keyboard.press('Alt+8');
    await installer.getByLabel('Filter by target').fill('58-A0-CB-FF-FE-80-01-02');
    const table = installer.getByRole('table', { name: 'Audit entries' });
    await table.getByText('58a0:cbff:fe80:102').first().waitFor();
    const targets = await table.locator('tbody tr td:nth-child(4)').allTextContents();
    expect(new Set(targets.filter((t) => t !== '—'))).toEqual(new Set(['58a0:cbff:fe80:102']));
    await shot(installer, '14-audit-log');
  });

  it('shows live CUPS contacts and counters on the dashboard', async () => {
    const status = await cupsUpdateInfo(
      server.url,
      readFileSync(server.caCert, 'utf8'),
      '58A0CBFFFE800102',
      '58a0:cbff:fe80:102',
    );
    expect(status).toBe(200);
    await installer.keyboard.press('Alt+1');
    const feed = installer.getByRole('table', { name: 'CUPS contacts' });
    await feed.getByText('58a0:cbff:fe80:102').waitFor({ timeout: 10_000 });
    await installer.getByText('Personalized', { exact: true }).waitFor();
    // the newest contact leads the feed
    expect(await feed.locator('tbody tr').first().textContent()).toContain('58a0:cbff:fe80:102');
    await shot(installer, '15-dashboard-live');
  });

  it('shows the token rotation and the firmware delivery of a gateway in its detail panel', async () => {
    const gw = '58a0:cbff:fe80:102'; // claimed by scanning, and it has called CUPS (dashboard test)
    const created = (await bridge(admin, 'apiKeys:create', {
      ownerId: null,
      scopes: ['admin'],
      label: 'e2e firmware',
    })) as { value: { apiKey: string } };
    const api = (path: string, body: unknown) =>
      admin.evaluate(
        async ([p, b, k]) => {
          const r = await fetch(p as string, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${k as string}` },
            body: JSON.stringify(b),
          });
          return { status: r.status, text: await r.text() };
        },
        [path, body, created.value.apiKey] as const,
      );
    // an update signed with a key of the owner's (ECDSA P-256 over SHA-512, SPEC §3.4)
    const image = Buffer.from(`e2e firmware image ${'x'.repeat(200)}`);
    const signer = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const upload = await api('/api/v1/firmware/upload', {
      ownerid: '1::1',
      firmware: image.toString('base64'),
      signatures: [
        {
          key: Buffer.from(signer.publicKey.export({ type: 'spki', format: 'pem' })).toString('base64'),
          signature: sign('sha512', image, signer.privateKey).toString('base64'),
        },
      ],
    });
    expect(upload.status, upload.text).toBe(200);
    const { fwcrc } = JSON.parse(upload.text) as { fwcrc: number };
    for (const [path, body] of [
      ['/api/v1/gateway/setup', { ownerid: '1::1', gateway: gw, fwcrc }],
      ['/api/v1/gateway/rotate', { ownerid: '1::1', gateway: gw }],
    ] as const) {
      const answer = await api(path, body);
      expect({ path, status: answer.status, text: answer.text }).toMatchObject({ status: 200 });
      expect(answer.text).not.toContain('"code"');
    }
    await chooseOwner(admin, '1::1');
    await admin.keyboard.press('Alt+2');
    await admin.getByLabel('Search gateways').fill(gw);
    await admin.getByText(/^1 gateway ·/).waitFor();
    await admin.locator('[aria-rowindex="2"]').click();
    const panel = admin.getByRole('complementary', { name: `Gateway ${gw}` });
    const rotation = panel.getByLabel('Token rotation');
    await rotation.getByText('in flight').waitFor();
    await panel.getByRole('table', { name: 'Rotation history' }).getByText('0 → 1').waitFor();
    const firmware = panel.getByLabel('Firmware');
    await firmware
      .getByText(`0x${fwcrc.toString(16).toUpperCase().padStart(8, '0')}`, { exact: true })
      .waitFor();
    const state = await firmware.locator('dd .chip').textContent();
    expect(state).toMatch(/pending|not yet due|no matching key|sent|done|unknown firmware/);
    expect((await firmware.locator('dd .chip + .muted').textContent())!.length).toBeGreaterThan(10);
    await panel.getByText('Firmware', { exact: true }).scrollIntoViewIfNeeded();
    await shot(admin, '17-gateway-rotation-firmware');
  });

  it('shows the identity checker with its warnings', async () => {
    await installer.keyboard.press('Alt+6');
    await installer.keyboard.type('::abc');
    await installer
      .getByText(/euiprefix/)
      .first()
      .waitFor();
    await shot(installer, '12-identity');
  });

  it('locks the HSM in Settings, refuses a wrong passphrase in words and unlocks with the right one', async () => {
    await admin.keyboard.press('Alt+9');
    const card = admin.getByLabel('HSM', { exact: true });
    await card.getByText('unlocked', { exact: true }).waitFor();
    await card.getByRole('button', { name: 'Lock HSM' }).click();
    await card.getByText('HSM locked: the root keys left memory.').waitFor();
    await admin
      .locator('.topbar')
      .getByText(/HSM locked/)
      .waitFor();
    const passphrase = card.getByLabel('Passphrase');
    await passphrase.fill('not-the-passphrase');
    await passphrase.press('Enter');
    await card.getByText('Wrong passphrase. The HSM stays locked.').waitFor();
    expect(await passphrase.inputValue()).toBe('');
    await shot(admin, '16-settings-hsm-wrong-passphrase');
    await passphrase.fill(PASSPHRASE);
    await card.getByRole('button', { name: 'Unlock' }).click();
    await card.getByText(/^HSM unlocked: 2 root keys available\.$/).waitFor();
    await admin
      .locator('.topbar')
      .getByText(/HSM unlocked/)
      .waitFor();
    // the audit trail names both attempts, never the passphrase
    const audit = (await bridge(admin, 'audit:list', { limit: 5 })) as { value: { action: string }[] };
    expect(audit.value.map((a) => a.action).slice(0, 3)).toEqual([
      'hsm.unlock',
      'hsm.unlock_failed',
      'hsm.lock',
    ]);
    expect(JSON.stringify(audit)).not.toContain(PASSPHRASE);
    expect(server.stderr()).not.toContain(PASSPHRASE);
    await shot(admin, '16-settings-hsm');
  });

  it('ran without page errors or CSP violations', () => {
    expect(pageProblems).toEqual([]);
  });
});
