/**
 * The Sync screen in real Chromium (docs/sync.md "Screens", docs/station-ui.md "Sync"): two real
 * `gwjs serve` instances on 127.0.0.1, each with its own data directory — a station (a twin of the
 * remote's batch) and its remote — with a TLS fault proxy between them whose `down` switch cuts the
 * link. The admin links the station in the UI (a wrong CA fingerprint is refused first), queues
 * operations while the link is cut and sees them pending, brings the link back and sees them sent;
 * a claim of a gateway the remote gave another owner, a setup overtaken by a remote setup and an add
 * the remote refuses come back as conflicts and a rejection, shown side by side and resolved by
 * re-apply, adopt and drop — each checked in both backends and in the audit log. Screenshots at
 * 1280 and 390 px go to docs/screenshots/.
 */
import { request } from 'node:https';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatId6, parseIdField } from '../../src-shared/ids';
import { freePort } from '../../src-main/cli/free-port';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy';
import { makeTempDir } from '../helpers/tmp-dir';
import { spawnServe } from '../helpers/serve-process';
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
  shot,
  startServer,
  writeQrVideo,
  type Server,
} from './harness';
import { bridge, firstRun, screenshotFailures, sidewaysOverflow, signIn } from './ui-helpers';

const ADMIN = { name: 'admin', password: 'admin-password-1' };
const PHONE = { width: 390, height: 844, touch: true };
const OWNER = '1::1';
const OTHER = '2::2';
const LNS = 'ws://lns.site.example:1887';
const REMOTE_LNS = 'ws://lns.remote.example:1887';
/** Gateways of the batch both sides hold (58a0:cbff:fe80:100 …). */
const hex = (i: number): string => (0x58a0cbfffe800100n + BigInt(i)).toString(16).toUpperCase();
const id6 = (i: number): string => `58a0:cbff:fe80:${(0x100 + i).toString(16)}`;
/** An id inside a batch only the remote has: the station adds it, the remote refuses. */
const REMOTE_ONLY = '0000:00ff:fe00:0042';
const REMOTE_ONLY_ID6 = formatId6(parseIdField(REMOTE_ONLY, 'gateway'));
const ADD_TOKEN = 'site-added-token-0123456789';

let dir: string;
let remote: Server;
let station: Server;
let proxy: FaultProxy;
let browser: Browser;
let desk: Page;
let remoteCa: string;
let remoteFingerprint: string;
let keys: Record<string, string>;

/** POST to the remote's Owner API directly (someone else working on the remote). */
function remoteApi(op: string, ownerId: string, body: object): Promise<{ status: number; json: unknown }> {
  const data = JSON.stringify({ ownerid: ownerId, ...body });
  return new Promise((resolve, reject) => {
    const req = request(
      new URL(`/api/v1/gateway/${op}`, remote.url),
      {
        method: 'POST',
        ca: remoteCa,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(data),
          authorization: `Bearer ${keys[ownerId]}`,
        },
      },
      (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) as unknown }));
      },
    );
    req.on('error', reject);
    req.end(data);
  });
}

/** The station's outbox of one state, through the bridge (what the backend holds). */
async function outbox(
  state: string,
): Promise<{ seq: number; operation: string; items: { gateway: string }[] }[]> {
  const r = await bridge(desk, 'sync:outbox', { states: [state] });
  expect(r.ok).toBe(true);
  return (r.value as { entries: { seq: number; operation: string; items: { gateway: string }[] }[] }).entries;
}

async function openSync(page: Page): Promise<void> {
  await page.evaluate(() => (location.hash = '#/sync'));
  await page.getByRole('heading', { name: 'Sync', exact: true }).waitFor();
}

async function tab(page: Page, state: string): Promise<void> {
  await page.getByRole('tab', { name: new RegExp(`^${state} \\(`, 'i') }).click();
  // the tab's first page has arrived
  await page.locator(`table[aria-label="Outbox: ${state}"][aria-busy="false"]`).waitFor();
}

