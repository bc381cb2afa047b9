/**
 * PKCS#11 backend of the {@link Hsm} port (DESIGN §4, docs/twin-hsm.md): root keys, HMAC-SHA256,
 * the firmware update-signing key and the ceremony's transport keys all live on a token reached
 * through a PKCS#11 module (SoftHSM2 in tests; OpenSC for Nitrokey HSM / SmartCard-HSM,
 * yubihsm_pkcs11 for YubiHSM 2 in the field). Runs in Node (main process, CLI, tests).
 *
 * Longer than ~400 lines on purpose: one class owns the session and login state every call checks;
 * the module loading and CKR mapping (`pkcs11-module.ts`) and key forms (`key-forms.ts`) are apart.
 *
 * Objects (CKA_ID is the ASCII handle; the label is the caller's):
 * - root key `p11-brk-<hex>`: generic secret, 32 bytes, CKA_SENSITIVE, not CKA_EXTRACTABLE, SIGN
 *   (HMAC) only — what every derivation uses;
 * - its export copy (`<handle>:export`): the same secret, SENSITIVE + EXTRACTABLE, no usage but being
 *   wrapped; it exists for keys this station originated until {@link Pkcs11Hsm.sealRootKey}; a key
 *   received in a ceremony never has one;
 * - transport key pair `p11-trk-<hex>`: RSA, the private half UNWRAP only, never extractable;
 * - signing key pair `p11-sig-<hex>`: ECDSA P-256, the private half SIGN only, never extractable.
 *
 * The user PIN is given to {@link unlock} and forgotten: it is never stored. Every call runs
 * synchronously on one logged-in session (JavaScript never interleaves two calls), so concurrent
 * CUPS requests are safe; CKR_* values an operator can cause are DomainErrors of their own
 * (`pkcs11-module.ts`). A token that goes away (pulled, session closed, module finalized) locks the
 * HSM at once; {@link unlock} with the PIN brings it back without a restart.
 */
import { createHash, randomBytes } from 'node:crypto';
import { DomainError } from '../../../src-shared/errors';
import type { HsmKeyInfo, HsmStatus, KeyHandle, OaepHash, TransportPublicKey } from '../../core/ports';
import type { Hsm } from '../../core/ports';
import { ROOT_KEY_BYTES, kcvInput, kcvOf } from '../../core/kdf';
import { ecdsaRawToDer, fingerprintOf, rsaPartsOf, rsaSpkiOf, stationKeyFromEcPoint } from './key-forms';
import {
  P11,
  acquireModule,
  ensureInitialized,
  isRemovalCkr,
  rescanIfSoleUser,
  ckrOf,
  releaseModule,
  toDomainError,
  type Pkcs11Module,
} from './pkcs11-module';

type Handle = Buffer;
type Template = { type: number; value?: boolean | number | string | Buffer }[];

/** OID 1.2.840.10045.3.1.7 (P-256) as DER, the CKA_EC_PARAMS of a signing key. */
const P256_PARAMS = Buffer.from('06082a8648ce3d030107', 'hex');
const EXPORT_SUFFIX = ':export';
/** CKA_ID of the token's AES key that seals small secrets ({@link Pkcs11Hsm.sealSecret}). */
const SEAL_KEY_ID = 'p11-seal-key';
/** CKA_APPLICATION of the data objects holding sealed secrets. */
const SEALED_APPLICATION = 'gwjs-sealed';
/** How often {@link Pkcs11Hsm.isUnlocked} probes the session at most. */
const PROBE_MS = 200;

/** Where the token is and how it is used (station.json `hsm`, minus the PIN). */
export interface Pkcs11HsmOptions {
  /** path of the PKCS#11 library, e.g. /usr/lib/softhsm/libsofthsm2.so */
  module: string;
  /** token label (trailing blanks ignored); this or `tokenSerial` */
  tokenLabel?: string | undefined;
  /** token serial number */
  tokenSerial?: string | undefined;
  /** OAEP hash of new transport keys (default sha1: the only one SoftHSM2 unwraps with) */
  oaepHash?: OaepHash | undefined;
  /** RSA size of new transport keys (default 3072) */
  rsaBits?: number | undefined;
}

/** Token facts for `gwjs hsm status` and Settings. */
export interface TokenDescription {
  label: string;
  serial: string;
  model: string;
  manufacturer: string;
}

interface Open {
  slot: Handle;
  session: Handle;
  loggedIn: boolean;
  token: TokenDescription;
}

/** The PKCS#11 backend. Create with {@link Pkcs11Hsm.open}; then {@link unlock} with the user PIN. */
export class Pkcs11Hsm implements Hsm {
  #open: Open | null = null;
  #removed = false;
  #closed = false;
  /** staged (session-object) root keys of a running {@link importWrapped} */
  readonly #staged = new Map<KeyHandle, Handle>();
  /** object handles found on this session (C_FindObjects is slow on SoftHSM2's file store) */
  readonly #objects = new Map<string, Handle>();
  /** public keys read once, so they answer while locked (SPEC §3.4 key files) */
  readonly #publicKeys = new Map<KeyHandle, Uint8Array>();
  #lastKeyCount = 0;
  #probedAt = 0;
  #listeners = new Set<(status: HsmStatus) => void>();

  private constructor(
    private readonly module: Pkcs11Module,
    readonly options: Pkcs11HsmOptions,
  ) {}

