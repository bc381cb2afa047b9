/**
 * The core's public surface: what every door (HTTP Owner API, CUPS route, CLI, IPC/bridge) calls.
 * Types only — `createCore()` in `core/index.ts` returns a {@link Core}. Doors parse transport
 * input into these shapes (raw strings for ids, so per-item id errors stay per item), call one
 * method, and map the result or a thrown `DomainError` to their transport.
 */
import type { UpdateInfoRequest } from '../../src-shared/cups-wire';
import type {
  ADD,
  CLAIM,
  DELETE,
  FIRMWARE_SENT,
  INFO,
  ROTATE,
  SETUP,
} from '../../src-shared/contract/gateway-ops';
import type { ItemInputOf } from '../../src-shared/contract/operation';
import type {
  ApiKeySummary,
  AuditEntry,
  BatchRow,
  InfoResult,
  ItemResult,
  OwnerRow,
} from '../../src-shared/contract/shapes';
import type { CertificateRecord } from '../../src-shared/contract/certificate-ops';
import type { FirmwareSummary, FirmwareUploadResult } from '../../src-shared/contract/firmware-ops';
import type { SetupFieldsInput } from '../../src-shared/contract/values';
import type { Principal, RequestContext, Scope } from './context';
import type { FirmwareUpload } from './firmware/catalogue';
import type { SigningKeySummary } from './firmware/signing-keys';
import type { GatewayCertificate } from './client-certs/service';
import type { ChangesPage } from './sync/change-feed';
import type { SitePackResponse } from '../../src-shared/contract/site-pack';
import type { StationSync } from './sync/service';
import type { FactoryRecords } from './factory-records';
import type { StoreHealth } from './ports';

export type { Principal, RequestContext, Scope } from './context';
export { SCOPES } from './context';
export type {
  ApiKeySummary,
  AuditEntry,
  BatchRow,
  CredentialSummary,
  CupsContact,
  GatewayInfo,
  InfoResult,
  ItemResult,
  OwnerRow,
} from '../../src-shared/contract/shapes';
export type { SetupFields, SetupFieldsInput } from '../../src-shared/contract/values';

/** One claim item as a caller gives it (checked by the core; `contract/gateway-ops.ts`). */
export type ClaimItem = ItemInputOf<typeof CLAIM>;
/** One setup item as a caller gives it (checked by the core). */
export type SetupItem = ItemInputOf<typeof SETUP>;
/** One add item as a caller gives it (checked by the core). */
export type AddItem = ItemInputOf<typeof ADD>;
/** One firmware-sent item as a station's sync pushes it (checked by the core). */
export type FirmwareSentItem = ItemInputOf<typeof FIRMWARE_SENT>;
/** A gateway id of delete / info / rotate, as given. */
export type GatewayIdItem = ItemInputOf<typeof DELETE> &
  ItemInputOf<typeof INFO> &
  ItemInputOf<typeof ROTATE>;

/** The mixed form of setup (SPEC §4.2) and a saved template: fields applied before each item's own. */
export interface SetupOptions {
  /** top-level fields: apply to every item that does not set the field itself */
  common?: SetupFieldsInput | undefined;
  /** a saved setup template of the owner: its fields (secrets included) apply first */
  templateId?: string | undefined;
}

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

/**
 * Owner API operations (SPEC §4), typed from their declarations in `src-shared/contract/`. Each
 * item is checked here with the operation's item schema, so a bad item answers for itself
 * (`invalid_uri`, `invalid_credential`, `invalid_id`, …) in request order; whole-request problems
 * throw DomainError.
 */
