/**
 * Installers and admins in real Chromium against a real `gwjs serve` (docs/station-ui.md): the
 * transfer of a gateway as one confirmed step that changes nothing when the PIN is wrong; what
 * each role sees in the navigation and where it lands; the operator form; changing and resetting
 * passwords; the HSM lock said plainly; and the dashboard, gateways and audit truths. Screenshots at
 * 1280 and 390 px go to test/artifacts/screenshots/.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir } from '../helpers/tmp-dir';
import { startPrinterSim } from '../core/factory-line/helpers/line-fixture';
import {
  BRK,
  buildRenderer,
  gwjs,
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
import { bridge, firstRun, signIn } from './ui-helpers';

const ADMIN = { name: 'admin', password: 'admin-password-1' };
const PHONE = { width: 390, height: 844, touch: true };
/** A gateway of the imported batch, claimed by owner 1::1 and set up. */
const GW = { hex: '58A0CBFFFE800200', id6: '58a0:cbff:fe80:200' };

let dir: string;
let server: Server;
let browser: Browser;
let admin: Page;

beforeAll(async () => {
  dir = makeTempDir('e2e-installer', { until: 'exit' });
  const renderer = join(dir, 'renderer');
  const data = join(dir, 'data');
  const video = join(dir, 'none.y4m');
  await Promise.all([buildRenderer(renderer), writeQrVideo(video, 'no camera used here')]);
  await gwjs(['init', '--data', data]);
  const brk = join(dir, 'brk.bin');
  writeFileSync(brk, BRK);
  await gwjs([
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
  await gwjs(['owner', 'create', '--data', data, '--id', '1::1', '--name', 'Acme']);
  await gwjs(['owner', 'create', '--data', data, '--id', '2::2', '--name', 'Bulk Corp']);
  server = await startServer(data, renderer);
  browser = await launchBrowser(video);
}, 180_000);

afterEach(async (ctx) => {
  if (ctx.task.result?.state === 'fail' && admin) {
    await shot(admin, `FAILED-installer-${ctx.task.name.replace(/[^a-z0-9]+/gi, '-').slice(0, 50)}`).catch(
      () => undefined,
    );
  }
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('installer and admin screens in Chromium', () => {
  it('transfers a gateway as one confirmed step: a wrong PIN changes nothing, the right one moves it', async () => {
    admin = await newPage(browser, server.url);
    await firstRun(admin, server.setupPassword!, ADMIN);
    const claim = await bridge(admin, 'gateways:claim', {
      ownerId: '1::1',
      items: [{ gateway: GW.hex, claim: pinOf(GW.hex) }],
    });
    expect(claim.ok).toBe(true);
    const setup = await bridge(admin, 'gateways:setup', {
      ownerId: '1::1',
      items: [{ gateway: GW.hex, lnsUri: 'ws://lns.example.com:8887' }],
    });
    expect(JSON.stringify(setup), JSON.stringify(setup)).not.toContain('"code"');
    await admin.getByLabel('Owner', { exact: true }).selectOption('1::1');
    await admin.keyboard.press('Alt+5');
    const form = admin.getByRole('form', { name: 'Transfer one gateway' });
    await form.getByLabel('Gateway id').fill(GW.id6);
    await form.getByLabel('New owner').selectOption('2::2');
    await form.getByLabel('Claim PIN').fill('AAAA-AAAA');
    const go = form.getByRole('button', { name: 'Transfer' });
    expect(await go.isDisabled()).toBe(true); // not before the typed confirmation
    await form.getByLabel('Transfer confirmation').fill('1');
    await go.click();
    await form.getByText('The PIN does not match this gateway.').waitFor();
    await form.getByText(/Nothing changed/).scrollIntoViewIfNeeded();
    await shot(admin, 'transfer-wrong-pin');
    const kept = (await bridge(admin, 'gateways:info', { ownerId: '1::1', gateways: [GW.id6] })) as {
      value: { info?: { owner: string; setup: { lns: { uri: string } } | null } }[];
    };
    expect(kept.value[0]!.info).toMatchObject({
      owner: '1::1',
      setup: { lns: { uri: 'ws://lns.example.com:8887' } },
    });

    await form.getByLabel('Claim PIN').fill(pinOf(GW.hex));
    await form.getByLabel('Transfer confirmation').fill('1');
    await go.click();
    await form.getByText(`Transferred ${GW.id6}`).scrollIntoViewIfNeeded();
    await shot(admin, 'transfer-done');
    const moved = (await bridge(admin, 'gateways:info', { ownerId: '2::2', gateways: [GW.id6] })) as {
      value: { info?: { owner: string } }[];
    };
    expect(moved.value[0]!.info?.owner).toBe('2::2');
    const audit = (await bridge(admin, 'audit:list', { target: GW.id6, limit: 10 })) as {
      value: { action: string }[];
    };
    expect(audit.value.map((a) => a.action).slice(0, 2)).toEqual(['transfer', 'transfer.failed']);
    expect(audit.value.some((a) => a.action === 'delete')).toBe(false);
  });

  it('the operator form starts afresh after each creation, and binds only installers to an owner', async () => {
    await admin.keyboard.press('Alt+9');
    const form = admin.getByRole('form', { name: 'Create operator' });
    await form.getByLabel('Name').fill('ian');
    await form.getByLabel('Role').selectOption('installer');
    await form.getByLabel('Password').fill('installer-pass-1');
    await form.getByLabel('Only for owner').selectOption('1::1');
    await form.getByRole('button', { name: 'Create operator' }).click();
    await admin.getByText('Operator ian created.').waitFor();
    // the form resets when the refreshed list arrives, which may render after the message
    await expect.poll(() => form.getByLabel('Only for owner').inputValue()).toBe('');
    await expect.poll(() => form.getByLabel('Name').inputValue()).toBe('');
    await form.getByLabel('Name').fill('fiona');
    await form.getByLabel('Role').selectOption('factory');
    expect(await form.getByLabel('Only for owner').count()).toBe(0); // a factory operator has no owner
    await form.getByLabel('Password').fill('factory-pass-01');
    await form.getByRole('button', { name: 'Create operator' }).click();
    await admin.getByText('Operator fiona created.').waitFor();
    const ops = (await bridge(admin, 'operators:list', {})) as {
      value: { name: string; role: string; ownerId: string | null }[];
    };
    expect(ops.value.map((o) => [o.name, o.role, o.ownerId])).toEqual([
      ['admin', 'admin', null],
      ['fiona', 'factory', null],
      ['ian', 'installer', '1::1'],
    ]);
  });

  it('each role sees only screens it may use; the factory operator lands on the line; badges say Alt+N', async () => {
    const badges = await admin.getByRole('navigation', { name: 'Screens' }).locator('kbd').allTextContents();
    expect(badges.slice(0, 3)).toEqual(['Alt+1', 'Alt+2', 'Alt+3']);

    const fiona = await newPage(browser, server.url);
    await signIn(fiona, { name: 'fiona', password: 'factory-pass-01' });
    await fiona.getByRole('heading', { name: 'Factory line', exact: true }).waitFor();
    await fiona.context().close();

    const ian = await newPage(browser, server.url, PHONE);
    await signIn(ian, { name: 'ian', password: 'installer-pass-1' });
    await ian.getByRole('heading', { name: 'Dashboard' }).waitFor();
    await ian.getByRole('button', { name: 'Menu' }).click();
    const nav = ian.getByRole('navigation', { name: 'Screens' });
    const titles = (await nav.locator('li button').allTextContents()).map((t) => t.replace(/Alt\+\w$/, ''));
    expect(titles).not.toContain('Batches');
    expect(titles).not.toContain('Factory line');
    await ian.keyboard.press('Escape');
    for (const title of titles) {
      await ian.getByRole('button', { name: 'Menu' }).click();
      await nav.getByRole('button', { name: new RegExp(`^${title.replace(/[/&]/g, '.')}`) }).click();
      await ian.locator('main h1').waitFor();
      await ian.waitForTimeout(300);
      expect({
        title,
        refused: await ian.getByText('Your role does not allow this action.').count(),
      }).toEqual({
        title,
        refused: 0,
      });
    }
    // the audit log of an installer: one gateway's trail at a time
    await ian.evaluate(() => (location.hash = '#/audit'));
    await ian.getByText('Type a gateway (or your owner) to see its history.').waitFor();
    await shot(ian, 'installer-audit-390');

    // an operator changes its own password
    await ian.evaluate(() => (location.hash = '#/settings'));
    const change = ian.getByRole('form', { name: 'Change my password' });
    await change.getByLabel('Current password').fill('installer-pass-1');
    await change.getByLabel('New password', { exact: true }).fill('installer-pass-2');
    await change.getByLabel('Repeat new password').fill('installer-pass-2');
    await change.getByRole('button', { name: 'Change password' }).click();
    await change.getByText('Password changed.', { exact: false }).waitFor();
    await shot(ian, 'installer-password-390');
    await ian.context().close();
    const again = await newPage(browser, server.url);
    await signIn(again, { name: 'ian', password: 'installer-pass-2' });
    await again.getByText('ian · installer').waitFor();
    await again.context().close();
  });

  it('an admin resets an operator’s password; sign-ins are in the audit log under one picked action', async () => {
    await admin.keyboard.press('Alt+9');
    const reset = admin.getByRole('form', { name: 'Reset a password' });
    await reset.getByLabel('Operator to reset').selectOption('fiona');
    await reset.getByLabel('New password for the operator').fill('factory-pass-02');
    await reset.getByRole('button', { name: 'Set password' }).click();
    await admin.getByText('Operator fiona updated.').waitFor();
    const fiona = await newPage(browser, server.url);
    await signIn(fiona, { name: 'fiona', password: 'factory-pass-02' });
    await fiona.getByRole('heading', { name: 'Factory line', exact: true }).waitFor();
    await fiona.context().close();

    await admin.keyboard.press('Alt+8');
    await admin.getByLabel('Filter by action').selectOption('operator.login');
    const table = admin.getByRole('table', { name: 'Audit entries' });
    await table.getByText('operator.login', { exact: true }).first().waitFor();
    const actions = new Set(await table.locator('tbody tr td:nth-child(3)').allTextContents());
    expect([...actions].every((a) => a.startsWith('operator.login'))).toBe(true);
    await shot(admin, 'audit-sign-ins');
  });

  it('says plainly what locking the HSM stops, shows it on the dashboard, and where the passphrase is', async () => {
    await admin.keyboard.press('Alt+9');
    const card = admin.getByLabel('HSM', { exact: true });
    await card
      .getByTestId('lock-warning')
      .getByText(/stops CUPS for the whole fleet/)
      .waitFor();
    await card.getByRole('button', { name: 'Lock HSM' }).click();
    await card.getByText('HSM locked: the root keys left memory.').waitFor();
    const source = await card.getByTestId('passphrase-source').textContent();
    expect(source).toContain(join(dir, 'data', 'hsm-passphrase'));
    expect(source).toContain('$GWJS_HSM_PASSPHRASE');
    await shot(admin, 'settings-hsm-locked');
    await admin.keyboard.press('Alt+1');
    const banner = admin.locator('.hsm-banner[role="alert"]');
    await banner.getByText(/CUPS is stopped for the whole fleet/).waitFor();
    expect(await banner.textContent()).toContain('503');
    await shot(admin, 'dashboard-hsm-locked');
    await admin.keyboard.press('Alt+9');
    await card.getByLabel('Passphrase').fill(PASSPHRASE);
    await card.getByRole('button', { name: 'Unlock' }).click();
    await card.getByText(/^HSM unlocked/).waitFor();
    await admin.keyboard.press('Alt+1');
    await admin.getByRole('heading', { name: 'Dashboard' }).waitFor();
    await admin.locator('.hsm-banner').waitFor({ state: 'detached', timeout: 20_000 });
  });

  it('the scanner types into the line from page load; a loopback CUPS URI is warned of; a reprint asks why', async () => {
    const printer = await startPrinterSim();
    try {
      const saved = await bridge(admin, 'factory:saveLineSettings', {
        outDir: join(dir, 'bundles'),
        printer: { kind: 'tcp9100', host: '127.0.0.1', port: printer.port },
      });
      expect(saved.ok).toBe(true);
      const line = await newPage(browser, server.url);
      await signIn(line, { name: 'fiona', password: 'factory-pass-02' });
      await line.getByRole('heading', { name: 'Factory line', exact: true }).waitFor();
      await line.locator('#line-input:not([disabled])').waitFor();
      // no click: a keyboard-wedge scanner types into whatever has the focus
      await line.keyboard.type('58:A0:CB:80:03:00', { delay: 2 });
      await line.keyboard.press('Enter');
      await line
        .locator('.line-banner[data-flash="info"]', { hasText: 'Personalized 58a0:cbff:fe80:300' })
        .waitFor();
      await line.getByText(/only this machine\s+reaches/).waitFor();
      await printer.waitForJobs(1);
      // a scan typed while a button has the focus still lands in the scan field
      await line.getByRole('button', { name: 'Print again' }).focus();
      await line.keyboard.type('x');
      expect(await line.locator('#line-input').inputValue()).toBe('x');
      await line.locator('#line-input').fill('');
      await line.getByRole('button', { name: 'Print again' }).click();
      const why = line.getByLabel('Why print this label again? (audited)');
      await why.waitFor();
      await shot(line, 'line-reprint-reason');
      expect(printer.jobs).toHaveLength(1); // nothing printed before the reason
      await why.fill('label smudged');
      await why.press('Enter');
      await printer.waitForJobs(2);
      // the label goes to the printer before the unit's step (and its audit entry) commits
      await expect
        .poll(async () => {
          const audit = (await bridge(admin, 'audit:list', {
            action: 'factory.label.reprint',
            limit: 5,
          })) as {
            value: { detail: { reason?: string } }[];
          };
          return audit.value[0]?.detail.reason;
        })
        .toBe('label smudged');
      await line.context().close();
    } finally {
      await printer.close();
    }
  });

  it('ran without page errors', () => {
    expect(pageProblems).toEqual([]);
  });
});
