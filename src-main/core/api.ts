/**
 * The core's public surface: what every door (HTTP Owner API, CUPS route, CLI, IPC/bridge) calls.
 * Types only — `createCore()` in `core/index.ts` returns a {@link Core}. Doors parse transport
 * input into these shapes (raw strings for ids, so per-item id errors stay per item), call one
 * method, and map the result or a thrown `DomainError` to their transport.
 */
import type { ErrorCode } from '../../src-shared/errors';
import type { UpdateInfoRequest } from '../../src-shared/cups-wire';
import type { ClientCertificates } from './client-certs/service';
import type { FirmwareCatalogue } from './firmware/catalogue';
import type { FirmwareState } from './firmware/delivery';
import type { UpdateSigningKeys } from './firmware/signing-keys';
import type { RotationView } from './rotation/history';
import type { ChangesPage } from './sync/change-feed';
import type { StationSync } from './sync/service';
import type { StoreHealth } from './ports';

/** API key scopes (SPEC §4.1). `admin` implies every other scope and any owner. */
export type Scope = 'claim' | 'setup' | 'delete' | 'add' | 'read' | 'firmware' | 'admin';
export const SCOPES: readonly Scope[] = ['claim', 'setup', 'delete', 'add', 'read', 'firmware', 'admin'];

/** Who is calling. `ownerId === null` means an admin acting for any owner. */
export interface Principal {
  kind: 'api-key' | 'cli' | 'operator' | 'system';
  /** key id, operator name, 'cli' — goes into the audit log */
  id: string;
  ownerId: bigint | null;
  scopes: ReadonlySet<Scope>;
}

/** Per-call context: the principal and where the call came from (audited). */
export interface RequestContext {
  principal: Principal;
  address?: string | undefined;
  /**
   * The request's `Idempotency-Key` (docs/sync.md): a write with a key is applied once and every
   * retry with the key answers the first answer.
   */
  idempotencyKey?: string | undefined;
}

/** One answer item (SPEC §4.2): `{gateway}` on success, plus `error` and `code` on failure. */
export interface ItemResult {
  /** canonical ID6 when the input parsed, else the input as given */
  gateway: string;
  error?: string;
  code?: ErrorCode;
}

export interface ClaimItem {
  gateway: string;
  claim: string;
}

/** Setup fields (SPEC §4.2). Absent = keep stored value; `null` = clear. Keys/certs are Base64. */
export interface SetupFields {
  cupsUri?: string | null;
  cupsKey?: string | null;
  cupsCrt?: string | null;
  cupsTrust?: string | null;
  lnsUri?: string | null;
  lnsKey?: string | null;
  lnsCrt?: string | null;
  lnsTrust?: string | null;
  fwcrc?: number | string | null;
  fwafter?: string | null;
}

export interface SetupItem extends SetupFields {
  gateway: string;
}

export interface AddItem {
  gateway: string;
  flavorid: string;
  token: string;
}

/** Which credentials of one side (CUPS or LNS) are set — secrets masked. */
export interface CredentialSummary {
  uri: string | null;
  mode: 'none' | 'server-auth' | 'token' | 'client-cert';
  trustSet: boolean;
  certSet: boolean;
  keySet: boolean;
  /** CRC-32 of the blob CUPS sends (SPEC §3.3), or null when no blob */
  crc: number | null;
}

/** The last CUPS contact of a gateway (SPEC §3.6 "Record per gateway"). */
export interface CupsContact {
  at: string;
  address: string | null;
  outcome: string;
  station: string | null;
  model: string | null;
  package: string | null;
  cupsCredCrc: number | null;
  tcCredCrc: number | null;
  keys: number[];
  /**
   * what the contact authenticated with: a batch gateway's `token`, an added gateway's own token,
   * a client `certificate`; null = unauthenticated (plain HTTP) or recorded before this was kept
   */
  credential: 'token' | 'added_token' | 'certificate' | null;
  /**
   * the token generation (SPEC §2) of a `token` contact — after a rotation, a contact with the old
   * generation means the station fell back to a set holding the old token (docs/rotation.md)
   */
  tokenGeneration: number | null;
}

/** `info` answer for one gateway (SPEC §4.2), no secrets. */
export interface GatewayInfo {
  gateway: string;
  eui: string;
  owner: string | null;
  origin: 'batch' | 'added';
  batch: string | null;
  claimed: boolean;
  claimedAt: string | null;
  setup: { cups: CredentialSummary; lns: CredentialSummary; updatedAt: string | null } | null;
  tokenGeneration: number;
  /** CUPS token rotation state and history (SPEC §2); null for an added gateway (its token is its own) */
  rotation: RotationView | null;
  /** firmware delivery state (SPEC §3.4) */
  firmware: {
    fwcrc: number;
    fwafter: string | null;
    state: FirmwareState;
    /** why, in one sentence */
    detail: string;
    sentAt: string | null;
    /** CRC of the station key whose signature was (or will be) sent */
    keyCrc: number | null;
    /** `package` reported when the update was sent */
    packageBefore: string | null;
    /** `package` reported since, when different (state `done`) */
    packageAfter: string | null;
  } | null;
  lastContact: CupsContact | null;
}

