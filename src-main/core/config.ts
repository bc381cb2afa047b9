/**
 * Configuration of the core: limits of the Owner API (SPEC §4.2), CUPS rate limits (SPEC §3.6) and
 * the join server's own CUPS identity (SPEC §3.6, last paragraph). Every field has a default; a
 * composition root passes only what it wants to change ({@link CoreConfigInput}).
 */
import { MAX_ITEMS, MAX_LIST_LIMIT } from '../../src-shared/contract/values';
import { MAX_CHANGES_LIMIT } from '../../src-shared/sync-api';

/** A token bucket: `ratePerSecond` tokens refill continuously up to `burst`. */
export interface RateLimitRule {
  ratePerSecond: number;
  burst: number;
}

/** The core's configuration, fully resolved. */
export interface CoreConfig {
  /**
   * The join server as the gateways' CUPS (SPEC §3.6 last paragraph, §5). Where a setup gives no
   * `cupsUri`, the desired CUPS URI is the batch's `cupsUri`, else `cupsUri` here; the desired
   * cupsCred is `trustDer` (the server's CA certificate, DER) plus the token of the gateway's
   * current generation. `null` leaves that part unmanaged (nothing is sent for it).
   * `clientCaDers`: the CA certificates (DER) the HTTPS doors verify gateway client certificates
   * against (the local CA and `gwjs serve --client-ca`), carried in site packs (docs/sync.md).
   */
  server: {
    cupsUri: string | null;
    trustDer: Uint8Array | null;
    clientCaDers?: readonly Uint8Array[] | undefined;
  };
  /** Successful adds per owner, ever (SPEC §4.2: 64). */
  addLimitPerOwner: number;
  /**
   * Failed claim tries tolerated in a sliding window before `claim_locked` (SPEC §4.2,
   * docs/security.md): `perGateway` per (gateway, owner) — one owner's failures never lock the
   * gateway for another —, `perGatewayAllOwners` per gateway over all owners (a ceiling several
   * owners must reach together), `perOwner` per owner over all gateways.
   */
  claimLockout: { windowMs: number; perGateway: number; perGatewayAllOwners: number; perOwner: number };
  /**
   * CUPS request rates (SPEC §3.6 → 429), kept in process memory (docs/cups.md "Rate limits").
   * Authenticated and unauthenticated requests never share a bucket, so nobody's failures throttle
   * a gateway that presents a valid credential.
   */
  cupsRateLimit: {
    /**
     * answered requests per router, counted only after authentication (TLS) — plain-HTTP requests,
     * which carry no credential, count in a separate bucket of the same size
     */
    perRouter: RateLimitRule;
    /** failed requests (400, 401, 403, unknown router over HTTP) per client address */
    failuresPerAddress: RateLimitRule;
  };
  /** Most items in one Owner API request (SPEC §4.2). */
  maxItems: number;
  /** `list` page size: default and maximum. */
  listLimit: { default: number; max: number };
  /** Gateways whose derived CUPS token digests are cached (memory ≈ 200 bytes each). */
  tokenCacheEntries: number;
  /**
   * Gateways whose CUPS-relevant state (gateway row and setup digest: URIs, blob CRCs, token
   * generation, auth mode, firmware) is cached for the poll hot path (memory ≈ 600 bytes each);
   * 0 reads the store on every poll.
   */
  cupsStateCacheEntries: number;
  /** The last CUPS contact per gateway (SPEC §3.6): telemetry, written behind (core README). */
  cupsContacts: {
    /** a contact that differs from the stored one only in its time is written at most this often per gateway */
    flushIntervalMs: number;
    /** pending contacts are written in one relaxed transaction at most this often */
    tickMs: number;
    /** gateways whose stored contact is remembered to skip writing an unchanged one (≈ 600 bytes each) */
    entries: number;
  };
  /**
   * Several processes share the store (PostgreSQL server mode, docs/server-mode.md): no process
   * may answer from state another one could have changed, so gateway state is never cached
   * (`cupsStateCacheEntries` is 0) and `info` shows the contacts the store holds, not this
   * process's newest (which other instances cannot see).
   */
  sharedStore: boolean;
  /** Idempotency-Key answers are kept this long (docs/sync.md: a retry later than this applies again). */
  idempotency: { ttlMs: number };
  /** change feed page size (`POST /api/v1/gateway/changes`): default and maximum. */
  changesLimit: { default: number; max: number };
}

