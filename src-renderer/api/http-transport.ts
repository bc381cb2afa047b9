/**
 * HTTP bridge transport (headless `gwjs serve`, any browser): `POST /bridge/<channel>` with a JSON
 * body, the session cookie (same origin) and the anti-CSRF header. Events are polled.
 */
import {
  createActivityFollower,
  type ActivityKeyed,
  type ActivityPage,
} from '../../src-shared/activity-feed';
import { BRIDGE_HEADER, envelopeErrorSchema, type Envelope } from '../../src-shared/ipc';
import type { Transport } from './transport';

/** Options of the HTTP transport. */
export interface HttpTransportOptions {
  /** base URL of the station; '' = same origin (the normal case) */
  baseUrl?: string;
  /** `fetch` to use (tests pass their own) */
  fetch?: typeof fetch;
  /** how often events are polled, ms */
  pollMs?: number;
  /** called when the server says the session is gone (401) */
  onUnauthorized?: () => void;
}

/** POSTs JSON to a bridge path and returns the envelope it answers (or a transport failure). */
export async function postBridge(
  path: string,
  body: unknown,
  options: HttpTransportOptions = {},
): Promise<Envelope<unknown>> {
  const doFetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  let response: Response;
  try {
    response = await doFetch(`${options.baseUrl ?? ''}/bridge/${path}`, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json', [BRIDGE_HEADER]: '1' },
      body: JSON.stringify(body ?? {}),
    });
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    return {
      ok: false,
      error: { code: 'station_unreachable', message: `no answer from the station: ${message}` },
    };
  }
  let parsed: unknown;
  try {
    parsed = await response.json();
  } catch {
    return {
      ok: false,
      error: { code: 'internal', message: `station answered HTTP ${response.status} without JSON` },
    };
  }
  if (response.status === 401) options.onUnauthorized?.();
  if (typeof parsed === 'object' && parsed !== null && (parsed as { ok?: unknown }).ok === true) {
    return { ok: true, value: (parsed as { value?: unknown }).value };
  }
  const failure = envelopeErrorSchema.safeParse(parsed);
  if (failure.success) return failure.data;
  return { ok: false, error: { code: 'internal', message: `station answered HTTP ${response.status}` } };
}

/** Creates the HTTP bridge transport. */
export function createHttpTransport(options: HttpTransportOptions = {}): Transport {
  const pollMs = options.pollMs ?? 2000;
  return {
    kind: 'http',
    invoke: (channel, request) => postBridge(encodeURIComponent(channel), request, options),
    subscribe(event, listener) {
      // The only event is `station:activity`; it is the channel of the same name, followed by cursor.
      if (event !== 'station:activity') return () => undefined;
      const follower = createActivityFollower<ActivityKeyed>();
      let stopped = false;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const tick = async () => {
        const answer = await postBridge(encodeURIComponent(event), follower.request(), options);
        if (stopped) return;
        if (answer.ok) {
          const fresh = follower.accept(answer.value as ActivityPage<ActivityKeyed>);
          if (fresh.length > 0) listener(fresh);
        }
        timer = setTimeout(() => void tick(), pollMs);
      };
      void tick();
      return () => {
        stopped = true;
        if (timer !== undefined) clearTimeout(timer);
      };
    },
  };
}
