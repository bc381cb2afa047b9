/**
 * A scripted station for component tests: a `Transport` (the renderer's edge, see
 * src-renderer/api/transport.ts) whose channels answer from handler functions, recording every
 * call. Screens and stores run unchanged on top of it; the real bridge is exercised by test/e2e.
 */
import type { Channel, Envelope, RequestOf, ResponseOf } from '../../src-shared/ipc';
import type { ErrorCode } from '../../src-shared/errors';
import { setTransport, type Transport } from '../../src-renderer/api';

/** A handler answers a value, or throws `{code, message}` for a failure envelope. */
export type FakeHandler<C extends Channel> = (
  request: RequestOf<C>,
) => ResponseOf<C> | Promise<ResponseOf<C>>;

/** Failure to throw from a handler. */
export class FakeFailure {
  constructor(
    readonly code: ErrorCode,
    readonly message: string,
  ) {}
}

/** The fake station: register handlers with `on`, inspect `calls`. */
export interface FakeStation {
  transport: Transport;
  calls: { channel: string; request: unknown }[];
  on<C extends Channel>(channel: C, handler: FakeHandler<C>): FakeStation;
  /** calls of one channel, requests only */
  requests<C extends Channel>(channel: C): RequestOf<C>[];
  events: Map<string, Set<(payload: unknown) => void>>;
  emit(event: string, payload: unknown): void;
}

/** Creates a fake station and installs it as the renderer's transport. */
export function installFakeStation(kind: 'ipc' | 'http' = 'http'): FakeStation {
  const handlers = new Map<string, (request: unknown) => unknown>();
  const calls: { channel: string; request: unknown }[] = [];
  const events = new Map<string, Set<(payload: unknown) => void>>();
  const transport: Transport = {
    kind,
    async invoke(channel, request): Promise<Envelope<unknown>> {
      calls.push({ channel, request });
      const h = handlers.get(channel);
      if (!h) return { ok: false, error: { code: 'forbidden', message: `${channel}: not scripted` } };
      try {
        return { ok: true, value: await h(request) };
      } catch (e) {
        if (e instanceof FakeFailure) return { ok: false, error: { code: e.code, message: e.message } };
        throw e;
      }
    },
    subscribe(event, listener) {
      const set = events.get(event) ?? new Set();
      set.add(listener);
      events.set(event, set);
      return () => set.delete(listener);
    },
  };
  const station: FakeStation = {
    transport,
    calls,
    events,
    on(channel, handler) {
      handlers.set(channel, handler as (request: unknown) => unknown);
      return station;
    },
    requests<C extends Channel>(channel: C) {
      return calls.filter((c) => c.channel === channel).map((c) => c.request as RequestOf<C>);
    },
    emit(event, payload) {
      for (const l of events.get(event) ?? []) l(payload);
    },
  };
  setTransport(transport);
  return station;
}
