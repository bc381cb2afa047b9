/**
 * Manufacturer → owner manifest (docs/factory-line.md): the EUIs and claim PINs of a batch (or a
 * selection), encrypted to the owner's P-256 public key, so only the owner's private key opens it
 * and any change to the file is detected. Runs in Node ≥ 20 and in the browser (WebCrypto only), so
 * the owner decrypts in the claim screen without the private key ever leaving their machine.
 *
 * File format `gwjs-manifest` v1 (UTF-8 JSON):
 * ```
 * {"format":"gwjs-manifest","version":1,"protected":"<B64URL(header JSON)>","ciphertext":"<B64URL(ct ‖ tag)>"}
 * header = {"alg":"ECDH-ES-P256+HKDF-SHA256+A256GCM","kid":…,"epk":…,"iv":…,"cty":"text/csv"|"application/json",
 *           "count":N,"batch":…|null,"createdAt":ISO}
 * ```
 * - `epk`: the sender's ephemeral P-256 public key, uncompressed point (65 bytes), Base64url.
 * - `kid`: Base64url SHA-256 of the recipient's SubjectPublicKeyInfo DER (names the owner key).
 * - Z = ECDH(ephemeral private, recipient public): the 32-byte x coordinate.
 * - key = HKDF-SHA256(IKM = Z, salt = epk ‖ recipient point (65 + 65 bytes),
 *   info = "GWJS-MANIFEST-v1 A256GCM"), 32 bytes.
 * - AES-256-GCM, 96-bit random `iv`, 128-bit tag appended to the ciphertext,
 *   AAD = the ASCII bytes of the `protected` string exactly as stored — so every header field
 *   (recipient, count, batch, …) is authenticated along with the content.
 * - Plaintext: CSV `eui,id6,pin` (header line, then one gateway per line: 16 hex, ID6, 8-symbol PIN)
 *   or JSON `{"batch":…,"gateways":[{"eui","id6","pin"}]}`.
 */
import { DomainError } from './errors';
import { base64ToBytes, base64UrlNoPad, base64UrlToBytes, concatBytes, utf8 } from './bytes';
import { euiFromHex, euiHex, formatId6 } from './ids';
import { isCanonicalPin } from './pin';

/** `format` of a manifest file. */
export const MANIFEST_FORMAT = 'gwjs-manifest';
/** The one algorithm suite of v1. */
export const MANIFEST_ALG = 'ECDH-ES-P256+HKDF-SHA256+A256GCM';
/** HKDF info string (binds the key to this use). */
export const MANIFEST_HKDF_INFO = 'GWJS-MANIFEST-v1 A256GCM';
/** Largest manifest file this reader accepts (1 million gateways ≈ 60 MB of CSV). */
export const MAX_MANIFEST_CHARS = 128 * 1024 * 1024;

/** Plaintext formats. */
export type ManifestPlainFormat = 'csv' | 'json';

/** One gateway of a manifest. */
export interface ManifestEntry {
  /** 16 uppercase hex digits */
  eui: string;
  /** canonical ID6 */
  id6: string;
  /** 8-symbol claim PIN (SPEC §2), unformatted */
  pin: string;
}

/** The authenticated header of a manifest (readable without the key, but tamper-evident). */
export interface ManifestHeader {
  alg: typeof MANIFEST_ALG;
  kid: string;
  epk: string;
  iv: string;
  cty: 'text/csv' | 'application/json';
  count: number;
  batch: string | null;
  createdAt: string;
}

/** An opened manifest. */
export interface OpenedManifest {
  header: ManifestHeader;
  gateways: ManifestEntry[];
}

const CTY: Record<ManifestPlainFormat, ManifestHeader['cty']> = { csv: 'text/csv', json: 'application/json' };
const EC = { name: 'ECDH', namedCurve: 'P-256' } as const;

function subtle(): SubtleCrypto {
  const s = globalThis.crypto?.subtle;
  if (!s) throw new DomainError('internal', 'manifest: WebCrypto (crypto.subtle) is not available here');
  return s;
}

/** Copies into a fresh ArrayBuffer-backed array (WebCrypto's BufferSource typing wants that). */
function buf(b: Uint8Array): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(new ArrayBuffer(b.length));
  out.set(b);
  return out;
}

const bad = (message: string) => new DomainError('invalid_request', `manifest: ${message}`);
const cannotOpen = (message: string) => new DomainError('invalid_credential', `manifest: ${message}`);

/**
 * DER bytes of the first PEM block labelled `label` in `text` (e.g. `PUBLIC KEY`, `PRIVATE KEY`).
 * @throws DomainError('invalid_request') naming `field` when there is none or it is not Base64.
 */
