/**
 * The CUPS tokens of batch gateways (SPEC §2) as the poll needs them: the SHA-256 digest of each
 * generation's token (to check a presented one) and the CRC of the cupsCred blob the server issues
 * with it (to see whether the station holds it, SPEC §3.3). Kept in a {@link TokenCache}, so the
 * in-sync poll needs no HSM call; a miss derives the gateway master key once through the HSM for
 * every missing generation. The blob itself is only built when it is sent ({@link CupsTokens.blob}).
 */
import { crc32 } from '../../../src-shared/crc32';
import { tokenBlob } from '../../../src-shared/cups-wire';
import type { Batch } from '../batches';
import { sha256 } from '../digest';
import { cupsKeyFileContent, cupsTokenFromGmk, deriveGmk } from '../kdf';
import type { Hsm } from '../ports';
import { TokenCache, type TokenEntry } from './token-cache';

/** Which gateway's tokens: its EUI (number and 16 hex) and the batch whose root key derives them. */
export interface TokenOwner {
  hex: string;
  id: bigint;
  batch: Batch;
}

/** Token digests and server cupsCred CRCs per gateway and generation (see the module comment). */
export class CupsTokens {
  readonly #cache: TokenCache;

  /**
   * @param trustDer the server's trust (DER) that heads every server-issued cupsCred; null = the
   *   server issues none (entries then carry `credCrc: null`)
   */
  constructor(
    private readonly hsm: Hsm,
    private readonly trustDer: Uint8Array | null,
    entries: number,
  ) {
    this.#cache = new TokenCache(entries);
  }

  /**
   * Entries of the given generations from the cache, or undefined when one is missing.
   * Synchronous, so the in-sync poll awaits nothing here.
   */
  cached(hex: string, generations: readonly number[]): TokenEntry[] | undefined {
    // a locked HSM or a pulled token fails closed: the poll goes to the HSM, which refuses (503)
    if (!this.hsm.isUnlocked()) return undefined;
    const found: TokenEntry[] = [];
    for (const g of generations) {
      const e = this.#cache.get(hex, g);
      if (e === undefined) return undefined;
      found.push(e);
    }
    return found;
  }

  /** The cached entry of one generation (synchronous), or undefined. */
  cachedEntry(hex: string, generation: number): TokenEntry | undefined {
    if (!this.hsm.isUnlocked()) return undefined;
    return this.#cache.get(hex, generation);
  }

  /** Entries of the given generations: cached ones as they are, one HSM call for all missing ones. */
  async entries(owner: TokenOwner, generations: readonly number[]): Promise<TokenEntry[]> {
    const hit = this.cached(owner.hex, generations);
    if (hit !== undefined) return hit;
    const usable = this.hsm.isUnlocked();
    const found = generations.map((g) => (usable ? this.#cache.get(owner.hex, g) : undefined));
    const gmk = await deriveGmk(this.hsm, owner.batch.brkHandle, owner.id);
    try {
      return generations.map((g, i) => {
        const known = found[i];
        if (known !== undefined) return known;
        const token = cupsTokenFromGmk(gmk, g);
        const entry: TokenEntry = { digest: sha256(token), credCrc: this.#credCrc(token) };
        this.#cache.set(owner.hex, g, entry);
        return entry;
      });
    } finally {
      gmk.fill(0);
    }
  }

  /** The entry of one generation (cache, else HSM). */
  async entry(owner: TokenOwner, generation: number): Promise<TokenEntry> {
    const [e] = await this.entries(owner, [generation]);
    return e!;
  }

  /**
   * The server-issued cupsCred of `generation` (SPEC §3.3 token blob: trust ‖ 00000000 ‖
   * cups.key content), derived through the HSM; the caller sends it and keeps no copy.
   * @throws Error without a server trust (the plan never asks then)
   */
  async blob(owner: TokenOwner, generation: number): Promise<Uint8Array> {
    if (this.trustDer === null) throw new Error('cups: no server trust to issue a cupsCred with');
    const gmk = await deriveGmk(this.hsm, owner.batch.brkHandle, owner.id);
    try {
      return tokenBlob(this.trustDer, cupsKeyFileContent(cupsTokenFromGmk(gmk, generation)));
    } finally {
      gmk.fill(0);
    }
  }

  /** Forgets every generation of a gateway (its row changed). */
  forget(hex: string): void {
    this.#cache.forget(hex);
  }

  #credCrc(token: string): number | null {
    return this.trustDer === null ? null : crc32(tokenBlob(this.trustDer, cupsKeyFileContent(token)));
  }
}