  /**
   * Loads the module and finds the token (by label or serial). The HSM starts locked.
   * @throws DomainError('not_configured') when the module cannot be loaded or no such token is present.
   */
  static open(options: Pkcs11HsmOptions): Pkcs11Hsm {
    if (options.tokenLabel === undefined && options.tokenSerial === undefined) {
      throw new DomainError('invalid_request', 'tokenLabel: give the token label or its serial', {
        field: 'tokenLabel',
      });
    }
    const module = acquireModule(options.module);
    const hsm = new Pkcs11Hsm(module, options);
    try {
      hsm.#connect();
    } catch (e) {
      releaseModule(options.module);
      throw e;
    }
    return hsm;
  }

  /** How a token is named in messages. */
  get tokenName(): string {
    return this.options.tokenLabel !== undefined
      ? `token ${JSON.stringify(this.options.tokenLabel)}`
      : `token serial ${JSON.stringify(this.options.tokenSerial)}`;
  }

  /** Always true: a token has no keystore to create first. */
  isInitialized(): boolean {
    return true;
  }

  /**
   * True while logged in with the user PIN and the token is there. Cheap enough for every CUPS
   * poll: the session is probed (C_GetSessionInfo) at most every {@link PROBE_MS}, so a pulled
   * token is noticed within that time even without a USB event.
   */
  isUnlocked(): boolean {
    const open = this.#open;
    if (open?.loggedIn !== true) return false;
    const now = Date.now();
    if (now - this.#probedAt >= PROBE_MS) {
      this.#probedAt = now;
      try {
        this.module.C_GetSessionInfo(open.session);
      } catch (e) {
        this.#fail(e, 'C_GetSessionInfo');
        return this.#open?.loggedIn === true;
      }
    }
    return true;
  }

  /** The token's label, serial, model and manufacturer (as last seen). */
  token(): TokenDescription | undefined {
    return this.#open?.token;
  }

  /**
   * Logs in with the user PIN (re-finding the token first when it was removed). The PIN is not kept.
   * @throws DomainError('hsm_pin_incorrect' | 'hsm_pin_locked' | 'hsm_token_removed' | 'not_configured')
   */
  async unlock(pin: string): Promise<void> {
    if (typeof pin !== 'string' || pin.length === 0) {
      throw new DomainError('hsm_pin_incorrect', 'pin: the token PIN is empty', { field: 'pin' });
    }
    this.#requireNotClosed();
    if (this.#open === null || this.#removed) this.#connect();
    const open = this.#open!;
    if (open.loggedIn) return;
    try {
      this.module.C_Login(open.session, P11.CKU_USER, pin);
    } catch (e) {
      if (ckrOf(e) !== 'CKR_USER_ALREADY_LOGGED_IN') throw this.#fail(e, 'C_Login');
    }
    open.loggedIn = true;
    this.#emit();
  }

  /** Logs out (the keys stay on the token, unusable until the PIN is given again). Idempotent. */
  lock(): void {
    const open = this.#open;
    this.#dropStaged();
    this.#objects.clear();
    if (open?.loggedIn === true) {
      open.loggedIn = false;
      try {
        this.module.C_Logout(open.session);
      } catch {
        // a session that is gone is logged out too
      }
      this.#emit();
    }
  }

  /**
   * The token went away (USB detach, or a failed call saw it): locks at once, forgets the session;
   * the next {@link unlock} finds the token again.
   */
  markRemoved(): void {
    const wasUsable = this.#open !== null && !this.#removed;
    this.#staged.clear();
    this.#objects.clear();
    this.#closeSession();
    this.#removed = true;
    if (wasUsable) this.#emit();
  }

  /**
   * Probes the session now (a USB detach of some token vendor's device): when the token is gone the
   * HSM is locked at once ({@link markRemoved}). Answers whether it is still there.
   */
  checkPresence(): boolean {
    const open = this.#open;
    if (open === null || this.#removed) return false;
    try {
      this.module.C_GetSessionInfo(open.session);
      this.#probedAt = Date.now();
      return true;
    } catch (e) {
      this.#fail(e, 'C_GetSessionInfo');
      return this.#open !== null && !this.#removed;
    }
  }

  /** Closes the open session, if any (one already gone with its token is forgotten all the same). */
  #closeSession(): void {
    if (this.#open !== null) {
      try {
        this.module.C_CloseSession(this.#open.session);
      } catch {
        // already gone with the token
      }
    }
    this.#open = null;
  }

  /** Calls `listener` with the new status whenever the lock or presence state changes. */
  onStatusChange(listener: (status: HsmStatus) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Logs out, closes the session and releases the module. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.lock();
    this.#closeSession();
    this.#closed = true;
    this.#listeners.clear();
    releaseModule(this.options.module);
  }

  /** {@inheritDoc Hsm.status} */
  async status(): Promise<HsmStatus> {
    if (this.isUnlocked()) {
      try {
        this.#lastKeyCount = this.#find({ class: P11.CKO_SECRET_KEY, idPrefix: 'p11-brk-' }).filter(
          (h) => !h.id.endsWith(EXPORT_SUFFIX),
        ).length;
      } catch {
        // #fail marked the token removed: answered below
      }
    }
    const token = this.#open?.token;
    const where =
      token === undefined
        ? this.tokenName
        : `token "${token.label}" (serial ${token.serial}, ${token.model})`;
    return {
      kind: 'pkcs11',
      locked: !this.isUnlocked(),
      keyCount: this.#lastKeyCount,
      detail: `${where} via ${this.options.module}${this.#removed ? ' — token removed' : ''}`,
      tokenRemoved: this.#removed,
    };
  }

  /** {@inheritDoc Hsm.generateRootKey} — generated on the token; never seen by this process. */
  async generateRootKey(label: string): Promise<KeyHandle> {
    checkLabel(label);
    const s = this.#session();
    const handle = newHandle('p11-brk-');
    const tmp = this.#call('C_GenerateKey', () =>
      this.module.C_GenerateKey(s, { mechanism: P11.CKM_GENERIC_SECRET_KEY_GEN }, [
        ...secretBase(handle, label, false),
        { type: P11.CKA_VALUE_LEN, value: ROOT_KEY_BYTES },
        { type: P11.CKA_EXTRACTABLE, value: true },
      ]),
    );
    return this.#persistRoot(s, tmp, handle, label, true);
  }