export function pemBlock(text: string, label: string, field: string): Uint8Array {
  const re = new RegExp(`-----BEGIN ${label}-----([\\s\\S]*?)-----END ${label}-----`);
  const m = re.exec(text);
  if (m === null) {
    throw new DomainError('invalid_request', `${field}: expected a PEM "${label}" block`, { field });
  }
  try {
    return base64ToBytes(m[1]!.replace(/\s+/g, ''));
  } catch (e) {
    throw new DomainError(
      'invalid_request',
      `${field}: the PEM "${label}" block is not Base64 (${(e as Error).message})`,
      {
        field,
      },
    );
  }
}

/** DER TLV with a definite length (short or long form). */
function der(tag: number, body: Uint8Array): Uint8Array {
  const n = body.length;
  const len =
    n < 0x80
      ? [n]
      : n < 0x100
        ? [0x81, n]
        : n < 0x10000
          ? [0x82, n >> 8, n & 0xff]
          : [0x83, n >> 16, (n >> 8) & 0xff, n & 0xff];
  return concatBytes(new Uint8Array([tag, ...len]), body);
}

/** AlgorithmIdentifier {id-ecPublicKey, prime256v1}. */
const EC_P256_ALGORITHM = new Uint8Array([
  0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d,
  0x03, 0x01, 0x07,
]);

/**
 * The owner's private key as PKCS#8 DER from PEM text: a `PRIVATE KEY` block (PKCS#8, what
 * `openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256` writes) or an `EC PRIVATE KEY`
 * block (SEC1, `openssl ecparam -genkey`), which is wrapped into PKCS#8 for P-256.
 * @throws DomainError('invalid_request') naming `field`.
 */
export function privateKeyPkcs8FromPem(text: string, field = 'key'): Uint8Array {
  if (text.includes('-----BEGIN PRIVATE KEY-----')) return pemBlock(text, 'PRIVATE KEY', field);
  if (text.includes('-----BEGIN EC PRIVATE KEY-----')) {
    const sec1 = pemBlock(text, 'EC PRIVATE KEY', field);
    return der(0x30, concatBytes(new Uint8Array([0x02, 0x01, 0x00]), EC_P256_ALGORITHM, der(0x04, sec1)));
  }
  if (text.includes('ENCRYPTED PRIVATE KEY')) {
    throw new DomainError(
      'invalid_request',
      `${field}: the private key is passphrase-protected; export it unencrypted`,
      {
        field,
      },
    );
  }
  throw new DomainError(
    'invalid_request',
    `${field}: expected a PEM "PRIVATE KEY" or "EC PRIVATE KEY" block`,
    { field },
  );
}

/** The owner's public key as SubjectPublicKeyInfo DER from PEM text (`PUBLIC KEY` block). */
export function publicKeySpkiFromPem(text: string, field = 'ownerPublicKey'): Uint8Array {
  return pemBlock(text, 'PUBLIC KEY', field);
}

/** `kid` of a recipient key: Base64url SHA-256 of its SubjectPublicKeyInfo DER. */
export async function manifestKeyId(spkiDer: Uint8Array): Promise<string> {
  return base64UrlNoPad(new Uint8Array(await subtle().digest('SHA-256', buf(spkiDer))));
}

async function importRecipient(spkiDer: Uint8Array): Promise<{ key: CryptoKey; point: Uint8Array }> {
  let key: CryptoKey;
  try {
    key = await subtle().importKey('spki', buf(spkiDer), EC, true, []);
  } catch {
    throw new DomainError('invalid_request', 'ownerPublicKey: not a P-256 (prime256v1) public key', {
      field: 'ownerPublicKey',
    });
  }
  return { key, point: new Uint8Array(await subtle().exportKey('raw', key)) };
}

async function deriveAesKey(z: ArrayBuffer, epk: Uint8Array, recipientPoint: Uint8Array): Promise<CryptoKey> {
  const ikm = await subtle().importKey('raw', z, 'HKDF', false, ['deriveKey']);
  return subtle().deriveKey(
    {
      name: 'HKDF',
      hash: 'SHA-256',
      salt: buf(concatBytes(epk, recipientPoint)),
      info: buf(utf8(MANIFEST_HKDF_INFO)),
    },
    ikm,
    { name: 'AES-GCM', length: 256 },
    false,
    ['encrypt', 'decrypt'],
  );
}

