import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerIpc, type InvokeEventLike, type IpcMainPort } from '../../src-main/app/ipc';
import { DESKTOP_CALLER } from '../../src-main/bridge/caller';
import { createStationUi, type StationUi } from '../../src-main/compose/station-ui';
import { CHANNELS, CHANNEL_NAMES, IPC_INVOKE, type Channel, type RequestOf } from '../../src-shared/ipc';
import { generateKeyPairSync } from 'node:crypto';
import { createCoreFixture, KDF_VECTORS, SERVER_CUPS_URI, type CoreFixture } from '../helpers/core-fixture';
import { makeTempDir } from '../helpers/tmp-dir';

/** Electron's ipcMain, replaced at the edge by a recorder of the registered handler. */
function fakeIpcMain() {
  const handlers = new Map<string, (event: InvokeEventLike, ...args: unknown[]) => Promise<unknown>>();
  const port: IpcMainPort = {
    handle: (channel, listener) => {
      if (handlers.has(channel)) throw new Error(`second handler for ${channel}`);
      handlers.set(channel, listener);
    },
    removeHandler: (channel) => void handlers.delete(channel),
  };
  return { port, handlers };
}

const fromApp: InvokeEventLike = { senderFrame: { url: 'app://station/' } };

describe('IPC door (ipcMain handler)', () => {
  let fx: CoreFixture;
  let ui: StationUi;
  const ipc = fakeIpcMain();
  let invoke: (event: InvokeEventLike, channel: unknown, request: unknown) => Promise<unknown>;

  beforeAll(async () => {
    fx = await createCoreFixture();
    ui = createStationUi({
      core: fx.core,
      store: fx.store,
      hsm: fx.hsm,
      ceremony: fx.core.ceremony,
      tls: { fingerprint256: 'AA:BB', caFingerprint256: 'CC:DD' },
    });
    registerIpc(ipc.port, { handlers: ui.handlers, caller: DESKTOP_CALLER });
    const handler = ipc.handlers.get(IPC_INVOKE)!;
    invoke = (event, channel, request) => handler(event, channel, request);
  });
  afterAll(async () => {
    await ui.factory.close();
    await fx.close();
  });

  it('registers one handler for every channel', () => {
    expect([...ipc.handlers.keys()]).toEqual([IPC_INVOKE]);
  });

  it('calls the core and answers with the envelope', async () => {
    const answer = await invoke(fromApp, 'gateways:claim', {
      ownerId: fx.ownerA.id6,
      items: [
        { gateway: KDF_VECTORS.gw1.eui, claim: KDF_VECTORS.gw1.pin },
        { gateway: 'not-an-id', claim: 'AAAA-AAAA' },
      ],
    });
    expect(answer).toEqual({
      ok: true,
      value: [
        { gateway: KDF_VECTORS.gw1.id6 },
        expect.objectContaining({ gateway: 'not-an-id', code: 'invalid_id' }),
      ],
    });
    const page = await invoke(fromApp, 'gateways:query', { ownerId: fx.ownerA.id6, offset: 0, limit: 10 });
    expect(page).toMatchObject({ ok: true, value: { total: 1, rows: [{ gateway: KDF_VECTORS.gw1.id6 }] } });
  });

  it('refuses calls from any frame but the app page', async () => {
    for (const event of [{ senderFrame: { url: 'https://evil.example/' } }, { senderFrame: null }, {}]) {
      await expect(invoke(event, 'station:status', {})).resolves.toMatchObject({
        ok: false,
        error: { code: 'forbidden' },
      });
    }
  });

  it('refuses unknown channels and malformed requests, and maps domain errors', async () => {
    await expect(invoke(fromApp, 'shell:exec', {})).resolves.toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
    const bad = (await invoke(fromApp, 'gateways:claim', { ownerId: 'a::1', items: 'x' })) as {
      ok: false;
      error: { code: string; message: string };
    };
    expect(bad.error.code).toBe('invalid_request');
    expect(bad.error.message).toBe('gateways:claim: items: Invalid input: expected array, received string');
    await expect(invoke(fromApp, 'owners:create', { id: fx.ownerA.id6 })).resolves.toMatchObject({
      ok: false,
      error: { code: 'already_exists' },
    });
  });

  it('answers every channel in the shape its response schema promises', async () => {
    const key = await fx.core.access.createApiKey(fx.admin, fx.ownerB.id6, ['read']);
    const template = ui.services.templates.save(fx.admin, { ownerId: 'b::2', name: 'tpl', fields: {} });
    // factory line (docs/factory-line.md): line settings, bundle settings and one job to act on
    const outDir = makeTempDir('ipc-factory');
    await ui.factory.settings.save(fx.admin, { outDir, printer: { kind: 'none' } });
    const bundleSettings = { cupsUri: SERVER_CUPS_URI, trustPem: fx.pki.caPem };
    await ui.factory.batches.configure(fx.admin, { batchId: fx.batch.id, ...bundleSettings });
    const job = await ui.factory.jobs.create(fx.admin, { batchId: fx.batch.id, count: 2 });
    const unit = '00-00-00-FF-FE-00-01-00';
    const ownerPublicKey = generateKeyPairSync('ec', { namedCurve: 'P-256' })
      .publicKey.export({ type: 'spki', format: 'pem' })
      .toString();
    // the ceremony round trip on one station: its own batch comes back as an overlapping range
    const transport = await fx.core.ceremony.createTransportKey(fx.admin);
    const wrapped = await fx.core.ceremony.exportBatch(fx.admin, fx.batch.id, transport.text);
    /** channels this fixture answers with a known refusal (no switchable backend; range taken) */
    const refused: Partial<Record<Channel, string>> = {
      'session:changePassword': 'invalid_request',
      'hsm:tokens': 'not_configured',
      'hsm:use': 'not_configured',
      'ceremony:import': 'batch_conflict',
    };
    // sync (docs/sync.md "Screens"): a link (this process has no HTTPS client for it, so a round
    // answers its error) and one rejected operation of the linked owner to show and resolve
    const link = {
      url: 'https://127.0.0.1:1',
      caPem: fx.pki.caPem,
      ownerId: fx.ownerA.id6,
      apiKey: 'gwjs_ipc',
    };
    await fx.core.sync.link(fx.admin, link);
    await fx.core.owner.add(fx.admin, fx.ownerA.id6, [
      { gateway: 'b827:ebff:fe00:0001', flavorid: 'x', token: 't' },
    ]);
    const [queued] = await fx.core.sync.entries({ states: ['pending'] });
    await fx.store.transaction((tx) =>
      tx.run("UPDATE sync_outbox SET state = 'rejected' WHERE seq = ?", [queued!.seq]),
    );
    const samples: { [C in Channel]: RequestOf<C> } = {
      'session:whoami': {},
      'session:changePassword': { current: 'not-an-operator', password: 'a-new-password-1' },
      'station:status': {},
      'station:activity': {},
      'gateways:query': { offset: 0, limit: 5, search: '00-00-00', state: 'any' },
      'gateways:info': { ownerId: 'a::1', gateways: [KDF_VECTORS.gw1.id6] },
      'gateways:claim': {
        ownerId: 'b::2',
        items: [{ gateway: KDF_VECTORS.gw2.id6, claim: KDF_VECTORS.gw2.pin }],
      },
      'gateways:setup': {
        ownerId: 'b::2',
        templateId: (await template).id,
        common: { lnsUri: 'ws://lns.example.com:1700' },
        items: [{ gateway: KDF_VECTORS.gw2.id6 }],
      },
      'gateways:delete': { ownerId: 'b::2', gateways: ['::1'] },
      'gateways:transfer': {
        ownerId: 'b::2',
        gateway: KDF_VECTORS.gw2.id6,
        to: 'a::1',
        claim: KDF_VECTORS.gw2.pin,
      },
      'gateways:add': {
        ownerId: 'b::2',
        items: [{ gateway: 'b827:ebff:fe12:3456', flavorid: 'x', token: 'tok' }],
      },
      'templates:list': { ownerId: 'b::2' },
      'templates:save': { ownerId: 'b::2', name: 'other', fields: { cupsUri: null } },
      'templates:delete': { ownerId: 'b::2', id: (await template).id },
      'setup:checkReachability': { uri: 'https://127.0.0.1:1', timeoutMs: 500 },
      'owners:list': {},
      'owners:create': { id: 'c::3', name: 'Carol' },
      'apiKeys:list': {},
      'apiKeys:create': { ownerId: 'c::3', scopes: ['read'] },
      'apiKeys:revoke': { id: key.summary.id },
      'batches:list': {},
      'batches:create': { first: 'ff00::', last: 'ff00::ff' },
      'audit:list': { limit: 5 },
      'hsm:unlock': { passphrase: 'test passphrase' },
      'hsm:lock': {},
      'hsm:state': {},
      'hsm:backend': {},
      'hsm:tokens': { module: '/usr/lib/softhsm/libsofthsm2.so' },
      'hsm:use': { backend: 'software', passphrase: 'test passphrase' },
      'hsm:keys': {},
      'ceremony:batches': {},
      'ceremony:transportKey': { label: 'ipc test' },
      'ceremony:export': { batchId: fx.batch.id, transport: transport.text },
      'ceremony:import': { wrapped: wrapped.text },
      'ceremony:transcript': { batchId: fx.batch.id, format: 'pdf' },
      'operators:list': {},
      'operators:create': { name: 'ina', role: 'installer', password: 'installer-pass-1', ownerId: 'a::1' },
      'operators:update': { name: 'ina', disabled: true },
      'factory:batches': {},
      'factory:createBatch': { first: 'fe00::', last: 'fe00::ff', model: 'M1', ...bundleSettings },
      'factory:configureBatch': { batchId: fx.batch.id, model: 'M2' },
      'factory:lineSettings': {},
      'factory:saveLineSettings': { outDir, printer: { kind: 'none' } },
      'factory:labelTemplates': {},
      'factory:scan': { batchId: fx.batch.id, input: unit },
      'factory:print': { gateway: unit },
      'factory:verify': { gateway: unit, scanned: 'GWJS:1:000000FFFE000100:AAAAAAAA' },
      'factory:linePosition': {},
      'factory:leaveUnit': { gateway: unit },
      'factory:history': { batchId: fx.batch.id },
      'factory:unit': { gateway: unit },
      'factory:startJob': { batchId: fx.batch.id, first: '00-00-00-FF-FE-00-02-00', count: 1 },
      'factory:jobs': {},
      'factory:cancelJob': { id: job.id },
      'factory:resumeJob': { id: job.id },
      'factory:exportManifest': { batchId: fx.batch.id, gateways: [unit], format: 'csv', ownerPublicKey },
      'sync:status': {},
      'sync:link': link,
      'sync:now': {},
      'sync:outbox': { states: ['rejected'] },
      'sync:versions': { seq: queued!.seq },
      'sync:resolve': { seq: queued!.seq, action: 'drop' },
      'sync:sitePack': {},
      'sync:sitePackChoose': { gateways: null },
      'sync:claims': {},
      'station:lanDoor': {},
      'station:setLanDoor': { address: null },
      'network:get': {},
      'network:save': { host: '127.0.0.1', publicHosts: ['localhost'], cupsUri: null },
      'sync:unlink': {},
    };
    expect(Object.keys(samples).sort()).toEqual([...CHANNEL_NAMES].sort());
    // lock, then unlock again before anything that needs the root keys
    const order: Channel[] = [
      'hsm:lock',
      'hsm:unlock',
      ...CHANNEL_NAMES.filter((c) => c !== 'hsm:lock' && c !== 'hsm:unlock'),
    ];
    for (const channel of order) {
      const answer = (await invoke(fromApp, channel, samples[channel])) as { ok: boolean; value?: unknown };
      const refusal = refused[channel];
      if (refusal !== undefined) {
        // e.g. the desktop user has no operator account, so no password to change
        expect({ channel, answer }).toMatchObject({
          channel,
          answer: { ok: false, error: { code: refusal } },
        });
        continue;
      }
      if (channel === 'network:get' || channel === 'network:save') {
        // this test wires no network control (the Network card's e2e test runs the real one)
        expect(answer).toMatchObject({ ok: false, error: { code: 'not_configured' } });
        continue;
      }
      if (channel === 'sync:sitePackChoose') {
        // fetching the pack needs the remote, and this process has no HTTPS client for it
        expect(answer).toMatchObject({ ok: false, error: { code: 'not_configured' } });
        continue;
      }
      expect({ channel, answer }).toMatchObject({ channel, answer: { ok: true } });
      const parsed = CHANNELS[channel].response.safeParse(answer.value);
      expect({ channel, issues: parsed.error?.issues ?? [] }).toEqual({ channel, issues: [] });
    }
  });

  it('unregisters', () => {
    const local = fakeIpcMain();
    const off = registerIpc(local.port, { handlers: ui.handlers, caller: DESKTOP_CALLER });
    off();
    expect(local.handlers.size).toBe(0);
  });
});