  /** {@inheritDoc Hsm.importRootKey} — created on the token as a sensitive generic secret. */
  async importRootKey(label: string, raw: Uint8Array): Promise<KeyHandle> {
    checkLabel(label);
    if (!(raw instanceof Uint8Array) || raw.length !== ROOT_KEY_BYTES) {
      throw new DomainError('invalid_request', `rootKey: must be ${ROOT_KEY_BYTES} bytes`, {
        field: 'rootKey',
      });
    }
    const s = this.#session();
    const handle = newHandle('p11-brk-');
    const value = Buffer.from(raw);
    try {
      const tmp = this.#call('C_CreateObject', () =>
        this.module.C_CreateObject(s, [
          ...secretBase(handle, label, false),
          { type: P11.CKA_VALUE, value },
          { type: P11.CKA_EXTRACTABLE, value: true },
        ]),
      );
      return this.#persistRoot(s, tmp, handle, label, true);
    } finally {
      value.fill(0);
    }
  }

  /** {@inheritDoc Hsm.hmac} — CKM_SHA256_HMAC on the token. */
  async hmac(handle: KeyHandle, data: Uint8Array): Promise<Uint8Array> {
    return this.#hmacSync(handle, data);
  }

  /** {@inheritDoc Hsm.kcv} */
  async kcv(handle: KeyHandle): Promise<string> {
    return kcvOf(this.#hmacSync(handle, kcvInput()));
  }

  /** {@inheritDoc Hsm.hasKey} */
  async hasKey(handle: KeyHandle): Promise<boolean> {
    if (this.#publicKeys.has(handle)) return true;
    if (!this.isUnlocked()) return false;
    return (
      this.#object(
        handle,
        handle.startsWith('p11-sig-') ? P11.CKO_PRIVATE_KEY : P11.CKO_SECRET_KEY,
        false,
      ) !== null
    );
  }

  /** {@inheritDoc Hsm.generateSigningKey} — CKM_EC_KEY_PAIR_GEN on P-256. */
  async generateSigningKey(label: string): Promise<KeyHandle> {
    checkLabel(label);
    const s = this.#session();
    const handle = newHandle('p11-sig-');
    const id = Buffer.from(handle, 'ascii');
    const pair = this.#call('C_GenerateKeyPair', () =>
      this.module.C_GenerateKeyPair(
        s,
        { mechanism: P11.CKM_EC_KEY_PAIR_GEN },
        [
          ...publicHalf(id, label),
          { type: P11.CKA_EC_PARAMS, value: P256_PARAMS },
          { type: P11.CKA_VERIFY, value: true },
        ],
        [...privateHalf(id, label), { type: P11.CKA_SIGN, value: true }],
      ),
    );
    this.#publicKeys.set(handle, this.#ecPublic(s, pair.publicKey));
    return handle;
  }

  /** {@inheritDoc Hsm.sign} — SHA-512 here (not secret), CKM_ECDSA on the token, raw r‖s → DER. */
  async sign(handle: KeyHandle, data: Uint8Array): Promise<Uint8Array> {
    const s = this.#session();
    const key = this.#requireObject(handle, P11.CKO_PRIVATE_KEY, 'signing key');
    const digest = createHash('sha512').update(data).digest();
    const raw = this.#call('C_Sign', () => {
      this.module.C_SignInit(s, { mechanism: P11.CKM_ECDSA }, key);
      return this.module.C_Sign(s, digest, Buffer.alloc(132));
    });
    return ecdsaRawToDer(raw);
  }

  /** {@inheritDoc Hsm.publicKey} — from memory once read; else from the public object on the token. */
  async publicKey(handle: KeyHandle): Promise<Uint8Array> {
    const known = this.#publicKeys.get(handle);
    if (known !== undefined) return new Uint8Array(known);
    const s = this.#session(false);
    const obj = this.#object(handle, P11.CKO_PUBLIC_KEY, false);
    if (obj === null)
      throw new DomainError('not_found', `hsm: no signing key with handle ${JSON.stringify(handle)}`);
    const key = this.#ecPublic(s, obj);
    this.#publicKeys.set(handle, key);
    return new Uint8Array(key);
  }

  /** {@inheritDoc Hsm.listKeys} */
  async listKeys(): Promise<HsmKeyInfo[]> {
    const s = this.#session();
    const out: HsmKeyInfo[] = [];
    const secrets = this.#find({ class: P11.CKO_SECRET_KEY, idPrefix: 'p11-brk-' });
    const exportable = new Set(
      secrets.filter((o) => o.id.endsWith(EXPORT_SUFFIX)).map((o) => o.id.slice(0, -EXPORT_SUFFIX.length)),
    );
    for (const o of secrets) {
      if (o.id.endsWith(EXPORT_SUFFIX)) continue;
      out.push({
        handle: o.id,
        label: o.label,
        kind: 'root',
        kcv: kcvOf(this.#hmacOn(s, o.obj, kcvInput())),
        exportable: exportable.has(o.id),
        fingerprint: null,
      });
    }
    for (const o of this.#find({ class: P11.CKO_PRIVATE_KEY, idPrefix: 'p11-sig-' })) {
      out.push({
        handle: o.id,
        label: o.label,
        kind: 'signing',
        kcv: null,
        exportable: false,
        fingerprint: null,
      });
    }
    for (const t of await this.#transportKeys()) {
      out.push({
        handle: t.handle,
        label: t.label,
        kind: 'transport',
        kcv: null,
        exportable: false,
        fingerprint: t.fingerprint,
      });
    }
    this.#lastKeyCount = out.filter((k) => k.kind === 'root').length;
    return out;
  }

  /** {@inheritDoc Hsm.createTransportKey} — CKM_RSA_PKCS_KEY_PAIR_GEN; the private half UNWRAP only. */
  async createTransportKey(label: string): Promise<TransportPublicKey> {
    checkLabel(label);
    const s = this.#session();
    const handle = newHandle('p11-trk-');
    const id = Buffer.from(handle, 'ascii');
    const bits = this.options.rsaBits ?? 3072;
    const oaepHash = this.options.oaepHash ?? 'sha1';
    const pair = this.#call('C_GenerateKeyPair', () =>
      this.module.C_GenerateKeyPair(
        s,
        { mechanism: P11.CKM_RSA_PKCS_KEY_PAIR_GEN },
        [
          ...publicHalf(id, `${label} [oaep-${oaepHash}]`),
          { type: P11.CKA_MODULUS_BITS, value: bits },
          { type: P11.CKA_PUBLIC_EXPONENT, value: Buffer.from([1, 0, 1]) },
          { type: P11.CKA_WRAP, value: true },
          { type: P11.CKA_ENCRYPT, value: false },
          { type: P11.CKA_VERIFY, value: false },
        ],
        [
          ...privateHalf(id, label),
          { type: P11.CKA_UNWRAP, value: true },
          { type: P11.CKA_DECRYPT, value: false },
          { type: P11.CKA_SIGN, value: false },
        ],
      ),
    );
    const spki = this.#rsaPublic(s, pair.publicKey);
    return { handle, spki, fingerprint: fingerprintOf(spki), oaepHash };
  }

  /** {@inheritDoc Hsm.findTransportKey} */
  async findTransportKey(fingerprint: string): Promise<TransportPublicKey | undefined> {
    const hit = (await this.#transportKeys()).find((t) => t.fingerprint === fingerprint.toLowerCase());
    if (hit === undefined) return undefined;
    return { handle: hit.handle, spki: hit.spki, fingerprint: hit.fingerprint, oaepHash: hit.oaepHash };
  }

  /** {@inheritDoc Hsm.exportWrapped} — C_WrapKey(CKM_RSA_PKCS_OAEP) of the export copy. */
  async exportWrapped(
    handle: KeyHandle,
    to: Pick<TransportPublicKey, 'spki' | 'oaepHash'>,
  ): Promise<Uint8Array> {
    const s = this.#session();
    this.#requireObject(handle, P11.CKO_SECRET_KEY, 'root key');
    const copy = this.#object(handle + EXPORT_SUFFIX, P11.CKO_SECRET_KEY, false);
    if (copy === null) {
      throw new DomainError(
        'key_not_exportable',
        `hsm: root key ${handle} cannot leave this token (received from a twin, or sealed)`,
      );
    }
    const { modulus, exponent } = rsaPartsOf(to.spki);
    const pub = this.#call('C_CreateObject', () =>
      this.module.C_CreateObject(s, [
        { type: P11.CKA_CLASS, value: P11.CKO_PUBLIC_KEY },
        { type: P11.CKA_KEY_TYPE, value: P11.CKK_RSA },
        { type: P11.CKA_TOKEN, value: false },
        { type: P11.CKA_WRAP, value: true },
        { type: P11.CKA_MODULUS, value: modulus },
        { type: P11.CKA_PUBLIC_EXPONENT, value: exponent },
      ]),
    );
    try {
      let out: Buffer;
      try {
        out = this.#call('C_WrapKey', () =>
          this.module.C_WrapKey(s, oaepMechanism(to.oaepHash), pub, copy, Buffer.alloc(modulus.length + 16)),
        );
      } catch (e) {
        if ((e as DomainError).attributes?.ckr !== 'CKR_ARGUMENTS_BAD' || to.oaepHash === 'sha1') throw e;
        throw new DomainError(
          'hsm_mechanism_unsupported',
          'pkcs11: this token cannot wrap with RSA-OAEP SHA-256 (SoftHSM2 only does SHA-1): create the transport key with --oaep-hash sha1',
        );
      }
      return new Uint8Array(out);
    } finally {
      this.#destroyQuietly(s, pub);
    }
  }

  /** {@inheritDoc Hsm.importWrapped} — C_UnwrapKey into a session object, kept only after `check`. */
  async importWrapped(
    transport: KeyHandle,
    wrapped: Uint8Array,
    label: string,
    check: (staged: KeyHandle) => Promise<void>,
  ): Promise<KeyHandle> {
    checkLabel(label);
    const s = this.#session();
    const priv = this.#requireObject(transport, P11.CKO_PRIVATE_KEY, 'transport key');
    const handle = newHandle('p11-brk-');
    let staged: Handle;
    try {
      staged = this.#call('C_UnwrapKey', () =>
        this.module.C_UnwrapKey(s, oaepMechanism(this.#oaepOf(s, transport)), priv, Buffer.from(wrapped), [
          ...secretBase(handle, label, false),
          { type: P11.CKA_EXTRACTABLE, value: false },
        ]),
      );
    } catch (e) {
      // OAEP decoding fails alike for another key and for damaged bytes (SoftHSM2: CKR_FUNCTION_FAILED)
      const code = (e as DomainError).code;
      if (code !== 'hsm_error' && code !== 'ceremony_wrong_key') throw e;
      throw new DomainError('ceremony_wrong_key', 'wrapped key: it does not unwrap with this transport key');
    }
    this.#staged.set(handle, staged);
    try {
      // SoftHSM2 leaves CKA_VALUE_LEN of an unwrapped secret at 0 and refuses it in the template:
      // the caller's check (KCV and file MAC under the staged key) is what proves the key
      await check(handle);
      this.#call('C_CopyObject', () =>
        this.module.C_CopyObject(s, staged, [{ type: P11.CKA_TOKEN, value: true }]),
      );
      return handle;
    } finally {
      this.#staged.delete(handle);
      this.#destroyQuietly(s, staged);
    }
  }

  /** {@inheritDoc Hsm.sealRootKey} — destroys the export copy. */
  async sealRootKey(handle: KeyHandle): Promise<void> {
    const s = this.#session();
    this.#requireObject(handle, P11.CKO_SECRET_KEY, 'root key');
    const copy = this.#object(handle + EXPORT_SUFFIX, P11.CKO_SECRET_KEY, false);
    if (copy !== null) {
      this.#objects.delete(`${P11.CKO_SECRET_KEY}:${handle}${EXPORT_SUFFIX}`);
      this.#call('C_DestroyObject', () => this.module.C_DestroyObject(s, copy));
    }
  }

  /**
   * {@inheritDoc Hsm.sealSecret} — AES-256-GCM on the token (`CKM_AES_GCM`, 96-bit random IV,
   * 128-bit tag, AAD `secret:<name>`) under one non-extractable AES key generated on the token
   * (`p11-seal-key`, ENCRYPT/DECRYPT only); the IV ‖ ciphertext is kept on the token as a private
   * data object (application `gwjs-sealed`, label = name). `null` removes it.
   */
  async sealSecret(name: string, value: Uint8Array | null): Promise<void> {
    checkSecretName(name);
    const s = this.#session();
    for (const old of this.#sealedObjects(s, name)) {
      this.#call('C_DestroyObject', () => this.module.C_DestroyObject(s, old));
    }
    if (value === null) return;
    const key = this.#sealKey(s, true)!;
    const iv = randomBytes(12);
    const plain = Buffer.from(value);
    let sealed: Buffer;
    try {
      sealed = this.#call('C_Encrypt', () => {
        this.module.C_EncryptInit(s, gcmMechanism(iv, name), key);
        return this.module.C_Encrypt(s, plain, Buffer.alloc(plain.length + 16));
      });
    } finally {
      plain.fill(0);
    }
    this.#call('C_CreateObject', () =>
      this.module.C_CreateObject(s, [
        { type: P11.CKA_CLASS, value: P11.CKO_DATA },
        { type: P11.CKA_TOKEN, value: true },
        { type: P11.CKA_PRIVATE, value: true },
        { type: P11.CKA_MODIFIABLE, value: false },
        { type: P11.CKA_APPLICATION, value: SEALED_APPLICATION },
        { type: P11.CKA_LABEL, value: name },
        { type: P11.CKA_VALUE, value: Buffer.concat([iv, sealed]) },
      ]),
    );
  }

  /**
   * {@inheritDoc Hsm.unsealSecret} — decrypted on the token; a blob that does not open (edited on
   * the token, or sealed under another key) is `store_corrupt`, never a plaintext guess.
   */
  async unsealSecret(name: string): Promise<Uint8Array | undefined> {
    checkSecretName(name);
    const s = this.#session();
    const [obj] = this.#sealedObjects(s, name);
    if (obj === undefined) return undefined;
    const key = this.#sealKey(s, false);
    const [attr] = this.#call('C_GetAttributeValue', () =>
      this.module.C_GetAttributeValue(s, obj, [{ type: P11.CKA_VALUE }]),
    );
    const blob = attr?.value as Buffer | undefined;
    const corrupt = () =>
      new DomainError(
        'store_corrupt',
        `hsm: the sealed secret ${JSON.stringify(name)} does not open on this token`,
      );
    if (key === null || blob === undefined || blob.length < 12 + 16) throw corrupt();
    try {
      this.module.C_DecryptInit(s, gcmMechanism(blob.subarray(0, 12), name), key);
      const plain = this.module.C_Decrypt(s, blob.subarray(12), Buffer.alloc(blob.length));
      return new Uint8Array(plain);
    } catch (e) {
      if (isRemovalCkr(ckrOf(e))) throw this.#fail(e, 'C_Decrypt');
      throw corrupt();
    }
  }

  /**
   * PKCS#11 attributes of a root key as the token reports them (tests and `gwjs hsm status`
   * verify CKA_SENSITIVE = true, CKA_EXTRACTABLE = false).
   */
  rootKeyAttributes(handle: KeyHandle): {
    sensitive: boolean;
    extractable: boolean;
    alwaysSensitive: boolean;
  } {
    const s = this.#session();
    const obj = this.#requireObject(handle, P11.CKO_SECRET_KEY, 'root key');
    const attrs = this.#call('C_GetAttributeValue', () =>
      this.module.C_GetAttributeValue(s, obj, [
        { type: P11.CKA_SENSITIVE },
        { type: P11.CKA_EXTRACTABLE },
        { type: P11.CKA_ALWAYS_SENSITIVE },
      ]),
    );
    const flag = (i: number) => (attrs[i]?.value as Buffer | undefined)?.[0] === 1;
    return { sensitive: flag(0), extractable: flag(1), alwaysSensitive: flag(2) };
  }

  // ---- internals -------------------------------------------------------------------------------

  #connect(): void {
    ensureInitialized(this.options.module);
    if (this.#tryConnect()) return;
    if (rescanIfSoleUser(this.options.module) && this.#tryConnect()) return;
    this.#removed = true;
    throw new DomainError(
      'hsm_token_removed',
      `pkcs11: no ${this.tokenName} is present (module ${this.options.module})`,
    );
  }

  #tryConnect(): boolean {
    const slots = this.#call('C_GetSlotList', () => this.module.C_GetSlotList(true));
    for (const slot of slots) {
      const info = this.module.C_GetTokenInfo(slot);
      const token: TokenDescription = {
        label: info.label.trim(),
        serial: info.serialNumber.trim(),
        model: info.model.trim(),
        manufacturer: info.manufacturerID.trim(),
      };
      const wanted =
        this.options.tokenLabel !== undefined
          ? token.label === this.options.tokenLabel
          : token.serial === this.options.tokenSerial;
      if (!wanted) continue;
      const session = this.#call('C_OpenSession', () =>
        this.module.C_OpenSession(slot, P11.CKF_SERIAL_SESSION | P11.CKF_RW_SESSION),
      );
      this.#objects.clear();
      this.#open = { slot, session, loggedIn: false, token };
      this.#removed = false;
      return true;
    }
    return false;
  }

  #session(needLogin = true): Handle {
    this.#requireNotClosed();
    const open = this.#open;
    if (open === null || this.#removed) {
      throw new DomainError(
        'hsm_token_removed',
        `pkcs11: ${this.tokenName} was removed; plug it in and unlock with its PIN`,
      );
    }
    if (needLogin && !open.loggedIn)
      throw new DomainError('hsm_locked', `pkcs11: ${this.tokenName} is locked (enter its PIN)`);
    return open.session;
  }

  #requireNotClosed(): void {
    if (this.#closed) throw new DomainError('hsm_error', 'pkcs11: this HSM was closed');
  }

  /** Runs one PKCS#11 call; a failure becomes a DomainError, a vanished token locks the HSM. */
  #call<T>(op: string, fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      throw this.#fail(e, op);
    }
  }

  #fail(e: unknown, op: string): DomainError {
    if (isRemovalCkr(ckrOf(e))) this.markRemoved();
    return toDomainError(e, op);
  }

  #emit(): void {
    if (this.#listeners.size === 0) return;
    void this.status().then((st) => {
      for (const l of this.#listeners) l(st);
    });
  }

  #hmacSync(handle: KeyHandle, data: Uint8Array): Uint8Array {
    const s = this.#session();
    return this.#hmacOn(s, this.#requireObject(handle, P11.CKO_SECRET_KEY, 'root key'), data);
  }

  #hmacOn(s: Handle, key: Handle, data: Uint8Array): Uint8Array {
    const mac = this.#call('C_Sign', () => {
      this.module.C_SignInit(s, { mechanism: P11.CKM_SHA256_HMAC }, key);
      return this.module.C_Sign(s, Buffer.from(data.buffer, data.byteOffset, data.length), Buffer.alloc(32));
    });
    return new Uint8Array(mac.buffer, mac.byteOffset, mac.length);
  }

  /** Copies the temporary secret into the token root key (and its export copy), then destroys it. */
  #persistRoot(s: Handle, tmp: Handle, handle: KeyHandle, label: string, exportable: boolean): KeyHandle {
    try {
      if (exportable) {
        this.#call('C_CopyObject', () =>
          this.module.C_CopyObject(s, tmp, [
            { type: P11.CKA_TOKEN, value: true },
            { type: P11.CKA_ID, value: Buffer.from(handle + EXPORT_SUFFIX, 'ascii') },
            { type: P11.CKA_SIGN, value: false },
            { type: P11.CKA_VERIFY, value: false },
          ]),
        );
      }
      this.#call('C_CopyObject', () =>
        this.module.C_CopyObject(s, tmp, [
          { type: P11.CKA_TOKEN, value: true },
          { type: P11.CKA_EXTRACTABLE, value: false },
        ]),
      );
    } finally {
      this.#destroyQuietly(s, tmp);
    }
    return handle;
  }

  #destroyQuietly(s: Handle, obj: Handle): void {
    try {
      this.module.C_DestroyObject(s, obj);
    } catch {
      // a session object dies with its session anyway
    }
  }

  #dropStaged(): void {
    const open = this.#open;
    for (const obj of this.#staged.values()) if (open !== null) this.#destroyQuietly(open.session, obj);
    this.#staged.clear();
  }

  #requireObject(handle: KeyHandle, cls: number, what: string): Handle {
    const obj = this.#object(handle, cls, true);
    if (obj === null)
      throw new DomainError('not_found', `hsm: no ${what} with handle ${JSON.stringify(handle)}`);
    return obj;
  }

  #object(handle: KeyHandle, cls: number, needLogin: boolean): Handle | null {
    const staged = this.#staged.get(handle);
    if (staged !== undefined) return staged;
    if (typeof handle !== 'string' || !handle.startsWith('p11-')) return null;
    const s = this.#session(needLogin);
    const key = `${cls}:${handle}`;
    const known = this.#objects.get(key);
    if (known !== undefined) return known;
    const found = this.#call('C_FindObjects', () => {
      this.module.C_FindObjectsInit(s, [
        { type: P11.CKA_CLASS, value: cls },
        { type: P11.CKA_ID, value: Buffer.from(handle, 'ascii') },
        { type: P11.CKA_TOKEN, value: true },
      ]);
      try {
        return this.module.C_FindObjects(s);
      } finally {
        this.module.C_FindObjectsFinal(s);
      }
    });
    if (found !== null) this.#objects.set(key, found);
    return found;
  }

  #find(q: { class: number; idPrefix: string }): { id: string; label: string; obj: Handle }[] {
    const s = this.#session();
    const objs = this.#call('C_FindObjects', () => {
      this.module.C_FindObjectsInit(s, [
        { type: P11.CKA_CLASS, value: q.class },
        { type: P11.CKA_TOKEN, value: true },
      ]);
      try {
        return this.module.C_FindObjects(s, 10_000);
      } finally {
        this.module.C_FindObjectsFinal(s);
      }
    });
    const out: { id: string; label: string; obj: Handle }[] = [];
    for (const obj of objs) {
      const [id, label] = this.#call('C_GetAttributeValue', () =>
        this.module.C_GetAttributeValue(s, obj, [{ type: P11.CKA_ID }, { type: P11.CKA_LABEL }]),
      );
      const idText = (id?.value as Buffer | undefined)?.toString('ascii') ?? '';
      if (!idText.startsWith(q.idPrefix)) continue;
      out.push({ id: idText, label: (label?.value as Buffer | undefined)?.toString('utf8') ?? '', obj });
    }
    return out;
  }

  /** The token's sealing key (created on first use when `create`), or null. */
  #sealKey(s: Handle, create: boolean): Handle | null {
    const known = this.#object(SEAL_KEY_ID, P11.CKO_SECRET_KEY, true);
    if (known !== null || !create) return known;
    const key = this.#call('C_GenerateKey', () =>
      this.module.C_GenerateKey(s, { mechanism: P11.CKM_AES_KEY_GEN }, [
        { type: P11.CKA_CLASS, value: P11.CKO_SECRET_KEY },
        { type: P11.CKA_KEY_TYPE, value: P11.CKK_AES },
        { type: P11.CKA_VALUE_LEN, value: 32 },
        { type: P11.CKA_TOKEN, value: true },
        { type: P11.CKA_PRIVATE, value: true },
        { type: P11.CKA_SENSITIVE, value: true },
        { type: P11.CKA_EXTRACTABLE, value: false },
        { type: P11.CKA_ENCRYPT, value: true },
        { type: P11.CKA_DECRYPT, value: true },
        { type: P11.CKA_SIGN, value: false },
        { type: P11.CKA_WRAP, value: false },
        { type: P11.CKA_UNWRAP, value: false },
        { type: P11.CKA_DERIVE, value: false },
        { type: P11.CKA_ID, value: Buffer.from(SEAL_KEY_ID, 'ascii') },
        { type: P11.CKA_LABEL, value: 'gwjs sealed secrets' },
      ]),
    );
    this.#objects.set(`${P11.CKO_SECRET_KEY}:${SEAL_KEY_ID}`, key);
    return key;
  }

  /** The data objects holding the sealed secret `name` (normally one). */
  #sealedObjects(s: Handle, name: string): Handle[] {
    return this.#call('C_FindObjects', () => {
      this.module.C_FindObjectsInit(s, [
        { type: P11.CKA_CLASS, value: P11.CKO_DATA },
        { type: P11.CKA_TOKEN, value: true },
        { type: P11.CKA_APPLICATION, value: SEALED_APPLICATION },
        { type: P11.CKA_LABEL, value: name },
      ]);
      try {
        return this.module.C_FindObjects(s, 16);
      } finally {
        this.module.C_FindObjectsFinal(s);
      }
    });
  }

  async #transportKeys(): Promise<(TransportPublicKey & { label: string })[]> {
    const s = this.#session();
    const out: (TransportPublicKey & { label: string })[] = [];
    for (const o of this.#find({ class: P11.CKO_PUBLIC_KEY, idPrefix: 'p11-trk-' })) {
      const spki = this.#rsaPublic(s, o.obj);
      const oaep = /\[oaep-(sha1|sha256)\]$/.exec(o.label);
      out.push({
        handle: o.id,
        label: o.label.replace(/ \[oaep-(sha1|sha256)\]$/, ''),
        spki,
        fingerprint: fingerprintOf(spki),
        oaepHash: (oaep?.[1] as OaepHash | undefined) ?? 'sha1',
      });
    }
    return out;
  }

  /** The OAEP hash a transport key was made for (kept in its public object's label). */
  #oaepOf(s: Handle, transport: KeyHandle): OaepHash {
    const pub = this.#object(transport, P11.CKO_PUBLIC_KEY, true);
    if (pub === null) return this.options.oaepHash ?? 'sha1';
    const [label] = this.module.C_GetAttributeValue(s, pub, [{ type: P11.CKA_LABEL }]);
    const m = /\[oaep-(sha1|sha256)\]$/.exec((label?.value as Buffer | undefined)?.toString('utf8') ?? '');
    return (m?.[1] as OaepHash | undefined) ?? this.options.oaepHash ?? 'sha1';
  }

  #rsaPublic(s: Handle, obj: Handle): Uint8Array {
    const [n, e] = this.#call('C_GetAttributeValue', () =>
      this.module.C_GetAttributeValue(s, obj, [{ type: P11.CKA_MODULUS }, { type: P11.CKA_PUBLIC_EXPONENT }]),
    );
    return rsaSpkiOf(n!.value as Buffer, e!.value as Buffer);
  }

  #ecPublic(s: Handle, obj: Handle): Uint8Array {
    const [point] = this.#call('C_GetAttributeValue', () =>
      this.module.C_GetAttributeValue(s, obj, [{ type: P11.CKA_EC_POINT }]),
    );
    return stationKeyFromEcPoint(point!.value as Buffer);
  }
}

