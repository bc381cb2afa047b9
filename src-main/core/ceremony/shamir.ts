/**
 * Shamir secret sharing over GF(2^8) (docs/twin-hsm.md "Custodian backup"): each byte of the secret
 * is the constant term of its own random polynomial of degree m − 1; share x holds the polynomial
 * values at x (1…255). Any m shares give the secret back by Lagrange interpolation at 0; fewer give
 * no information. The field is GF(2^8) with the AES polynomial x^8 + x^4 + x^3 + x + 1 (0x11b).
 */

const EXP = new Uint8Array(510);
const LOG = new Uint8Array(256);
{
  let x = 1;
  for (let i = 0; i < 255; i++) {
    EXP[i] = x;
    LOG[x] = i;
    // multiply by the generator 3: x·2 ⊕ x, reduced by 0x11b
    x ^= (x << 1) ^ ((x & 0x80) !== 0 ? 0x11b : 0);
    x &= 0xff;
  }
  for (let i = 255; i < 510; i++) EXP[i] = EXP[i - 255]!;
}

const mul = (a: number, b: number): number => (a === 0 || b === 0 ? 0 : EXP[LOG[a]! + LOG[b]!]!);
const div = (a: number, b: number): number => (a === 0 ? 0 : EXP[LOG[a]! + 255 - LOG[b]!]!);

/** One share: its x coordinate (1…255) and one byte per secret byte. */
export interface Share {
  x: number;
  y: Uint8Array;
}

/**
 * Splits `secret` into `n` shares of which any `m` recover it (2 ≤ m ≤ n ≤ 255).
 * @param random source of the polynomial coefficients (the core's injected randomness)
 * @throws RangeError for bad m or n.
 */
export function splitSecret(
  secret: Uint8Array,
  n: number,
  m: number,
  random: (k: number) => Uint8Array,
): Share[] {
  if (!Number.isInteger(m) || !Number.isInteger(n) || m < 2 || n < m || n > 255) {
    throw new RangeError(`shamir: need 2 ≤ m ≤ n ≤ 255, got m=${m} n=${n}`);
  }
  const shares: Share[] = Array.from({ length: n }, (_, i) => ({
    x: i + 1,
    y: new Uint8Array(secret.length),
  }));
  for (let b = 0; b < secret.length; b++) {
    const coeffs = random(m - 1);
    for (const share of shares) share.y[b] = evalAt(coeffs, secret[b]!, share.x);
  }
  return shares;
}

/** Horner: secret + a_1·x + … + a_{m−1}·x^{m−1} with `coeffs` = a_1 … a_{m−1}. */
function evalAt(coeffs: Uint8Array, constant: number, x: number): number {
  let acc = 0;
  for (let k = coeffs.length - 1; k >= 0; k--) acc = mul(acc, x) ^ coeffs[k]!;
  return mul(acc, x) ^ constant;
}

/**
 * Recovers the secret from shares (their number must be at least the m used to split, which the
 * caller checks; with fewer the result is unrelated noise). x coordinates must be distinct.
 * @throws RangeError for duplicate x, unequal lengths, or no shares.
 */
export function combineShares(shares: readonly Share[]): Uint8Array {
  if (shares.length === 0) throw new RangeError('shamir: no shares');
  const len = shares[0]!.y.length;
  const xs = new Set<number>();
  for (const s of shares) {
    if (s.y.length !== len) throw new RangeError('shamir: shares of different lengths');
    if (s.x < 1 || s.x > 255 || xs.has(s.x)) throw new RangeError(`shamir: bad or repeated x ${s.x}`);
    xs.add(s.x);
  }
  const out = new Uint8Array(len);
  for (let i = 0; i < shares.length; i++) {
    // Lagrange basis at 0: Π_{j≠i} x_j / (x_j ⊕ x_i)
    let basis = 1;
    for (let j = 0; j < shares.length; j++) {
      if (j === i) continue;
      basis = mul(basis, div(shares[j]!.x, shares[j]!.x ^ shares[i]!.x));
    }
    const y = shares[i]!.y;
    for (let b = 0; b < len; b++) out[b]! ^= mul(y[b]!, basis);
  }
  return out;
}