/** The plaintext of a manifest in `format`. */
export function encodeManifestPlaintext(
  gateways: readonly ManifestEntry[],
  format: ManifestPlainFormat,
  batch: string | null,
): string {
  if (format === 'json')
    return JSON.stringify({ batch, gateways: gateways.map(({ eui, id6, pin }) => ({ eui, id6, pin })) });
  return ['eui,id6,pin', ...gateways.map((g) => `${g.eui},${g.id6},${g.pin}`)].join('\r\n') + '\r\n';
}

function entryOf(eui: unknown, pin: unknown, where: string): ManifestEntry {
  if (typeof eui !== 'string' || typeof pin !== 'string') throw bad(`${where}: expected eui and pin`);
  let id: bigint;
  try {
    id = euiFromHex(eui);
  } catch {
    throw bad(`${where}: eui ${JSON.stringify(eui.slice(0, 40))} is not 16 hex digits`);
  }
  if (!isCanonicalPin(pin)) throw bad(`${where}: the PIN is not 8 Crockford symbols`);
  return { eui: euiHex(id), id6: formatId6(id), pin };
}

/**
 * Parses a decrypted manifest plaintext.
 * @throws DomainError('invalid_request') naming the line or item that is wrong.
 */
export function parseManifestPlaintext(text: string, cty: ManifestHeader['cty']): ManifestEntry[] {
  if (cty === 'application/json') {
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch {
      throw bad('the content is not JSON');
    }
    const list = (doc as { gateways?: unknown } | null)?.gateways;
    if (!Array.isArray(list)) throw bad('the content has no "gateways" array');
    return list.map((g: unknown, i) => {
      const o = (g ?? {}) as { eui?: unknown; pin?: unknown };
      return entryOf(o.eui, o.pin, `gateways[${i}]`);
    });
  }
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  const head = lines.shift()?.trim().toLowerCase();
  if (head !== 'eui,id6,pin')
    throw bad(`the CSV header is ${JSON.stringify(head ?? '')}, expected "eui,id6,pin"`);
  return lines.map((line, i) => {
    const cells = line.split(',').map((c) => c.trim());
    if (cells.length !== 3) throw bad(`CSV line ${i + 2}: expected 3 columns, got ${cells.length}`);
    return entryOf(cells[0], cells[2], `CSV line ${i + 2}`);
  });
}

/**
 * Encrypts a manifest to the owner's P-256 public key (SubjectPublicKeyInfo DER). Returns the file
 * text. A fresh ephemeral key and IV per call.
 * @throws DomainError('invalid_request') when the key is not a P-256 public key.
 */
export async function sealManifest(input: {
  gateways: readonly ManifestEntry[];
  format: ManifestPlainFormat;
  batch: string | null;
  createdAt: string;
  recipientSpki: Uint8Array;
}): Promise<string> {
  const s = subtle();
  const recipient = await importRecipient(input.recipientSpki);
  const eph = (await s.generateKey(EC, true, ['deriveBits'])) as CryptoKeyPair;
  const epk = new Uint8Array(await s.exportKey('raw', eph.publicKey));
  const z = await s.deriveBits({ name: 'ECDH', public: recipient.key }, eph.privateKey, 256);
  const key = await deriveAesKey(z, epk, recipient.point);
  const iv = globalThis.crypto.getRandomValues(new Uint8Array(12));
  const header: ManifestHeader = {
    alg: MANIFEST_ALG,
    kid: await manifestKeyId(input.recipientSpki),
    epk: base64UrlNoPad(epk),
    iv: base64UrlNoPad(iv),
    cty: CTY[input.format],
    count: input.gateways.length,
    batch: input.batch,
    createdAt: input.createdAt,
  };
  const protectedB64 = base64UrlNoPad(utf8(JSON.stringify(header)));
  const plaintext = encodeManifestPlaintext(input.gateways, input.format, input.batch);
  const ct = await s.encrypt(
    { name: 'AES-GCM', iv: buf(iv), additionalData: buf(utf8(protectedB64)), tagLength: 128 },
    key,
    buf(utf8(plaintext)),
  );
  return `${JSON.stringify({ format: MANIFEST_FORMAT, version: 1, protected: protectedB64, ciphertext: base64UrlNoPad(new Uint8Array(ct)) })}\n`;
}

function b64url(s: unknown, what: string): Uint8Array {
  if (typeof s !== 'string') throw bad(`${what} is missing`);
  try {
    return base64UrlToBytes(s);
  } catch {
    throw bad(`${what} is not Base64url`);
  }
}