export type InfoResult = ItemResult & { info?: GatewayInfo };

/** One gateway to move from its owner to another (see {@link OwnerService.transfer}). */
export interface TransferRequest {
  gateway: string;
  /** the current owner */
  from: string;
  /** the new owner */
  to: string;
  /** the gateway's claim PIN (SPEC §2), proving the new owner holds its label */
  claim: string;
}

/** A transfer that happened: canonical ID6 of the gateway and of both owners. */
export interface TransferResult {
  gateway: string;
  from: string;
  to: string;
}

/** Owner API operations (SPEC §4). Whole-request problems throw DomainError; item problems are items. */
export interface OwnerService {
  claim(ctx: RequestContext, ownerId: string, items: readonly ClaimItem[]): Promise<ItemResult[]>;
  setup(ctx: RequestContext, ownerId: string, items: readonly SetupItem[]): Promise<ItemResult[]>;
  delete(ctx: RequestContext, ownerId: string, gateways: readonly string[]): Promise<ItemResult[]>;
  add(ctx: RequestContext, ownerId: string, items: readonly AddItem[]): Promise<ItemResult[]>;
  info(ctx: RequestContext, ownerId: string, gateways: readonly string[]): Promise<InfoResult[]>;
  list(
    ctx: RequestContext,
    ownerId: string,
    options: { after?: string | undefined; limit?: number | undefined },
  ): Promise<{ gateways: string[]; next: string | null }>;
  /**
   * CUPS token rotation (SPEC §2) for batch gateways: arms generation g + 1, which CUPS delivers as
   * the new cups.key; g is retired when the gateway authenticates with g + 1. Scope `setup`.
   */
  rotate(ctx: RequestContext, ownerId: string, gateways: readonly string[]): Promise<ItemResult[]>;
  /**
   * Lifts a claim lock (docs/security.md "Claim lockout"): forgets the wrong PINs counted for
   * `gateway` — those of `ownerId` only when given — and audits it. Admin only.
   * @throws DomainError('forbidden' | 'invalid_request' | 'not_found')
   */
  unlockClaims(
    ctx: RequestContext,
    gateway: string,
    ownerId?: string | null,
  ): Promise<{ gateway: string; removed: number }>;
  /**
   * Moves one batch gateway to another owner as one operation (delete for `from`, claim for `to`
   * in one transaction, audited as `transfer`): the PIN is checked first and any failure changes
   * nothing. `ctx` needs scope `delete` for `from`, `toCtx` (default `ctx`) scope `claim` for `to`.
   */
  transfer(ctx: RequestContext, request: TransferRequest, toCtx?: RequestContext): Promise<TransferResult>;
  /**
   * The owner's change feed after a cursor (docs/sync.md "Pull"): the gateways changed since, each
   * once, with its state now (null when no longer held). Scope `read`.
   */
  changes(
    ctx: RequestContext,
    ownerId: string,
    options: { after?: string | undefined; limit?: number | undefined },
  ): Promise<ChangesPage>;
}

/** How the gateway authenticated to CUPS (SPEC §3.1), as seen by the HTTP door. */
export interface CupsAuth {
  /** true when the request came over TLS */
  secure: boolean;
  /** the raw Authorization header value, if any */
  authorization?: string | undefined;
  /** DER of a TLS client certificate the TLS layer verified against the configured client CAs */
  clientCertificate?: Uint8Array | undefined;
  /** why a presented client certificate did not verify (e.g. `UNABLE_TO_VERIFY_LEAF_SIGNATURE`) */
  clientCertificateRejected?: string | undefined;
}

/** CUPS answer: 200 with the binary body (SPEC §3.2), or an error status with a reason phrase. */
export type CupsAnswer =
  | { status: 200; body: Uint8Array; outcome: string }
  | {
      status: 400 | 401 | 403 | 404 | 429;
      reason: string;
      outcome: string;
      /** 429 only: seconds until the limiting bucket has a token again (`Retry-After`) */
      retryAfter?: number | undefined;
    };

/** The Gateway API (SPEC §3). */
export interface CupsService {
  updateInfo(request: UpdateInfoRequest, auth: CupsAuth, address: string): Promise<CupsAnswer>;
  /**
   * The answer to a body the door could not parse (400 with `reason`), counted in the metrics and
   * limited like every failure by the address's failure budget (may answer 429 instead).
   */
  badRequest(reason: string, address: string): CupsAnswer;
}