/** The outbox rows on show, as `operation gateway` strings. */
async function rows(page: Page, state: string): Promise<string[]> {
  await tab(page, state);
  const table = page.getByRole('table', { name: `Outbox: ${state}` });
  return table.locator('tbody tr[data-seq]').evaluateAll((trs) =>
    trs.map((tr) => {
      const cell = (label: string) =>
        tr.querySelector(`td[data-label="${label}"]`)?.textContent?.trim() ?? '';
      return `${cell('Operation')} ${cell('Gateway')}`;
    }),
  );
}

/** Saves a screenshot for the docs (and the usual artifact). */
async function docShot(page: Page, name: string): Promise<void> {
  const file = await shot(page, name);
  copyFileSync(file, join(ROOT, 'docs/screenshots', `${name}.png`));
}

/** Clicks "Sync now" and waits for the round's answer. */
async function syncNow(page: Page): Promise<void> {
  await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('/bridge/sync%3Anow')),
    page.getByRole('button', { name: 'Sync now' }).click(),
  ]);
  await page.getByRole('button', { name: 'Sync now' }).waitFor();
}

/** Opens an operation's conflict view from its outbox row, by gateway. */
async function openOperation(page: Page, state: string, gateway: string): Promise<void> {
  await tab(page, state);
  const row = page
    .getByRole('table', { name: `Outbox: ${state}` })
    .locator('tbody tr[data-seq]')
    .filter({ hasText: gateway });
  await row.getByRole('button', { name: /^Open operation/ }).click();
  await page.getByRole('heading', { name: /^Operation \d+:/ }).waitFor();
}

/** Chooses an action in the open conflict view and confirms it in its dialog. */
async function resolveBy(
  page: Page,
  title: string,
  fill?: (dialog: ReturnType<Page['getByRole']>) => Promise<void>,
): Promise<void> {
  await page.getByRole('button', { name: `${title}…` }).click();
  const dialog = page.getByRole('dialog', { name: `${title}?` });
  await dialog.waitFor();
  if (fill) await fill(dialog);
  await dialog.getByRole('button', { name: title, exact: true }).click();
  await dialog.waitFor({ state: 'detached' });
  await page
    .getByRole('status')
    .filter({ hasText: /^Operation \d+ / })
    .waitFor();
}

beforeAll(async () => {
  dir = makeTempDir('e2e-sync', { until: 'exit' });
  const renderer = join(dir, 'renderer');
  const video = join(dir, 'none.y4m');
  await Promise.all([buildRenderer(renderer), writeQrVideo(video, 'no camera used here')]);
  const brk = join(dir, 'brk.bin');
  writeFileSync(brk, BRK);
  const batch = (data: string, first: string, last: string) =>
    gwjs(['batch', 'import', '--data', data, '--first', first, '--last', last, '--root-key-file', brk]);

  // the remote: the batch, a second batch the station does not know, owners 1::1 and 2::2
  const remoteData = join(dir, 'remote');
  const init = await gwjs(['init', '--data', remoteData, '--public-host', '127.0.0.1']);
  remoteFingerprint = init.caFingerprint256 as string;
  remoteCa = readFileSync(init.caCert as string, 'utf8');
  await batch(remoteData, '58-A0-CB-FF-FE-80-00-00', '58-A0-CB-FF-FE-80-FF-FF');
  await batch(remoteData, '00-00-00-FF-FE-00-00-00', '00-00-00-FF-FE-00-FF-FF');
  keys = {};
  for (const [id, name] of [
    [OWNER, 'Acme'],
    [OTHER, 'Other Corp'],
  ] as const) {
    keys[id] = (await gwjs(['owner', 'create', '--data', remoteData, '--id', id, '--name', name]))
      .apiKey as string;
  }
  // the station: a twin of the batch, owner 1::1
  const stationData = join(dir, 'station');
  await gwjs(['init', '--data', stationData]);
  await batch(stationData, '58-A0-CB-FF-FE-80-00-00', '58-A0-CB-FF-FE-80-FF-FF');
  await gwjs(['owner', 'create', '--data', stationData, '--id', OWNER, '--name', 'Acme']);

  remote = await startServer(remoteData, renderer);
  station = await startServer(stationData, renderer);
  proxy = await startFaultProxy({
    targetPort: Number(new URL(remote.url).port),
    certPem: readFileSync(join(remoteData, 'tls/server.pem'), 'utf8'),
    keyPem: readFileSync(join(remoteData, 'tls/server.key'), 'utf8'),
    caPem: remoteCa,
  });
  proxy.schedule = () => ({ kind: 'none' });
  browser = await launchBrowser(video);
}, 240_000);

