/**
 * The station UI on a phone (390×844, touch) and a tablet (768×1024) in real Chromium against a
 * real `gwjs serve`: every screen an admin can open fits the width (no sideways page scroll: the
 * document and the scrolling main area are no wider than the window), the navigation folds into a
 * menu button, controls are touch-sized, and the gateway detail opens over the list. Screenshots at
 * 1280 and 390 px go to test/artifacts/screenshots/.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir } from '../helpers/tmp-dir';
import {
  BRK,
  buildRenderer,
  cupsUpdateInfo,
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
import { bridge, firstRun, screenshotFailures, sidewaysOverflow, signIn } from './ui-helpers';

const ADMIN = { name: 'admin', password: 'admin-password-1' };
const PHONE = { width: 390, height: 844, touch: true };
const TABLET = { width: 768, height: 1024, touch: true };
/** Screens an admin sees, by URL hash, and the heading each one shows. */
const SCREENS: readonly [string, string][] = [
  ['dashboard', 'Dashboard'],
  ['gateways', 'Gateways'],
  ['claim', 'Claim gateways'],
  ['setup', 'Set up gateways'],
  ['delete', 'Delete / transfer'],
  ['identity', 'Identity checker'],
  ['owners', 'Owners & API keys'],
  ['audit', 'Audit log'],
  ['sync', 'Sync'],
  ['settings', 'Settings'],
  ['batches', 'Batches'],
  ['line', 'Factory line'],
];

let dir: string;
let server: Server;
let browser: Browser;
let desk: Page;

async function open(page: Page, id: string, heading: string): Promise<void> {
  await page.evaluate((h) => (location.hash = `#/${h}`), id);
  await page.getByRole('heading', { name: heading, exact: true }).waitFor();
  await page.waitForTimeout(150); // lists arrive after the heading
}

beforeAll(async () => {
  dir = makeTempDir('e2e-responsive', { until: 'exit' });
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
  await gwjs(['owner', 'create', '--data', data, '--id', '1::1', '--name', 'Acme Roofing and Towers Ltd']);
  server = await startServer(data, renderer);
  browser = await launchBrowser(video);
}, 180_000);

screenshotFailures('responsive', () => desk);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('station UI on a phone and a tablet', () => {
  it('first run at 1280 px, then some gateways with a contact to show', async () => {
    desk = await newPage(browser, server.url);
    await firstRun(desk, server.setupPassword!, ADMIN);
    const eui = (i: number) => (0x58a0cbfffe800100n + BigInt(i)).toString(16).toUpperCase();
    const items = Array.from({ length: 6 }, (_, i) => ({ gateway: eui(i), claim: pinOf(eui(i)) }));
    expect((await bridge(desk, 'gateways:claim', { ownerId: '1::1', items })).ok).toBe(true);
    // not set up yet: CUPS answers 404, and the contact is on the dashboard all the same
    expect(
      await cupsUpdateInfo(server.url, readFileSync(server.caCert, 'utf8'), eui(0), '58a0:cbff:fe80:100'),
    ).toBe(404);
    await desk.getByLabel('Owner', { exact: true }).selectOption('1::1');
    await open(desk, 'dashboard', 'Dashboard');
    await desk.getByRole('table', { name: 'CUPS contacts' }).getByText('58a0:cbff:fe80:100').waitFor();
    await shot(desk, 'responsive-dashboard-1280');
  });

  for (const [name, viewport] of [
    ['phone', PHONE],
    ['tablet', TABLET],
  ] as const) {
    it(`no screen scrolls sideways on a ${name} (${viewport.width} px)`, async () => {
      const page = await newPage(browser, server.url, viewport);
      await signIn(page, ADMIN);
      await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
      const wide: string[] = [];
      for (const [id, heading] of SCREENS) {
        await open(page, id, heading);
        const o = await sidewaysOverflow(page);
        if (o.page > 0 || o.main > 0)
          wide.push(`${id}: page +${o.page} px, main +${o.main} px (${o.widest})`);
        await shot(page, `responsive-${id}-${viewport.width}`);
      }
      expect(wide).toEqual([]);
      await page.context().close();
    });
  }

  it('on a phone the navigation is a menu, controls are touch-sized and the gateway detail covers the list', async () => {
    const page = await newPage(browser, server.url, PHONE);
    await signIn(page, ADMIN);
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    const nav = page.getByRole('navigation', { name: 'Screens' });
    expect(await nav.isVisible()).toBe(false);
    const menu = page.getByRole('button', { name: 'Menu' });
    expect(await menu.getAttribute('aria-expanded')).toBe('false');
    await menu.click();
    await nav.getByRole('button', { name: /Gateways/ }).waitFor();
    await page.waitForTimeout(300); // the drawer slides in
    await shot(page, 'responsive-menu-390');
    const sizes = await nav
      .locator('li button')
      .evaluateAll((els) => els.map((e) => Math.round(e.getBoundingClientRect().height)));
    expect(Math.min(...sizes)).toBeGreaterThanOrEqual(44);
    await nav.getByRole('button', { name: /Gateways/ }).click();
    await nav.waitFor({ state: 'hidden' }); // choosing a screen folds the menu again
    await page.getByRole('heading', { name: 'Gateways', exact: true }).waitFor();
    const search = await page.getByLabel('Search gateways').boundingBox();
    expect(search!.height).toBeGreaterThanOrEqual(44);
    await page.getByText(/^6 gateways/).waitFor();
    await page.locator('[aria-rowindex="2"]').click();
    const panel = page.getByRole('complementary', { name: /Gateway 58a0:cbff:fe80:100/ });
    await panel.getByText('Last contact', { exact: true }).waitFor();
    const box = await panel.boundingBox();
    expect(box!.x).toBeGreaterThanOrEqual(0);
    expect(box!.x + box!.width).toBeLessThanOrEqual(PHONE.width + 0.5);
    expect((await sidewaysOverflow(page)).page).toBe(0);
    await shot(page, 'responsive-gateway-detail-390');
    await page.keyboard.press('Escape');
    await panel.waitFor({ state: 'detached' });
    await page.context().close();
  });

  it('ran without page errors', () => {
    expect(pageProblems).toEqual([]);
  });
});