/** The head of a key pair's public half: a public token object named by `id` and `label`. */
function publicHalf(id: Buffer, label: string): Template {
  return [
    { type: P11.CKA_TOKEN, value: true },
    { type: P11.CKA_PRIVATE, value: false },
    { type: P11.CKA_ID, value: id },
    { type: P11.CKA_LABEL, value: label },
  ];
}

/** The head of a key pair's private half: a private, sensitive, non-extractable token object. */
function privateHalf(id: Buffer, label: string): Template {
  return [
    { type: P11.CKA_TOKEN, value: true },
    { type: P11.CKA_PRIVATE, value: true },
    { type: P11.CKA_ID, value: id },
    { type: P11.CKA_LABEL, value: label },
    { type: P11.CKA_SENSITIVE, value: true },
    { type: P11.CKA_EXTRACTABLE, value: false },
  ];
}

/** Attributes every root-key object shares: a private, sensitive generic secret used only for HMAC. */
function secretBase(handle: KeyHandle, label: string, token: boolean): Template {
  return [
    { type: P11.CKA_CLASS, value: P11.CKO_SECRET_KEY },
    { type: P11.CKA_KEY_TYPE, value: P11.CKK_GENERIC_SECRET },
    { type: P11.CKA_TOKEN, value: token },
    { type: P11.CKA_PRIVATE, value: true },
    { type: P11.CKA_SENSITIVE, value: true },
    { type: P11.CKA_SIGN, value: true },
    { type: P11.CKA_VERIFY, value: true },
    { type: P11.CKA_ENCRYPT, value: false },
    { type: P11.CKA_DECRYPT, value: false },
    { type: P11.CKA_WRAP, value: false },
    { type: P11.CKA_UNWRAP, value: false },
    { type: P11.CKA_DERIVE, value: false },
    { type: P11.CKA_ID, value: Buffer.from(handle, 'ascii') },
    { type: P11.CKA_LABEL, value: label },
  ];
}