/**
 * Reads the header of a manifest file without decrypting it (what the UI shows before the key is
 * chosen). The header is only trustworthy after {@link openManifest} succeeded.
 * @throws DomainError('invalid_request') when the text is not a v1 manifest.
 */
export function readManifestHeader(fileText: string): {
  header: ManifestHeader;
  protectedB64: string;
  ciphertext: Uint8Array;
} {
  if (typeof fileText !== 'string' || fileText.length > MAX_MANIFEST_CHARS)
    throw bad('not a manifest file (too large)');
  let doc: { format?: unknown; version?: unknown; protected?: unknown; ciphertext?: unknown };
  try {
    doc = JSON.parse(fileText) as typeof doc;
  } catch {
    throw bad('not a manifest file (not JSON)');
  }
  if (doc?.format !== MANIFEST_FORMAT) throw bad(`not a manifest file (format is not "${MANIFEST_FORMAT}")`);
  if (doc.version !== 1)
    throw bad(`version ${JSON.stringify(doc.version)} is not supported (this reader knows 1)`);
  if (typeof doc.protected !== 'string') throw bad('the protected header is missing');
  const protectedB64 = doc.protected;
  let header: ManifestHeader;
  try {
    header = JSON.parse(
      new TextDecoder('utf-8', { fatal: true }).decode(b64url(protectedB64, 'the protected header')),
    ) as ManifestHeader;
  } catch (e) {
    if (e instanceof DomainError) throw e;
    throw bad('the protected header is not JSON');
  }
  if (header?.alg !== MANIFEST_ALG) throw bad(`algorithm ${JSON.stringify(header?.alg)} is not supported`);
  if (header.cty !== 'text/csv' && header.cty !== 'application/json') throw bad('unknown content type');
  return { header, protectedB64, ciphertext: b64url(doc.ciphertext, 'the ciphertext') };
}

/**
 * Decrypts a manifest with the owner's P-256 private key (PKCS#8 DER).
 * @throws DomainError('invalid_request') for a file that is not a manifest or a key that is not a
 * P-256 private key; DomainError('invalid_credential') when the file was made for another key, or
 * when the key does not open it or any byte of header or content was changed (AES-GCM tag).
 */
export async function openManifest(fileText: string, privatePkcs8: Uint8Array): Promise<OpenedManifest> {
  const s = subtle();
  const { header, protectedB64, ciphertext } = readManifestHeader(fileText);
  let priv: CryptoKey;
  let jwk: JsonWebKey;
  try {
    const extractable = await s.importKey('pkcs8', buf(privatePkcs8), EC, true, ['deriveBits']);
    jwk = await s.exportKey('jwk', extractable);
    priv = extractable;
  } catch {
    throw new DomainError('invalid_request', 'key: not a P-256 (prime256v1) private key in PKCS#8 form', {
      field: 'key',
    });
  }
  let recipientPoint: Uint8Array;
  if (typeof jwk.x === 'string' && typeof jwk.y === 'string') {
    recipientPoint = concatBytes(new Uint8Array([4]), base64UrlToBytes(jwk.x), base64UrlToBytes(jwk.y));
    const pub = await s.importKey('jwk', { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y }, EC, true, []);
    const kid = await manifestKeyId(new Uint8Array(await s.exportKey('spki', pub)));
    if (kid !== header.kid) {
      throw cannotOpen(`it was encrypted for the key ${header.kid}, not for this key (${kid})`);
    }
  } else {
    throw new DomainError('invalid_request', 'key: the private key carries no public point', {
      field: 'key',
    });
  }
  const epk = b64url(header.epk, 'epk');
  const iv = b64url(header.iv, 'iv');
  let epkKey: CryptoKey;
  try {
    epkKey = await s.importKey('raw', buf(epk), EC, false, []);
  } catch {
    throw cannotOpen('the ephemeral key in the header is not a P-256 point (the file was altered)');
  }
  const z = await s.deriveBits({ name: 'ECDH', public: epkKey }, priv, 256);
  const key = await deriveAesKey(z, epk, recipientPoint);
  let plain: ArrayBuffer;
  try {
    plain = await s.decrypt(
      { name: 'AES-GCM', iv: buf(iv), additionalData: buf(utf8(protectedB64)), tagLength: 128 },
      key,
      buf(ciphertext),
    );
  } catch {
    throw cannotOpen('authentication failed: the file was altered, or this key does not open it');
  }
  const gateways = parseManifestPlaintext(new TextDecoder().decode(plain), header.cty);
  if (gateways.length !== header.count) {
    throw cannotOpen(`the header announces ${header.count} gateways, the content holds ${gateways.length}`);
  }
  return { header, gateways };
}
