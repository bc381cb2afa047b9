/**
 * How the renderer reaches main: one interface, two implementations (IPC in Electron, the HTTP
 * bridge in a browser). Only `src-renderer/api/` knows which one runs (DESIGN §1).
 */
import type { Envelope } from '../../src-shared/ipc';

/** A way to call main's channels and receive its events. */
export interface Transport {
  readonly kind: 'ipc' | 'http';
  /** Calls one channel; always resolves to an envelope (transport failures become `ok: false`). */
  invoke(channel: string, request: unknown): Promise<Envelope<unknown>>;
  /** Subscribes to an event; returns the unsubscribe function. */
  subscribe(event: string, listener: (payload: unknown) => void): () => void;
}
