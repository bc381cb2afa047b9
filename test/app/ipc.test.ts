import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerIpc, type InvokeEventLike, type IpcMainPort } from '../../src-main/app/ipc';
import { DESKTOP_CALLER } from '../../src-main/bridge/caller';
import { createStationUi, type StationUi } from '../../src-main/bridge/station-ui';
import { CHANNELS, CHANNEL_NAMES, IPC_INVOKE, type Channel, type RequestOf } from '../../src-shared/ipc';
import { createCoreFixture, KDF_VECTORS, type CoreFixture } from '../helpers/core-fixture';

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
      tls: { fingerprint256: 'AA:BB', caFingerprint256: 'CC:DD' },
    });
    registerIpc(ipc.port, { handlers: ui.handlers, caller: DESKTOP_CALLER });
    const handler = ipc.handlers.get(IPC_INVOKE)!;
    invoke = (event, channel, request) => handler(event, channel, request);
  });
  afterAll(() => fx.close());

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
    const samples: { [C in Channel]: RequestOf<C> } = {
      'session:whoami': {},
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
      'operators:list': {},
      'operators:create': { name: 'ina', role: 'installer', password: 'installer-pass-1', ownerId: 'a::1' },
      'operators:update': { name: 'ina', disabled: true },
    };
    expect(Object.keys(samples).sort()).toEqual([...CHANNEL_NAMES].sort());
    for (const channel of CHANNEL_NAMES) {
      const answer = (await invoke(fromApp, channel, samples[channel])) as { ok: boolean; value?: unknown };
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