screenshotFailures('sync', () => desk);

afterAll(async () => {
  await browser?.close();
  await proxy?.close();
  await station?.stop();
  await remote?.stop();
});

describe('Sync screens in Chromium, station and remote', () => {
  it('links the station in the UI: a wrong CA fingerprint is refused, the API key never comes back', async () => {
    desk = await newPage(browser, station.url);
    await firstRun(desk, station.setupPassword!, ADMIN);
    await desk.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name: /^Sync/ }).click();
    await desk.getByRole('heading', { name: 'Sync', exact: true }).waitFor();
    await desk.getByText('This station is not linked to a remote join server').waitFor();

    const form = desk.getByRole('form', { name: 'Link settings' });
    await form.getByLabel('Remote URL').fill(proxy.url);
    await form.getByLabel('Owner of the link').selectOption(OWNER);
    await form.getByLabel('CA certificate file').setInputFiles(join(dir, 'remote/tls/ca.pem'));
    await expect
      .poll(() => form.getByLabel('Remote CA certificate').inputValue())
      .toContain('BEGIN CERTIFICATE');
    await form.getByLabel('CA fingerprint (SHA-256)').fill('AB:'.repeat(31) + 'AB');
    await form.getByLabel('API key').fill(keys[OWNER]!);
    await form.getByRole('button', { name: 'Link' }).click();
    await desk.getByRole('alert').filter({ hasText: 'caFingerprint' }).waitFor();
    expect((await bridge(desk, 'sync:status', {})).value).toMatchObject({ linked: false });

    await form.getByLabel('CA fingerprint (SHA-256)').fill(remoteFingerprint);
    await form.getByRole('button', { name: 'Link' }).click();
    await desk
      .getByText(/^Linked to https:\/\/127\.0\.0\.1:\d+\. The API key is sealed in the HSM\.$/)
      .waitFor();
    const status = desk.getByLabel('Link status');
    expect(await status.getByTestId('sync-url').textContent()).toBe(proxy.url);
    expect(await status.getByTestId('sync-ca').textContent()).toBe(remoteFingerprint);
    // the form folds once linked; opened again, it has forgotten the key, and no answer carries it
    await desk.getByText('Link settings', { exact: true }).click();
    expect(await desk.getByRole('form', { name: 'Link settings' }).getByLabel('API key').inputValue()).toBe(
      '',
    );
    const s = await bridge(desk, 'sync:status', {});
    expect(s.value).toMatchObject({ linked: true, url: proxy.url, ownerId: OWNER, looping: true });
    expect(JSON.stringify(s)).not.toContain(keys[OWNER]!);
    expect(JSON.stringify(await desk.content())).not.toContain(keys[OWNER]!);
    await desk.getByText('Link settings', { exact: true }).click(); // folded again
  });

  it('queues operations while the link is cut, shows them pending, and sent once it is back', async () => {
    // before the cut: gateway 2 claimed and pushed; gateway 1 goes to another owner on the remote
    expect(
      (
        await bridge(desk, 'gateways:claim', {
          ownerId: OWNER,
          items: [{ gateway: hex(2), claim: pinOf(hex(2)) }],
        })
      ).ok,
    ).toBe(true);
    await syncNow(desk);
    await desk.getByText('Synced: pulled, pushed and pulled again.').waitFor();
    expect((await outbox('sent')).map((e) => e.operation)).toEqual(['claim']);
    expect((await remoteApi('claim', OTHER, { gateway: hex(1), claim: pinOf(hex(1)) })).status).toBe(200);

    proxy.down = true;
    const ops: [string, object][] = [
      ['gateways:claim', { items: [{ gateway: hex(0), claim: pinOf(hex(0)) }] }],
      ['gateways:setup', { items: [{ gateway: hex(0), lnsUri: LNS }] }],
      ['gateways:claim', { items: [{ gateway: hex(1), claim: pinOf(hex(1)) }] }],
      ['gateways:add', { items: [{ gateway: REMOTE_ONLY, flavorid: 'ttig', token: ADD_TOKEN }] }],
      ['gateways:setup', { items: [{ gateway: hex(2), lnsUri: LNS }] }],
    ];
    for (const [channel, body] of ops) {
      const r = await bridge(desk, channel, { ownerId: OWNER, ...body });
      expect({ channel, r }).toMatchObject({ channel, r: { ok: true } });
      expect((r.value as { code?: string }[]).map((i) => i.code)).toEqual([undefined]);
    }
    await syncNow(desk);
    await desk.getByRole('alert', { name: 'Round stopped' }).waitFor();
    await desk.getByLabel('Link status').getByText('offline').waitFor();
    expect(await desk.getByTestId('sync-last-error').textContent()).toMatch(/pull: /);
    expect(await desk.getByTestId('sync-pending').textContent()).toBe('5');
    expect(await rows(desk, 'pending')).toEqual([
      `claim ${id6(0)}`,
      `setup ${id6(0)}`,
      `claim ${id6(1)}`,
      `add ${REMOTE_ONLY_ID6}`,
      `setup ${id6(2)}`,
    ]);
    // secrets stay in the station: no PIN or token reached the page
    const html = await desk.content();
    for (const secret of [pinOf(hex(0)), pinOf(hex(1)), ADD_TOKEN]) expect(html).not.toContain(secret);
    expect((await outbox('pending')).length).toBe(5);

    // meanwhile someone sets gateway 2 up on the remote directly
    expect((await remoteApi('setup', OWNER, { gateway: hex(2), lnsUri: REMOTE_LNS })).status).toBe(200);
    proxy.down = false;
    await syncNow(desk);
    await desk.getByText('Synced: pulled, pushed and pulled again.').waitFor();
    await desk.getByLabel('Link status').getByText('online').waitFor();
    expect(await rows(desk, 'pending')).toEqual([]);
    expect(await rows(desk, 'sent')).toEqual([`claim ${id6(2)}`, `claim ${id6(0)}`, `setup ${id6(0)}`]);
    expect(await rows(desk, 'conflict')).toEqual([`claim ${id6(1)}`, `setup ${id6(2)}`]);
    expect(await rows(desk, 'rejected')).toEqual([`add ${REMOTE_ONLY_ID6}`]);
    // the rejected one shows the remote's message
    await desk
      .getByRole('table', { name: 'Outbox: rejected' })
      .getByText(/batch_conflict/)
      .waitFor();
    // the remote applied what was sent, and kept its own setup of gateway 2
    const info = await remoteApi('info', OWNER, { gateways: [hex(0), hex(2)] });
    expect(info.json).toMatchObject([
      { gateway: id6(0), info: { setup: { lns: { uri: LNS } } } },
      { gateway: id6(2), info: { setup: { lns: { uri: REMOTE_LNS } } } },
    ]);
    await tab(desk, 'sent');
    await desk.getByRole('heading', { name: 'Outbox' }).scrollIntoViewIfNeeded();
    await docShot(desk, 'sync-outbox-1280');
  });

  it('shows a conflict side by side at 1280 and 390 px, without sideways scrolling on a phone', async () => {
    await openOperation(desk, 'conflict', id6(2));
    const versions = desk.getByRole('table', { name: `Versions of ${id6(2)}` });
    const lns = versions.locator('tr[data-field="lnsUri"]');
    expect(await lns.getAttribute('class')).toBe('differs');
    expect(await lns.locator('[data-side="local"]').textContent()).toBe(LNS);
    expect(await lns.locator('[data-side="remote"]').textContent()).toBe(REMOTE_LNS);
    expect(await versions.locator('tr[data-field="held"]').getAttribute('class')).toBeNull();
    expect(await versions.locator('tr[data-field="origin"]').getAttribute('class')).toBeNull();
    await desk.getByRole('table', { name: 'This station’s operation' }).getByText(LNS).waitFor();
    await docShot(desk, 'sync-conflict-1280');

    const phone = await newPage(browser, station.url, PHONE);
    await signIn(phone, ADMIN);
    await phone.getByRole('heading', { name: 'Dashboard' }).waitFor();
    await openSync(phone);
    await openOperation(phone, 'conflict', id6(2));
    const o = await sidewaysOverflow(phone);
    expect(o, o.widest).toMatchObject({ page: 0, main: 0 });
    // the side-by-side table fits the phone as it is: no scrolling inside it either
    const inner = await phone
      .getByRole('table', { name: `Versions of ${id6(2)}` })
      .evaluate((t) => t.parentElement!.scrollWidth - t.parentElement!.clientWidth);
    expect(inner).toBe(0);
    await phone.getByRole('heading', { name: /^Operation \d+:/ }).scrollIntoViewIfNeeded();
    await docShot(phone, 'sync-conflict-390');
    await phone.getByRole('button', { name: 'Close' }).click();
    await tab(phone, 'conflict');
    // on a phone the outbox rows are cards: the table needs no sideways scroll
    const card = await phone
      .getByRole('table', { name: 'Outbox: conflict' })
      .evaluate((t) => t.parentElement!.scrollWidth - t.parentElement!.clientWidth);
    expect(card).toBe(0);
    expect((await sidewaysOverflow(phone)).page).toBe(0);
    await phone.getByRole('tablist', { name: 'Outbox state' }).scrollIntoViewIfNeeded();
    await docShot(phone, 'sync-outbox-390');
    await phone.context().close();
  });

  it('re-applies the setup (local wins): queued again, sent, and the remote holds the local version', async () => {
    await openOperation(desk, 'conflict', id6(2));
    await resolveBy(desk, 'Re-apply (local wins)');
    expect((await outbox('pending')).map((e) => [e.operation, e.items[0]!.gateway])).toEqual([
      ['setup', id6(2)],
    ]);
    await syncNow(desk);
    await desk.getByText('Synced: pulled, pushed and pulled again.').waitFor();
    expect(await rows(desk, 'conflict')).toEqual([`claim ${id6(1)}`]);
    const info = await remoteApi('info', OWNER, { gateways: [hex(2)] });
    expect(info.json).toMatchObject([{ gateway: id6(2), info: { setup: { lns: { uri: LNS } } } }]);
  });

  it('adopts the remote’s claim: the local claim is undone, nothing is sent', async () => {
    await openOperation(desk, 'conflict', id6(1));
    const held = desk.getByRole('table', { name: `Versions of ${id6(1)}` }).locator('tr[data-field="held"]');
    expect(await held.getAttribute('class')).toBe('differs');
    expect(await held.locator('[data-side="local"]').textContent()).toBe('yes');
    expect(await held.locator('[data-side="remote"]').textContent()).toBe('no — claimed by another owner');
    await desk
      .getByLabel('Remote’s answer')
      .getByText(/claimed by another owner/)
      .waitFor();
    await resolveBy(desk, 'Adopt the remote’s');
    const local = await bridge(desk, 'gateways:info', { ownerId: OWNER, gateways: [hex(1)] });
    expect(local.value).toMatchObject([{ gateway: id6(1), code: 'not_claimed' }]);
    expect((await outbox('adopted')).map((e) => e.operation)).toEqual(['claim']);
    expect(await outbox('pending')).toEqual([]);
    // the remote still gives gateway 1 to the other owner
    expect((await remoteApi('info', OTHER, { gateways: [hex(1)] })).json).toMatchObject([
      { gateway: id6(1), info: { owner: OTHER } },
    ]);
  });

  it('drops the rejected add; every decision is in the audit log under the operator’s name', async () => {
    await openOperation(desk, 'rejected', REMOTE_ONLY_ID6);
    await desk
      .getByLabel('Remote’s answer')
      .getByText(/batch_conflict/)
      .waitFor();
    await resolveBy(desk, 'Drop (discard local)');
    expect(await rows(desk, 'rejected')).toEqual([]);
    expect((await outbox('dropped')).map((e) => e.operation)).toEqual(['add', 'setup']);
    const audit = await bridge(desk, 'audit:list', { action: 'sync.' });
    expect(
      (audit.value as { action: string; target: string; actor: string }[]).map((a) => [
        a.action,
        a.target,
        a.actor,
      ]),
    ).toEqual([
      ['sync.drop', REMOTE_ONLY_ID6, 'operator:admin'],
      ['sync.adopt', id6(1), 'operator:admin'],
      ['sync.reapply', id6(2), 'operator:admin'],
    ]);
  });

  it('picks the site pack (every gateway, then one) and opens the LAN CUPS door that gateways reach', async () => {
    await openSync(desk);
    const pack = desk.getByRole('form', { name: 'Site pack' });
    await pack.getByRole('button', { name: 'Fetch site pack' }).click();
    await desk.getByText(/^Site pack fetched: 2 gateways/).waitFor();
    const all = (await bridge(desk, 'sync:sitePack', {})).value as {
      status: { selection: string[] | null; gateways: number };
      gateways: { gateway: string; configured: boolean }[];
    };
    expect(all.status).toMatchObject({ selection: null, gateways: 2 });
    expect(all.gateways.map((g) => [g.gateway, g.configured])).toEqual([
      [id6(0), true],
      [id6(2), true],
    ]);
    await pack.getByLabel('Only these').check();
    // the candidates are the gateways the owner holds at the remote (the mirror); the pack holds both
    const picker = pack.getByRole('group', { name: 'Gateways to pack' });
    expect(await picker.getByRole('checkbox').count()).toBe(2);
    expect(
      await picker.getByRole('checkbox').evaluateAll((b) => b.map((x) => (x as HTMLInputElement).checked)),
    ).toEqual([false, false]);
    await picker.getByRole('checkbox', { name: new RegExp(`^${id6(2)} `) }).check();
    await pack.getByRole('button', { name: 'Fetch site pack' }).click();
    await desk.getByText(/^Site pack fetched: 1 gateways/).waitFor();
    expect(await pack.getByTestId('pack-count').textContent()).toBe('1');
    const one = (await bridge(desk, 'sync:sitePack', {})).value as { status: { selection: string[] | null } };
    expect(one.status.selection).toEqual([id6(2)]);

    const door = desk.getByRole('form', { name: 'LAN CUPS door' });
    const port = await freePort();
    await door.getByLabel('LAN address').selectOption('127.0.0.1');
    await door.getByLabel('LAN port').fill(String(port));
    await door.getByRole('button', { name: 'Open LAN door' }).click();
    await door.getByTestId('lan-cups-uri').waitFor();
    const uri = `https://127.0.0.1:${port}`;
    expect(await door.getByTestId('lan-cups-uri').textContent()).toBe(uri);
    expect((await bridge(desk, 'station:lanDoor', {})).value).toMatchObject({
      active: { address: '127.0.0.1', port, cupsUri: uri },
    });
    // a gateway reaches CUPS on the door (gateway 0: a twin's batch, set up, token generation 0)
    const stationCa = readFileSync(join(dir, 'station/tls/ca.pem'), 'utf8');
    expect(await cupsUpdateInfo(uri, stationCa, hex(0), id6(0))).toBe(200);
    await desk.getByRole('tab', { name: /^Pending/ }).scrollIntoViewIfNeeded();
    await door.scrollIntoViewIfNeeded();
    await docShot(desk, 'sync-site-1280');
    await door.getByRole('button', { name: 'Close LAN door' }).click();
    await door.getByText(/^Closed:/).waitFor();
    expect((await bridge(desk, 'station:lanDoor', {})).value).toMatchObject({ active: null });
  });

  it('edits the link: same origin keeps the sealed key; another origin only after a confirmation', async () => {
    await openSync(desk);
    await desk.getByText('Link settings', { exact: true }).click();
    const form = desk.getByRole('form', { name: 'Link settings' });
    expect(await form.getByLabel('Remote URL').inputValue()).toBe(proxy.url);
    // same origin: the fingerprint given again, no CA and no key — both kept; a round goes through
    await form.getByLabel('CA fingerprint (SHA-256)').fill(remoteFingerprint);
    await form.getByRole('button', { name: 'Save link' }).click();
    await desk.getByText(`Link saved: ${proxy.url}. The sealed API key is kept.`).waitFor();
    await syncNow(desk);
    await desk.getByText('Synced: pulled, pushed and pulled again.').waitFor();

    // another origin (the remote itself, not the proxy): the station refuses it without a decision
    const refused = await bridge(desk, 'sync:link', { url: remote.url, ownerId: OWNER });
    expect(refused).toMatchObject({ ok: false, error: { code: 'invalid_request' } });
    expect(refused.error!.message).toMatch(/^apiKey: https:\/\/127\.0\.0\.1:\d+ is another host than /);
    // the form asks first; cancelled, nothing changes
    await form.getByLabel('Remote URL').fill(remote.url);
    await form.getByRole('button', { name: 'Save link' }).click();
    const dialog = desk.getByRole('dialog', { name: 'Send the stored API key to another host?' });
    await dialog.waitFor();
    expect(await dialog.textContent()).toContain(new URL(remote.url).origin);
    await docShot(desk, 'sync-link-edit-1280');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });
    expect((await bridge(desk, 'sync:status', {})).value).toMatchObject({ url: proxy.url });
    // confirmed: the key is kept and goes to the new host; the round there succeeds
    await form.getByRole('button', { name: 'Save link' }).click();
    await dialog.getByRole('button', { name: 'Keep the key and save' }).click();
    await desk.getByText(`Link saved: ${remote.url}. The sealed API key is kept.`).waitFor();
    expect(await desk.getByLabel('Link status').getByTestId('sync-url').textContent()).toBe(remote.url);
    await syncNow(desk);
    await desk.getByText('Synced: pulled, pushed and pulled again.').waitFor();
    const s = await bridge(desk, 'sync:status', {});
    expect(s.value).toMatchObject({ linked: true, url: remote.url, online: true });
    expect(JSON.stringify(await desk.content())).not.toContain(keys[OWNER]!);
  });

  it('keeps the LAN door across real restarts of gwjs serve; a saved address gone from the machine is shown, not fatal', async () => {
    const stationData = join(dir, 'station');
    await openSync(desk);
    const door = desk.getByRole('form', { name: 'LAN CUPS door' });
    const port = await freePort();
    await door.getByLabel('LAN address').selectOption('127.0.0.1');
    await door.getByLabel('LAN port').fill(String(port));
    await door.getByRole('button', { name: 'Open LAN door' }).click();
    await door.getByTestId('lan-cups-uri').waitFor();
    expect(await door.getByTestId('lan-saved').textContent()).toBe(
      `Kept for the next start: open — 127.0.0.1:${port}`,
    );
    const settingsFile = join(stationData, 'station.json');
    const settings = () => JSON.parse(readFileSync(settingsFile, 'utf8')) as Record<string, unknown>;
    expect(settings().lanDoor).toEqual({ address: '127.0.0.1', port, open: true });

    /** Stops the station process and starts it again (`gwjs serve` without `--lan`), signed in anew. */
    const restart = async () => {
      await desk.context().close();
      await station.stop();
      station = await startServer(stationData, join(dir, 'renderer'));
      desk = await newPage(browser, station.url);
      await signIn(desk, ADMIN);
      await desk.getByRole('heading', { name: 'Dashboard' }).waitFor();
      await openSync(desk);
    };
    await restart();
    const reopened = desk.getByRole('form', { name: 'LAN CUPS door' });
    await reopened.getByTestId('lan-cups-uri').waitFor();
    expect(await reopened.getByTestId('lan-cups-uri').textContent()).toBe(`https://127.0.0.1:${port}`);
    expect(await reopened.getByTestId('lan-opened-by').textContent()).toBe('at start, from the saved choice');
    const stationCa = readFileSync(join(stationData, 'tls/ca.pem'), 'utf8');
    expect(await cupsUpdateInfo(`https://127.0.0.1:${port}`, stationCa, hex(0), id6(0))).toBe(200);

    // the saved address is on no interface of this machine any more: the station starts without it
    writeFileSync(
      settingsFile,
      JSON.stringify({ ...settings(), lanDoor: { address: '192.0.2.55', port, open: true } }),
    );
    await restart();
    expect(station.stderr()).toContain('the saved LAN door 192.0.2.55:');
    expect(station.stderr()).toContain('starting without the LAN door');
    const shown = desk.getByRole('form', { name: 'LAN CUPS door' });
    await shown.getByTestId('lan-start-error').waitFor();
    expect(await shown.getByTestId('lan-start-error').textContent()).toMatch(
      /^Not reopened at start: the saved LAN door 192\.0\.2\.55:\d+ was not opened: "192\.0\.2\.55" is not an IP address of this machine/,
    );
    expect(await shown.getByText(/^Closed:/).count()).toBe(1);
    expect(await cupsUpdateInfo(`https://127.0.0.1:${port}`, stationCa, hex(0), id6(0)).catch(() => 0)).toBe(
      0,
    );
    await shown.scrollIntoViewIfNeeded();
    await docShot(desk, 'sync-lan-start-error-1280');

    // --lan overrides the saved choice for its run and says so; the saved choice stays
    await desk.context().close();
    await station.stop();
    const lanPort = await freePort();
    const flagged = await spawnServe({
      dir: stationData,
      port: await freePort(),
      passphrase: PASSPHRASE,
      args: ['--lan', '127.0.0.1', '--lan-port', String(lanPort)],
    });
    try {
      expect(flagged.listening).toMatchObject({ lan: { address: '127.0.0.1', port: lanPort } });
      await expect
        .poll(() => flagged.stderr())
        .toContain('--lan overrides the saved LAN door choice (open, 192.0.2.55:');
    } finally {
      await flagged.stop();
    }
    expect(settings().lanDoor).toEqual({ address: '192.0.2.55', port, open: true });
    station = await startServer(stationData, join(dir, 'renderer'));
    desk = await newPage(browser, station.url);
    await signIn(desk, ADMIN);
    await desk.getByRole('heading', { name: 'Dashboard' }).waitFor();
  }, 240_000);

  it('ran without page errors', () => {
    expect(pageProblems).toEqual([]);
  });
});
