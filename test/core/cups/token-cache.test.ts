import { describe, expect, it } from 'vitest';
import { TokenCache, type TokenEntry } from '../../../src-main/core/cups/token-cache';

const entry = (n: number): TokenEntry => ({ digest: new Uint8Array([n]), credCrc: n });

describe('TokenCache', () => {
  it('keeps entries per gateway and generation, and forgets a gateway entirely', () => {
    const c = new TokenCache(10);
    c.set('A', 0, entry(0));
    c.set('A', 1, entry(1));
    expect(c.get('A', 1)).toEqual(entry(1));
    expect(c.get('A', 2)).toBeUndefined();
    c.forget('A');
    expect(c.get('A', 0)).toBeUndefined();
  });

  it('drops the least recently used gateway when full', () => {
    const c = new TokenCache(2);
    c.set('A', 0, entry(1));
    c.set('B', 0, entry(2));
    c.get('A', 0);
    c.set('C', 0, entry(3));
    expect(c.size).toBe(2);
    expect(c.get('B', 0)).toBeUndefined();
    expect(c.get('A', 0)).toEqual(entry(1));
  });
});