/** CKM_RSA_PKCS_OAEP with `hash` and MGF1 of the same hash, no label. */
function oaepMechanism(hash: OaepHash) {
  return {
    mechanism: P11.CKM_RSA_PKCS_OAEP,
    parameter: {
      type: P11.CK_PARAMS_RSA_OAEP,
      hashAlg: hash === 'sha1' ? P11.CKM_SHA_1 : P11.CKM_SHA256,
      mgf: hash === 'sha1' ? P11.CKG_MGF1_SHA1 : P11.CKG_MGF1_SHA256,
      source: 1, // CKZ_DATA_SPECIFIED, with no data: the empty OAEP label
    },
  };
}

/** CKM_AES_GCM with a 96-bit IV, a 128-bit tag and AAD `secret:<name>` (as the software backend). */
function gcmMechanism(iv: Buffer, name: string) {
  return {
    mechanism: P11.CKM_AES_GCM,
    parameter: {
      type: P11.CK_PARAMS_AES_GCM,
      iv,
      aad: Buffer.from(`secret:${name}`, 'utf8'),
      ivBits: 96,
      tagBits: 128,
    },
  };
}

function checkSecretName(name: unknown): void {
  if (typeof name !== 'string' || !/^[A-Za-z0-9._:-]{1,64}$/.test(name)) {
    throw new DomainError(
      'invalid_request',
      `secret name: 1–64 of A-Z a-z 0-9 . _ : - , got ${JSON.stringify(name)}`,
      {
        field: 'name',
      },
    );
  }
}

function newHandle(prefix: string): KeyHandle {
  return `${prefix}${randomBytes(8).toString('hex')}`;
}

function checkLabel(label: unknown): void {
  if (
    typeof label !== 'string' ||
    label.length === 0 ||
    label.length > 128 ||
    [...label].some((ch) => ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) === 0x7f)
  ) {
    throw new DomainError(
      'invalid_request',
      `label: must be 1–128 printable characters, got ${JSON.stringify(label)}`,
      {
        field: 'label',
      },
    );
  }
}
