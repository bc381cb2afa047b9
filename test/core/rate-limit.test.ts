import { describe, expect, it } from 'vitest';
import { RateLimiter } from '../../src-main/core/rate-limit';

describe('RateLimiter', () => {
  it('allows a burst, then answers the seconds until the next token, refilling with time', () => {
    let now = 0;
    const rl = new RateLimiter({ burst: 2, ratePerSecond: 0.5 }, () => now);
    expect(rl.take('a')).toBe(0);
    expect(rl.take('a')).toBe(0);
    expect(rl.take('a')).toBe(2);
    expect(rl.take('b')).toBe(0);
    now += 2000;
    expect(rl.take('a')).toBe(0);
    expect(rl.take('a')).toBe(2);
  });

  it('forgets the least recently used key beyond its capacity (a fresh bucket is full)', () => {
    const now = 0;
    const rl = new RateLimiter({ burst: 1, ratePerSecond: 0.001 }, () => now, 2);
    expect(rl.take('a')).toBe(0);
    expect(rl.take('b')).toBe(0);
    expect(rl.take('c')).toBe(0); // evicts a
    expect(rl.take('b')).toBeGreaterThan(0);
    expect(rl.take('a')).toBe(0);
  });

  it('keeps a key used again recently, also when the same key is taken several times in a row', () => {
    const now = 0;
    const rl = new RateLimiter({ burst: 1, ratePerSecond: 0.001 }, () => now, 2);
    expect(rl.take('a')).toBe(0);
    expect(rl.take('b')).toBe(0);
    expect(rl.take('a')).toBeGreaterThan(0); // a is now the most recently used
    expect(rl.take('a')).toBeGreaterThan(0);
    expect(rl.take('c')).toBe(0); // evicts b, not a
    expect(rl.take('a')).toBeGreaterThan(0); // a's empty bucket was kept
    expect(rl.take('b')).toBe(0); // b was forgotten: a fresh bucket
  });
});
