/**
 * The renderer's only door to main (docs/architecture.md). Picks IPC when the preload exposed
 * `window.station`, else the HTTP bridge; nothing else in the renderer knows which. Calls are
 * typed by the channel map in `src-shared/ipc.ts`.
 *
 * ```ts
 * const page = await call('gateways:query', { ownerId, search, offset: 0, limit: 200 });
 * const r = await tryCall('gateways:claim', { ownerId, items });   // envelope, never throws
 * ```
 */
import {
  CHANNELS,
  bridgeStateSchema,
  sessionInfoSchema,
  type BridgeState,
  type Channel,
  type Envelope,
  type EnvelopeError,
  type EventName,
  type EventPayload,
  type RequestOf,
  type ResponseOf,
  type SessionInfo,
  type StationBridge,
} from '../../src-shared/ipc';
import type { ErrorCode } from '../../src-shared/errors';
import { createHttpTransport, postBridge, type HttpTransportOptions } from './http-transport';
import { createIpcTransport } from './ipc-transport';
import type { Transport } from './transport';

export type { Transport } from './transport';
export { createHttpTransport } from './http-transport';
export { createIpcTransport } from './ipc-transport';

/** A failed call: the UI switches on `code` (CONVENTIONS "Errors"), shows `message`. */
export class BridgeCallError extends Error {
  override readonly name = 'BridgeCallError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly channel: string,
  ) {
    super(message);
  }
}

let current: Transport | undefined;
let httpOptions: HttpTransportOptions = {};
const sessionLostListeners = new Set<() => void>();

function notifySessionLost(): void {
  for (const l of sessionLostListeners) l();
}

/** Picks the transport for this window: IPC when `window.station` exists, else HTTP. */
export function detectTransport(): Transport {
  const bridge = (globalThis as { station?: StationBridge }).station;
  if (bridge && typeof bridge.invoke === 'function') return createIpcTransport(bridge);
  return createHttpTransport({ ...httpOptions, onUnauthorized: notifySessionLost });
}

/** The transport in use (detected on first use). */
export function transport(): Transport {
  current ??= detectTransport();
  return current;
}

/** Replaces the transport (tests, storybook-like harnesses). Pass undefined to re-detect. */
export function setTransport(t: Transport | undefined, options: HttpTransportOptions = {}): void {
  current = t;
  httpOptions = options;
}

/** Calls a channel; the answer is parsed with the channel's response schema. Never throws. */
export async function tryCall<C extends Channel>(
  channel: C,
  request: RequestOf<C>,
): Promise<Envelope<ResponseOf<C>>> {
  const answer = await transport().invoke(channel, request);
  if (!answer.ok) return answer;
  const parsed = CHANNELS[channel].response.safeParse(answer.value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue ? issue.path.join('.') || '(root)' : '(root)';
    return {
      ok: false,
      error: { code: 'internal', message: `answer of "${channel}" does not match the contract at ${where}` },
    };
  }
  return { ok: true, value: parsed.data as ResponseOf<C> };
}

/** Calls a channel; resolves with the value or throws {@link BridgeCallError}. */
export async function call<C extends Channel>(channel: C, request: RequestOf<C>): Promise<ResponseOf<C>> {
  const answer = await tryCall(channel, request);
  if (answer.ok) return answer.value;
  throw new BridgeCallError(answer.error.code, answer.error.message, channel);
}

/** Subscribes to a main → renderer event (live CUPS activity). Returns the unsubscribe function. */
export function subscribe<E extends EventName>(
  event: E,
  listener: (payload: EventPayload<E>) => void,
): () => void {
  return transport().subscribe(event, (payload) => listener(payload as EventPayload<E>));
}

/** Called when the HTTP session ends (401); the app shows the login screen. Returns unsubscribe. */
export function onSessionLost(listener: () => void): () => void {
  sessionLostListeners.add(listener);
  return () => sessionLostListeners.delete(listener);
}

function unwrap<T>(answer: Envelope<unknown>, parse: (v: unknown) => T, what: string): T {
  if (!answer.ok) throw new BridgeCallError(answer.error.code, answer.error.message, what);
  return parse(answer.value);
}

/**
 * Where the session stands. IPC: always signed in as the desktop operator. HTTP: asks the server
 * whether first-run setup is pending and whether this browser has a session.
 */
export async function bridgeState(): Promise<BridgeState> {
  const t = transport();
  if (t.kind === 'ipc') {
    const session = await call('session:whoami', {});
    return { setupRequired: false, session };
  }
  return unwrap(await postBridge('state', {}, httpOptions), (v) => bridgeStateSchema.parse(v), 'state');
}

/** Logs in an operator (HTTP bridge only; IPC is always signed in). */
export async function login(name: string, password: string): Promise<SessionInfo> {
  if (transport().kind === 'ipc') return call('session:whoami', {});
  return unwrap(
    await postBridge('login', { name, password }, httpOptions),
    (v) => sessionInfoSchema.parse(v),
    'login',
  );
}

/** First run: trades the one-time setup password printed by `gwjs serve` for the first admin account. */
export async function firstRunSetup(
  setupPassword: string,
  name: string,
  password: string,
): Promise<SessionInfo> {
  return unwrap(
    await postBridge('setup', { setupPassword, name, password }, httpOptions),
    (v) => sessionInfoSchema.parse(v),
    'setup',
  );
}

/** Ends the HTTP session (no-op over IPC). */
export async function logout(): Promise<void> {
  if (transport().kind === 'ipc') return;
  unwrap(await postBridge('logout', {}, httpOptions), () => undefined, 'logout');
}

/** A failure in the shape the envelope carries (for stores that keep errors as data). */
export type { EnvelopeError };
export { runBulk } from './bulk';