/** What a composition root passes: any subset, nested objects merged field by field. */
export interface CoreConfigInput {
  server?: Partial<CoreConfig['server']>;
  addLimitPerOwner?: number;
  claimLockout?: Partial<CoreConfig['claimLockout']>;
  cupsRateLimit?: Partial<CoreConfig['cupsRateLimit']>;
  maxItems?: number;
  listLimit?: Partial<CoreConfig['listLimit']>;
  tokenCacheEntries?: number;
  cupsStateCacheEntries?: number;
  cupsContacts?: Partial<CoreConfig['cupsContacts']>;
  sharedStore?: boolean;
  idempotency?: Partial<CoreConfig['idempotency']>;
  changesLimit?: Partial<CoreConfig['changesLimit']>;
}

/** The defaults (SPEC §4.2 numbers where the SPEC gives one). */
export const DEFAULT_CORE_CONFIG: CoreConfig = {
  server: { cupsUri: null, trustDer: null },
  addLimitPerOwner: 64,
  claimLockout: { windowMs: 60 * 60 * 1000, perGateway: 10, perGatewayAllOwners: 50, perOwner: 100 },
  cupsRateLimit: {
    // a station polls once a minute at worst (SPEC §3.5); allow restarts in a row
    perRouter: { ratePerSecond: 0.2, burst: 20 },
    // failing stations retry once a minute (SPEC §3.5): 10 s⁻¹ is 600 of them behind one NAT
    failuresPerAddress: { ratePerSecond: 10, burst: 200 },
  },
  maxItems: MAX_ITEMS,
  listLimit: { default: 100, max: MAX_LIST_LIMIT },
  tokenCacheEntries: 100_000,
  cupsStateCacheEntries: 100_000,
  cupsContacts: { flushIntervalMs: 30_000, tickMs: 1_000, entries: 20_000 },
  sharedStore: false,
  idempotency: { ttlMs: 7 * 24 * 60 * 60 * 1000 },
  changesLimit: { default: 1000, max: MAX_CHANGES_LIMIT },
};

/** Merges `input` over the defaults and checks the numbers. @throws RangeError naming the field. */
export function resolveCoreConfig(input: CoreConfigInput = {}): CoreConfig {
  const d = DEFAULT_CORE_CONFIG;
  const config: CoreConfig = {
    server: { ...d.server, ...input.server },
    addLimitPerOwner: input.addLimitPerOwner ?? d.addLimitPerOwner,
    claimLockout: { ...d.claimLockout, ...input.claimLockout },
    cupsRateLimit: { ...d.cupsRateLimit, ...input.cupsRateLimit },
    maxItems: input.maxItems ?? d.maxItems,
    listLimit: { ...d.listLimit, ...input.listLimit },
    tokenCacheEntries: input.tokenCacheEntries ?? d.tokenCacheEntries,
    cupsStateCacheEntries: input.sharedStore ? 0 : (input.cupsStateCacheEntries ?? d.cupsStateCacheEntries),
    cupsContacts: { ...d.cupsContacts, ...input.cupsContacts },
    sharedStore: input.sharedStore ?? d.sharedStore,
    idempotency: { ...d.idempotency, ...input.idempotency },
    changesLimit: { ...d.changesLimit, ...input.changesLimit },
  };
  const counts: [string, number][] = [
    ['addLimitPerOwner', config.addLimitPerOwner],
    ['claimLockout.windowMs', config.claimLockout.windowMs],
    ['claimLockout.perGateway', config.claimLockout.perGateway],
    ['claimLockout.perOwner', config.claimLockout.perOwner],
    ['maxItems', config.maxItems],
    ['listLimit.default', config.listLimit.default],
    ['listLimit.max', config.listLimit.max],
    ['tokenCacheEntries', config.tokenCacheEntries],
    ['cupsStateCacheEntries', config.cupsStateCacheEntries],
    ['cupsContacts.flushIntervalMs', config.cupsContacts.flushIntervalMs],
    ['cupsContacts.entries', config.cupsContacts.entries],
    ['idempotency.ttlMs', config.idempotency.ttlMs],
    ['changesLimit.default', config.changesLimit.default],
    ['changesLimit.max', config.changesLimit.max],
  ];
  for (const [field, n] of counts) {
    if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`config ${field}: ${n} is not a count`);
  }
  const tick = config.cupsContacts.tickMs;
  if (!Number.isSafeInteger(tick) || tick < 1) {
    throw new RangeError(`config cupsContacts.tickMs: ${tick} is not a positive number of milliseconds`);
  }
  for (const [name, rule] of Object.entries(config.cupsRateLimit)) {
    if (!(rule.ratePerSecond > 0) || !(rule.burst >= 1)) {
      throw new RangeError(`config cupsRateLimit.${name}: needs ratePerSecond > 0 and burst >= 1`);
    }
  }
  return config;
}
