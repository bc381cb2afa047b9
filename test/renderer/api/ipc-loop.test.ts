import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerIpc, type InvokeEventLike } from '../../../src-main/app/ipc';
import { startActivityPump } from '../../../src-main/bridge/activity-pump';
import { DESKTOP_CALLER } from '../../../src-main/bridge/caller';
import { createStationUi } from '../../../src-main/compose/station-ui';
import { createStationBridge } from '../../../src-main/preload/bridge';
import {
  bridgeState,
  call,
  detectTransport,
  setTransport,
  subscribe,
  tryCall,
} from '../../../src-renderer/api';
import { IPC_EVENT } from '../../../src-shared/ipc';
import { createCoreFixture, KDF_VECTORS, type CoreFixture } from '../../helpers/core-fixture';

/**
 * The whole desktop path in one process: renderer api → preload bridge → ipcRenderer/ipcMain (a
 * tiny in-memory pair standing in for Electron's, the only replaced edge) → IPC door → dispatch →
 * the real core and store.
 */
describe('renderer api over IPC', () => {
  let fx: CoreFixture;
  const listeners = new Set<(e: unknown, ...a: unknown[]) => void>();
  let pumpStop = () => undefined as void;

  beforeAll(async () => {
    fx = await createCoreFixture();
    const ui = createStationUi({
      core: fx.core,
      store: fx.store,
      hsm: fx.hsm,
      tls: { fingerprint256: 'a', caFingerprint256: 'b' },
    });
    let handler: ((event: InvokeEventLike, ...args: unknown[]) => Promise<unknown>) | undefined;
    registerIpc(
      { handle: (_c, l) => void (handler = l), removeHandler: () => undefined },
      { handlers: ui.handlers, caller: DESKTOP_CALLER },
    );
    const frame: InvokeEventLike = { senderFrame: { url: 'app://station/' } };
    const bridge = createStationBridge({
      // structuredClone: what Electron's IPC does to arguments and answers
      invoke: async (channel, ...args) => structuredClone(await handler!(frame, ...structuredClone(args))),
      on: (_ch, l) => void listeners.add(l),
      removeListener: (_ch, l) => void listeners.delete(l),
    });
    (globalThis as { station?: unknown }).station = bridge;
    setTransport(undefined);
    const pump = startActivityPump(
      (input) => ui.services.gateways.activity(input),
      (items) =>
        listeners.forEach((l) => l({}, { event: 'station:activity', payload: structuredClone(items) })),
      30,
    );
    pumpStop = () => pump.stop();
    expect(IPC_EVENT).toBe('gwjs:event');
  });
  afterAll(async () => {
    pumpStop();
    delete (globalThis as { station?: unknown }).station;
    setTransport(undefined);
    await fx.close();
  });

  it('picks IPC when the preload exposed window.station', async () => {
    expect(detectTransport().kind).toBe('ipc');
    expect(await bridgeState()).toMatchObject({
      setupRequired: false,
      session: { transport: 'ipc', operator: { role: 'admin' } },
    });
  });

  it('calls the real core through the preload and the IPC door', async () => {
    const r = await call('gateways:claim', {
      ownerId: 'b::2',
      items: [{ gateway: KDF_VECTORS.gw2.eui, claim: KDF_VECTORS.gw2.pin }],
    });
    expect(r).toEqual([{ gateway: KDF_VECTORS.gw2.id6 }]);
    expect(await tryCall('station:status', {})).toMatchObject({ ok: true, value: { tlsFingerprint: 'a' } });
    expect(await tryCall('batches:create', { first: 'x', last: 'y' })).toMatchObject({
      ok: false,
      error: { code: 'invalid_id' },
    });
  });

  it('pushes live activity to subscribers', async () => {
    const got: string[] = [];
    const off = subscribe('station:activity', (items) => got.push(...items.map((i) => i.gateway)));
    await new Promise((r) => setTimeout(r, 100));
    await fx.store.transaction((tx) =>
      tx.run('INSERT INTO cups_contacts (eui, at, outcome, keys) VALUES (?, ?, ?, ?)', [
        KDF_VECTORS.gw2.hex,
        new Date().toISOString(),
        'ok',
        '[]',
      ]),
    );
    for (let i = 0; i < 40 && got.length === 0; i++) await new Promise((r) => setTimeout(r, 25));
    off();
    expect(got).toEqual([KDF_VECTORS.gw2.id6]);
  });
});
