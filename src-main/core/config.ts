/**
 * Configuration of the core: limits of the Owner API (SPEC §4.2), CUPS rate limits (SPEC §3.6) and
 * the join server's own CUPS identity (SPEC §3.6, last paragraph). Every field has a default; a
 * composition root passes only what it wants to change ({@link CoreConfigInput}).
 */

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
   */
  server: { cupsUri: string | null; trustDer: Uint8Array | null };
  /** Successful adds per owner, ever (SPEC §4.2: 64). */
  addLimitPerOwner: number;
  /** Failed claim tries tolerated in a sliding window before `claim_locked` (SPEC §4.2). */
  claimLockout: { windowMs: number; perGateway: number; perOwner: number };
  /** CUPS request rates (SPEC §3.6 → 429), kept in process memory. */
  cupsRateLimit: { perRouter: RateLimitRule; perAddress: RateLimitRule };
  /** Most items in one Owner API request (SPEC §4.2). */
  maxItems: number;
  /** `list` page size: default and maximum. */
  listLimit: { default: number; max: number };
  /** Gateways whose derived CUPS token digests are cached (memory ≈ 200 bytes each). */
  tokenCacheEntries: number;
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
}

/** The defaults (SPEC §4.2 numbers where the SPEC gives one). */
export const DEFAULT_CORE_CONFIG: CoreConfig = {
  server: { cupsUri: null, trustDer: null },
  addLimitPerOwner: 64,
  claimLockout: { windowMs: 60 * 60 * 1000, perGateway: 10, perOwner: 100 },
  cupsRateLimit: {
    // a station polls once a minute at worst (SPEC §3.5); allow restarts in a row
    perRouter: { ratePerSecond: 0.2, burst: 20 },
    // many gateways may share one NAT address
    perAddress: { ratePerSecond: 200, burst: 2000 },
  },
  maxItems: 10_000,
  listLimit: { default: 100, max: 10_000 },
  tokenCacheEntries: 100_000,
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
  ];
  for (const [field, n] of counts) {
    if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`config ${field}: ${n} is not a count`);
  }
  for (const [name, rule] of Object.entries(config.cupsRateLimit)) {
    if (!(rule.ratePerSecond > 0) || !(rule.burst >= 1)) {
      throw new RangeError(`config cupsRateLimit.${name}: needs ratePerSecond > 0 and burst >= 1`);
    }
  }
  return config;
}
