import { describe, expect, it } from 'vitest';
import { DEFAULT_CORE_CONFIG, resolveCoreConfig } from '../../src-main/core/config';

describe('resolveCoreConfig', () => {
  it('fills every default (SPEC §4.2 numbers) and merges nested fields one by one', () => {
    expect(resolveCoreConfig()).toEqual(DEFAULT_CORE_CONFIG);
    expect(DEFAULT_CORE_CONFIG).toMatchObject({
      addLimitPerOwner: 64,
      maxItems: 10_000,
      claimLockout: { perGateway: 10, windowMs: 3_600_000 },
    });
    const c = resolveCoreConfig({ claimLockout: { perOwner: 3 }, listLimit: { default: 5 } });
    expect(c.claimLockout).toEqual({ ...DEFAULT_CORE_CONFIG.claimLockout, perOwner: 3 });
    expect(c.listLimit).toEqual({ default: 5, max: 10_000 });
    expect(resolveCoreConfig({ cupsContacts: { tickMs: 50 } }).cupsContacts).toEqual({
      ...DEFAULT_CORE_CONFIG.cupsContacts,
      tickMs: 50,
    });
  });

  it('rejects numbers that are not counts and rate rules that never refill', () => {
    expect(() => resolveCoreConfig({ addLimitPerOwner: -1 })).toThrow(/addLimitPerOwner/);
    expect(() => resolveCoreConfig({ maxItems: 1.5 })).toThrow(/maxItems/);
    expect(() => resolveCoreConfig({ cupsRateLimit: { perRouter: { ratePerSecond: 0, burst: 1 } } })).toThrow(
      /perRouter/,
    );
    expect(() => resolveCoreConfig({ cupsContacts: { tickMs: 0 } })).toThrow(/cupsContacts.tickMs/);
    expect(() => resolveCoreConfig({ cupsContacts: { flushIntervalMs: -1 } })).toThrow(
      /cupsContacts.flushIntervalMs/,
    );
    expect(() => resolveCoreConfig({ cupsStateCacheEntries: 0.5 })).toThrow(/cupsStateCacheEntries/);
  });
});
