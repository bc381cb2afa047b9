/**
 * Derived CUPS tokens of batch gateways, cached per gateway and generation so the in-sync poll
 * needs no HSM call (SPEC §2, §3.6). Holds no plaintext: only SHA-256 of the token (compared in
 * constant time with the hash of the presented one) and the CRC of the cupsCred blob the server
 * would issue with it. Bounded: least recently used gateways are dropped first.
 */

/** What is remembered of one derived token. */
export interface TokenEntry {
  /** SHA-256 of the token text */
  digest: Uint8Array;
  /** CRC-32 of `serverTrust ‖ 00000000 ‖ "Authorization: Bearer <token>\r\n"`, null without a server trust */
  credCrc: number | null;
}

/** LRU map: gateway (16 hex) → generation → entry. */
export class TokenCache {
  readonly #byGateway = new Map<string, Map<number, TokenEntry>>();
  /** the key inserted last (already the most recently used): moving it again is skipped */
  #newest: string | undefined;

  constructor(private readonly maxGateways: number) {}

  /** The entry of `hex` at `generation`, marking the gateway recently used. */
  get(hex: string, generation: number): TokenEntry | undefined {
    const gens = this.#byGateway.get(hex);
    if (gens === undefined) return undefined;
    if (this.#newest !== hex) {
      // delete + set leaves a deleted slot in the Map: not done on every poll of the same gateway
      this.#byGateway.delete(hex);
      this.#byGateway.set(hex, gens);
      this.#newest = hex;
    }
    return gens.get(generation);
  }

  /** Remembers an entry. */
  set(hex: string, generation: number, entry: TokenEntry): void {
    if (this.maxGateways === 0) return;
    let gens = this.#byGateway.get(hex);
    if (gens === undefined) {
      while (this.#byGateway.size >= this.maxGateways) {
        const oldest = this.#byGateway.keys().next();
        if (oldest.done === true) break;
        this.#byGateway.delete(oldest.value);
      }
      gens = new Map();
      this.#byGateway.set(hex, gens);
      this.#newest = hex;
    }
    gens.set(generation, entry);
  }

  /** Forgets every generation of a gateway (after delete, setup, rotation). */
  forget(hex: string): void {
    this.#byGateway.delete(hex);
  }

  /** Number of gateways held. */
  get size(): number {
    return this.#byGateway.size;
  }
}