export interface OwnerService {
  claim(ctx: RequestContext, ownerId: string, items: readonly ClaimItem[]): Promise<ItemResult[]>;
  setup(
    ctx: RequestContext,
    ownerId: string,
    items: readonly SetupItem[],
    options?: SetupOptions,
  ): Promise<ItemResult[]>;
  delete(ctx: RequestContext, ownerId: string, gateways: readonly GatewayIdItem[]): Promise<ItemResult[]>;
  add(ctx: RequestContext, ownerId: string, items: readonly AddItem[]): Promise<ItemResult[]>;
  info(ctx: RequestContext, ownerId: string, gateways: readonly GatewayIdItem[]): Promise<InfoResult[]>;
  list(
    ctx: RequestContext,
    ownerId: string,
    options: { after?: string | undefined; limit?: number | undefined },
  ): Promise<{ gateways: string[]; next: string | null }>;
  /**
   * CUPS token rotation (SPEC §2) for batch gateways: arms generation g + 1, which CUPS delivers as
   * the new cups.key; g is retired when the gateway authenticates with g + 1. Scope `setup`.
   */
  rotate(ctx: RequestContext, ownerId: string, gateways: readonly GatewayIdItem[]): Promise<ItemResult[]>;
  /**
   * Records firmware deliveries a station made from its site pack (docs/sync.md "Firmware from the
   * pack"): the setup's delivery is marked done, so CUPS here does not send it again (SPEC §3.4).
   * Scope `setup`.
   */
  firmwareSent(
    ctx: RequestContext,
    ownerId: string,
    items: readonly FirmwareSentItem[],
  ): Promise<ItemResult[]>;
  /**
   * Moves one batch gateway to another owner as one operation (delete for `from`, claim for `to`
   * in one transaction, audited as `transfer`): the PIN is checked first and any failure changes
   * nothing. `ctx` needs scope `delete` for `from`, `toCtx` (default `ctx`) scope `claim` for `to`.
   */
  transfer(ctx: RequestContext, request: TransferRequest, toCtx?: RequestContext): Promise<TransferResult>;
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
  /**
   * The site pack of some (or all, `gateways` undefined) of the owner's gateways (docs/sync.md
   * "Site packs"): desired CUPS state and token verifiers, no secret a station could misuse.
   * Scope `setup`; audited.
   */
  sitePack(
    ctx: RequestContext,
    ownerId: string,
    gateways: readonly string[] | undefined,
    /** SHA-256 of the firmware images the station holds: their bytes are left out */
    haveFirmware?: readonly string[],
  ): Promise<SitePackResponse>;
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
  /**
   * DER of that unverified certificate (the TLS handshake proved the client holds its key): only
   * the site pack's door reads it, checking it against the pack's CAs (docs/sync.md "Client
   * certificates from the pack"); every other path refuses it (403)
   */
  clientCertificateUnverified?: Uint8Array | undefined;
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

/** How `FactoryService.personalize` makes a bundle. */
export interface PersonalizeOptions {
  cupsUri: string;
  trustPem: string;
  auth?: BundleAuth | undefined;
  /**
   * writes the bundle out (the CLI's folder, flushed); runs after derivation, before the audit
   * entry and the factory record commit — a throw commits nothing
   */
  write?: ((bundle: Bundle) => Promise<void>) | undefined;
  /**
   * the station (host) recorded in the factory record; given, a linked station queues the
   * bundle's `personalized` record with the audit entry (docs/sync.md "Factory records")
   */
  station?: string | undefined;
}

/** Factory personalization (SPEC §5): derives a gateway's secrets through the HSM. */
export interface FactoryService {
  personalize(ctx: RequestContext, gateway: string, options: PersonalizeOptions): Promise<Bundle>;
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

/** The firmware catalogue (SPEC §3.4, §4.2 "Firmware"); `ownerId` null = the station's own images (admin). */
interface FirmwareService {
  upload(ctx: RequestContext, ownerId: string | null, input: FirmwareUpload): Promise<FirmwareUploadResult>;
  /** Adds the station key's signature to a stored image (admin). */
  signWithStationKey(
    ctx: RequestContext,
    ownerId: string | null,
    fwcrc: unknown,
  ): Promise<FirmwareUploadResult>;
  list(ctx: RequestContext, ownerId: string | null): Promise<FirmwareSummary[]>;
  delete(ctx: RequestContext, ownerId: string | null, fwcrc: unknown): Promise<{ fwcrc: number }>;
}

/** The station's update-signing keys in the HSM (SPEC §3.4). */
interface SigningKeyService {
  create(ctx: RequestContext, label?: string): Promise<SigningKeySummary>;
  list(ctx: RequestContext): Promise<SigningKeySummary[]>;
  active(): Promise<SigningKeySummary | undefined>;
  /** The active key as the 64-byte sig-0.key. @throws DomainError('not_found') without one. */
  keyFile(): Promise<Uint8Array>;
}

/** Gateway TLS client certificates issued by the station's CA (SPEC §3.1). */
interface ClientCertificateService {
  issue(
    ctx: RequestContext,
    gateway: string,
    options?: { days?: number | undefined },
  ): Promise<GatewayCertificate>;
  list(
    ctx: RequestContext,
    ownerId: string | null,
    gateway: string,
  ): Promise<{ gateway: string; certificates: CertificateRecord[] }>;
  revoke(
    ctx: RequestContext,
    ownerId: string | null,
    gateway: string,
    fingerprint?: string,
  ): Promise<{ gateway: string; revoked: string[] }>;
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
  firmware: FirmwareService;
  /** the station's own update-signing keys (SPEC §3.4) */
  signingKeys: SigningKeyService;
  /** gateway TLS client certificates (SPEC §3.1) */
  clientCertificates: ClientCertificateService;
  /** the station's sync with a remote join server (docs/sync.md) */
  sync: StationSync;
  /** factory personalization records received from factory stations (docs/sync.md "Factory records") */
  factoryRecords: FactoryRecords;
  metrics(): Metrics;
  /** The store's health (`/healthz`): `degraded` while writes fail for lack of space. */
  storeHealth(): StoreHealth;
  /** Flushes pending relaxed writes and closes the store (idempotent); call before exit. */
  close(): Promise<void>;
}