export interface OwnerRow {
  id: string;
  name: string | null;
  createdAt: string;
}

export interface ApiKeySummary {
  id: string;
  ownerId: string | null;
  scopes: Scope[];
  createdAt: string;
  revokedAt: string | null;
  label: string | null;
}

/** Owners and API keys (SPEC §4.1): keys stored hashed, shown once. */
export interface AccessService {
  createOwner(ctx: RequestContext, id: string, name?: string): Promise<OwnerRow>;
  listOwners(ctx: RequestContext): Promise<OwnerRow[]>;
  /** Returns the plaintext key exactly once. `ownerId` null = admin key. */
  createApiKey(
    ctx: RequestContext,
    ownerId: string | null,
    scopes: readonly Scope[],
    label?: string,
  ): Promise<{ apiKey: string; summary: ApiKeySummary }>;
  revokeApiKey(ctx: RequestContext, keyId: string): Promise<void>;
  listApiKeys(ctx: RequestContext, ownerId?: string): Promise<ApiKeySummary[]>;
  /** Bearer token → principal; throws DomainError('unauthorized') when unknown or revoked. */
  authenticate(bearer: string): Promise<Principal>;
}

export interface BatchRow {
  id: string;
  firstEui: string;
  lastEui: string;
  kcv: string;
  flavor: string | null;
  cupsUri: string | null;
  kdf: 'GWJS-v1';
  createdAt: string;
}

/** Batches of gateways sharing one root key (SPEC §2). Ranges never overlap. */
export interface BatchService {
  create(
    ctx: RequestContext,
    input: { first: string; last: string; flavor?: string; cupsUri?: string },
  ): Promise<BatchRow>;
  /** Imports a raw 32-byte root key into the HSM (twin set-up, tests). The caller zeroes it after. */
  import(
    ctx: RequestContext,
    input: { first: string; last: string; flavor?: string; cupsUri?: string },
    rootKey: Uint8Array,
  ): Promise<BatchRow>;
  list(ctx: RequestContext): Promise<BatchRow[]>;
  findForEui(eui: bigint): Promise<BatchRow | undefined>;
}

/** Files of a personalization bundle (SPEC §5): name → content. */
export interface Bundle {
  eui: string;
  id6: string;
  pin: string;
  files: Record<string, string>;
  /**
   * Binary files written beside `files`: `sig-0.key` (the station's 64-byte update-signing public
   * key, SPEC §3.4) when the station has one. Absent when there is none.
   */
  binaryFiles?: Record<string, Uint8Array>;
  /** how the gateway authenticates to CUPS with this bundle */
  auth?: BundleAuth;
  /** SHA-256 fingerprint of the client certificate (auth `client-cert`) */
  certificateFingerprint?: string;
}

/**
 * CUPS authentication a bundle sets up (SPEC §3.1): `token` (SPEC §5: cups.key holds the
 * Authorization header) or `client-cert` (cups.crt + cups.key: a TLS client certificate issued by
 * the station's CA, EC P-256, SEC1 key, bound to the EUI).
 */
export type BundleAuth = 'token' | 'client-cert';

/** Factory personalization (SPEC §5): derives a gateway's secrets through the HSM. */
export interface FactoryService {
  personalize(
    ctx: RequestContext,
    gateway: string,
    options: { cupsUri: string; trustPem: string; auth?: BundleAuth | undefined },
  ): Promise<Bundle>;
}

/** Audit log entry: who, what, when, from where. */
export interface AuditEntry {
  id: number;
  at: string;
  actor: string;
  address: string | null;
  action: string;
  target: string | null;
  detail: Record<string, unknown>;
}

export interface AuditService {
  list(
    ctx: RequestContext,
    filter: { target?: string; action?: string; before?: number; limit?: number },
  ): Promise<AuditEntry[]>;
}

/** Counters by outcome (SPEC §3.6 "Count requests by outcome"). */
export interface Metrics {
  cups: Record<string, number>;
  ownerApi: Record<string, number>;
}

/** Everything the doors use. */
export interface Core {
  owner: OwnerService;
  cups: CupsService;
  access: AccessService;
  batches: BatchService;
  factory: FactoryService;
  audit: AuditService;
  /** firmware catalogue (SPEC §3.4, §4.2) */
  firmware: FirmwareCatalogue;
  /** the station's own update-signing keys (SPEC §3.4) */
  signingKeys: UpdateSigningKeys;
  /** gateway TLS client certificates (SPEC §3.1) */
  clientCertificates: ClientCertificates;
  /** the station's sync with a remote join server (docs/sync.md) */
  sync: StationSync;
  metrics(): Metrics;
  /** The store's health (`/healthz`): `degraded` while writes fail for lack of space. */
  storeHealth(): StoreHealth;
  /** Flushes pending relaxed writes and closes the store (idempotent); call before exit. */
  close(): Promise<void>;
}
