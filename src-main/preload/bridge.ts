/**
 * The preload's logic, free of `electron` so tests can drive it: builds the `window.station`
 * object from an `ipcRenderer`-shaped port. Only channels of the map are forwarded; anything else
 * is refused here, before main is asked (main checks again).
 */
import {
  IPC_EVENT,
  IPC_INVOKE,
  isChannel,
  isEventName,
  type Envelope,
  type StationBridge,
} from '../../src-shared/ipc';

/** The subset of Electron's `ipcRenderer` the preload uses. */
export interface IpcRendererPort {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
  removeListener(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
}

/** Builds the bridge exposed as `window.station` (contextBridge copies it into the page). */
export function createStationBridge(ipc: IpcRendererPort): StationBridge {
  return {
    invoke(channel: string, request: unknown): Promise<Envelope<unknown>> {
      if (!isChannel(channel)) {
        return Promise.resolve({
          ok: false,
          error: { code: 'forbidden', message: `channel ${JSON.stringify(String(channel))} is not allowed` },
        });
      }
      return ipc.invoke(IPC_INVOKE, channel, request) as Promise<Envelope<unknown>>;
    },
    on(event: string, listener: (payload: unknown) => void): () => void {
      if (!isEventName(event) || typeof listener !== 'function') return () => undefined;
      // The Electron event object (with `sender`) never reaches the page: only the payload does.
      const wrapped = (_e: unknown, message: unknown) => {
        const m = message as { event?: unknown; payload?: unknown } | null;
        if (m && m.event === event) listener(m.payload);
      };
      ipc.on(IPC_EVENT, wrapped);
      return () => {
        ipc.removeListener(IPC_EVENT, wrapped);
      };
    },
  };
}
