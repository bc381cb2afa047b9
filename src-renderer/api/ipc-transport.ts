/**
 * IPC transport: the preload's `window.station` (Electron, contextIsolation). Main validates and
 * answers with the envelope; this side only forwards and turns a rejected promise into `internal`.
 */
import type { Envelope, StationBridge } from '../../src-shared/ipc';
import type { Transport } from './transport';

/** Wraps the preload bridge as a {@link Transport}. */
export function createIpcTransport(bridge: StationBridge): Transport {
  return {
    kind: 'ipc',
    async invoke(channel: string, request: unknown): Promise<Envelope<unknown>> {
      try {
        return await bridge.invoke(channel, request);
      } catch (e) {
        const message = e instanceof Error ? e.message : String(e);
        return {
          ok: false,
          error: { code: 'internal', message: `IPC call "${channel}" failed: ${message}` },
        };
      }
    },
    subscribe(event: string, listener: (payload: unknown) => void): () => void {
      return bridge.on(event, listener);
    },
  };
}
