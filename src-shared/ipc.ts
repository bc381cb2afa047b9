/**
 * The renderer ↔ main contract (DESIGN §1 "The contract"): every call the UI makes, in Electron
 * over IPC (`window.station.invoke`) or in a browser over the HTTP bridge (`POST /bridge/<channel>`),
 * is one channel of {@link CHANNELS}: a `namespace:verb` name, a zod schema for its single request
 * argument, a zod schema for its answer, and the operator roles allowed to call it. Answers travel
 * in the {@link Envelope}. Ids are strings in any form of SPEC §1.2 (the core parses them per
 * item); answers echo canonical ID6.
 *
 * The channels are declared by namespace in `channels/` (and `factory-channels.ts`); the Owner API
 * operations among them (`gateways:claim`, …) derive from their one declaration in `contract/`.
 * This module assembles the map and holds the envelope, events and bridge-only endpoints.
 *
 * Runs anywhere (main, preload, renderer): imports only zod and other `src-shared` modules.
 */
import { z } from 'zod';
import { ERROR_CODES, type ErrorCode } from './errors';
import type { Role } from './channel';
import { ACCESS_CHANNELS } from './channels/access';
import { GATEWAY_CHANNELS } from './channels/gateways';
import { HSM_CHANNELS } from './channels/hsm';
import {
  STATION_CHANNELS,
  activityItemSchema,
  operatorNameSchema,
  passwordSchema,
  sessionInfoSchema,
} from './channels/station';
export {
  type CeremonyBatchView,
  type DownloadView,
  type HsmBackendChoice,
  type HsmKeyView,
  type Pkcs11ModuleView,
  type TokenSlotView,
} from './channels/hsm';
import type { ItemResult } from './contract/shapes';
import { FACTORY_CHANNELS } from './factory-channels';
import { SYNC_CHANNELS } from './channels/sync';
import { LAN_CHANNELS } from './channels/lan';
import { NETWORK_CHANNELS } from './channels/network';

export { ROLES, type Role } from './channel';
export type { SetupFieldsInput } from './contract/values';
export {
  GATEWAY_STATES,
  type GatewayInfoView,
  type GatewayRow,
  type GatewayState,
  type Reachability,
  type SetupTemplate,
} from './channels/gateways';
export {
  activityItemSchema,
  operatorNameSchema,
  passwordSchema,
  sessionInfoSchema,
  type ActivityItem,
  type HsmStatusView,
  type Operator,
  type SessionInfo,
  type StationStatus,
} from './channels/station';

/** An error code as it crosses the boundary. */
const errorCodeSchema = z.enum(ERROR_CODES);

/** One answer item (SPEC §4.2) as the UI sees it. */
export type ItemResultView = ItemResult;

/**
 * Every renderer ↔ main call. Names are `namespace:verb`; one argument in, one promise out.
 * `roles` gates the HTTP bridge (and IPC, where the desktop user is `admin`).
 */
export const CHANNELS = {
  ...STATION_CHANNELS,
  ...GATEWAY_CHANNELS,
  ...ACCESS_CHANNELS,
  ...HSM_CHANNELS,
  ...FACTORY_CHANNELS,
  ...SYNC_CHANNELS,
  ...LAN_CHANNELS,
  ...NETWORK_CHANNELS,
} as const;

/** Every channel name. */
export type Channel = keyof typeof CHANNELS;
/** The channel names, for allow-lists. */
export const CHANNEL_NAMES = Object.keys(CHANNELS) as Channel[];

/** What a caller passes to a channel (before parsing: optional fields may be omitted). */
export type RequestOf<C extends Channel> = z.input<(typeof CHANNELS)[C]['request']>;
/** What a handler receives after parsing. */
export type ParsedRequestOf<C extends Channel> = z.output<(typeof CHANNELS)[C]['request']>;
/** What a channel answers. */
export type ResponseOf<C extends Channel> = z.output<(typeof CHANNELS)[C]['response']>;

/** True when `name` is a channel of the map (the preload's allow-list check). */
export function isChannel(name: unknown): name is Channel {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(CHANNELS, name);
}

/** True when `role` may call `channel`. */
export function roleAllows(role: Role, name: Channel): boolean {
  return CHANNELS[name].roles.includes(role);
}

/** Channels a role may call. */
export function channelsFor(role: Role): Channel[] {
  return CHANNEL_NAMES.filter((c) => roleAllows(role, c));
}

// ---------------------------------------------------------------------------------------------
// Envelope and events
// ---------------------------------------------------------------------------------------------

/** A failure as it crosses the boundary: stable code + human message (CONVENTIONS "Errors"). */
export interface EnvelopeError {
  code: ErrorCode;
  message: string;
}

/** Every answer: `{ok: true, value}` or `{ok: false, error: {code, message}}`. */
export type Envelope<T> = { ok: true; value: T } | { ok: false; error: EnvelopeError };

/** Schema of the failure side of the envelope (used to parse untrusted answers). */
export const envelopeErrorSchema = z.object({
  ok: z.literal(false),
  error: z.object({ code: errorCodeSchema, message: z.string() }),
});

/** Events main pushes to the renderer (IPC: `window.station.on`; HTTP: polled). */
const EVENTS = {
  /** new CUPS contacts */
  'station:activity': z.array(activityItemSchema),
} as const;
/** Event names. */
export type EventName = keyof typeof EVENTS;
/** Payload of an event. */
export type EventPayload<E extends EventName> = z.output<(typeof EVENTS)[E]>;
/** True when `name` is an event of the map. */
export function isEventName(name: unknown): name is EventName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(EVENTS, name);
}

/** The IPC channel name Electron uses for a bridge call (one ipcMain handler serves all channels). */
export const IPC_INVOKE = 'gwjs:invoke';
/** The IPC channel name for pushed events. */
export const IPC_EVENT = 'gwjs:event';

/** Header the HTTP bridge requires on every call (CSRF: a cross-site form cannot set it). */
export const BRIDGE_HEADER = 'x-gwjs-bridge';

/**
 * What the preload exposes as `window.station` (the whole surface of main the renderer sees).
 * One argument in, one promise out (CONVENTIONS, after VS Code).
 */
export interface StationBridge {
  invoke(channel: string, request: unknown): Promise<Envelope<unknown>>;
  /** Subscribes to an event; returns the unsubscribe function. */
  on(event: string, listener: (payload: unknown) => void): () => void;
}

// ---------------------------------------------------------------------------------------------
// HTTP-bridge-only endpoints (no session needed; not channels)
// ---------------------------------------------------------------------------------------------

/** `POST /bridge/login`: starts an operator session (sets the session cookie). */
export const loginRequestSchema = z.object({
  name: z.string().min(1).max(64),
  password: z.string().min(1).max(1024),
});
/** `POST /bridge/setup`: first run — the one-time setup password printed by `gwjs serve` creates the first admin. */
export const firstRunRequestSchema = z.object({
  setupPassword: z.string().min(1).max(200),
  name: operatorNameSchema,
  password: passwordSchema,
});
/** `GET /bridge/state`: whether first-run setup is pending and whether this browser has a session. */
export const bridgeStateSchema = z.object({
  setupRequired: z.boolean(),
  session: sessionInfoSchema.nullable(),
});
/** Bridge state as the login screen sees it. */
export type BridgeState = z.infer<typeof bridgeStateSchema>;
