import { describe, expect, it } from 'vitest';
import { createStationBridge, type IpcRendererPort } from '../../src-main/preload/bridge';
import { CHANNEL_NAMES, IPC_EVENT, IPC_INVOKE } from '../../src-shared/ipc';

/** A recording stand-in for Electron's ipcRenderer (the edge of the preload). */
function fakeIpcRenderer() {
  const invoked: unknown[][] = [];
  const listeners = new Map<string, Set<(e: unknown, ...a: unknown[]) => void>>();
  const port: IpcRendererPort = {
    invoke: (...args) => {
      invoked.push(args);
      return Promise.resolve({ ok: true, value: 'from main' });
    },
    on: (ch, l) => listeners.set(ch, (listeners.get(ch) ?? new Set()).add(l)),
    removeListener: (ch, l) => listeners.get(ch)?.delete(l),
  };
  const emit = (ch: string, ...args: unknown[]) =>
    listeners.get(ch)?.forEach((l) => l({ sender: 'secret' }, ...args));
  return { port, invoked, emit, listeners };
}

describe('preload station bridge', () => {
  it('refuses a channel not in the map without asking main', async () => {
    const ipc = fakeIpcRenderer();
    const bridge = createStationBridge(ipc.port);
    for (const channel of ['fs:readFile', 'gwjs:invoke', '__proto__', 'constructor', 'toString', '']) {
      await expect(bridge.invoke(channel, {})).resolves.toMatchObject({
        ok: false,
        error: { code: 'forbidden' },
      });
    }
    await expect(bridge.invoke(42 as unknown as string, {})).resolves.toMatchObject({ ok: false });
    expect(ipc.invoked).toEqual([]);
  });

  it('forwards every allow-listed channel on the single invoke channel', async () => {
    const ipc = fakeIpcRenderer();
    const bridge = createStationBridge(ipc.port);
    for (const channel of CHANNEL_NAMES) {
      await expect(bridge.invoke(channel, { x: 1 })).resolves.toEqual({ ok: true, value: 'from main' });
    }
    expect(ipc.invoked).toHaveLength(CHANNEL_NAMES.length);
    expect(ipc.invoked[0]).toEqual([IPC_INVOKE, CHANNEL_NAMES[0], { x: 1 }]);
  });

  it('delivers only known events, only the payload, and unsubscribes', () => {
    const ipc = fakeIpcRenderer();
    const bridge = createStationBridge(ipc.port);
    const got: unknown[][] = [];
    const off = bridge.on('station:activity', (...args) => got.push(args));
    const offUnknown = bridge.on('secret:event', () => got.push(['leak']));
    ipc.emit(IPC_EVENT, { event: 'station:activity', payload: [1] });
    ipc.emit(IPC_EVENT, { event: 'other', payload: [2] });
    off();
    offUnknown();
    ipc.emit(IPC_EVENT, { event: 'station:activity', payload: [3] });
    expect(got).toEqual([[[1]]]);
    expect(ipc.listeners.get(IPC_EVENT)?.size ?? 0).toBe(0);
  });
});
