/**
 * Software HSM (DESIGN §4): root keys kept in `keystore.json`, each sealed with AES-256-GCM under a
 * key derived by scrypt from the operator's passphrase. Runs in Node (main process, CLI, tests).
 *
 * While unlocked the root keys live only as `crypto.createSecretKey` KeyObjects; no method returns
 * them; {@link SoftwareHsm.lock} drops every reference. Key material is never logged or put into
 * an error message.
 *
 * Firmware update-signing keys (SPEC §3.4: ECDSA P-256, SHA-512) are sealed the same way (their
 * PKCS#8 DER) in the keystore's `signingKeys`; only their public half ever leaves.
 *
 * The file format lives in `keystore-file.ts`. Longer than ~400 lines on purpose: the unlocked
 * key material is private state of this one class (root, signing and transport keys alike).
 */
import {
  type KeyObject,
  constants as cryptoConstants,
  createHmac,
  createPrivateKey,
  createPublicKey,
  createSecretKey,
  generateKeyPairSync,
  privateDecrypt,
  publicEncrypt,
  randomBytes,
  sign as cryptoSign,
} from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { DomainError } from '../../../src-shared/errors';
import { UPDATE_DIGEST, stationKeyOf } from '../../core/firmware/signature';
import { ROOT_KEY_BYTES, kcvInput, kcvOf } from '../../core/kdf';
import type { Hsm, HsmKeyInfo, HsmStatus, KeyHandle, OaepHash, TransportPublicKey } from '../../core/ports';
import { fingerprintOf, rsaPartsOf } from './key-forms';
import { resolveSecret } from './secret-source';
import {
  DEFAULT_SCRYPT_N,
  KEYSTORE_FORMAT,
  type KeyRecordJson,
  type KeystoreJson,
  type SigningKeyRecordJson,
  type TransportKeyRecordJson,
  VERIFIER_AAD,
  VERIFIER_TEXT,
  checkScryptN,
  deriveWrapKey,
  errnoOf,
  newScryptParams,
  parseKeystore,
  seal,
  unseal,
  writeKeystore,
} from './keystore-file';

export { DEFAULT_SCRYPT_N } from './keystore-file';
/** Shortest passphrase accepted when a keystore is created or re-keyed. */
const MIN_PASSPHRASE_LENGTH = 8;

const MAX_LABEL_LENGTH = 128;
const KCV_INPUT = kcvInput();

/** Public metadata of a held root key (never the key). */
interface SoftwareKeyInfo {
  handle: KeyHandle;
  label: string;
  kcv: string;
  createdAt: string;
}

/** Public metadata of a held update-signing key. */
interface SoftwareSigningKeyInfo {
  handle: KeyHandle;
  label: string;
  /** the 64-byte `sig-N.key` form of the public key */
  publicKey: Uint8Array;
  createdAt: string;
}

/** What an unlocked HSM holds in memory. */
interface UnlockedState {
  wrapKey: KeyObject;
  keys: Map<KeyHandle, KeyObject>;
  /** update-signing private keys */
  signing: Map<KeyHandle, KeyObject>;
  /** ceremony transport private keys (RSA) */
  transport: Map<KeyHandle, KeyObject>;
  /** root keys of a running {@link SoftwareHsm.importWrapped}, not yet in the keystore */
  staged: Map<KeyHandle, KeyObject>;
}

/** Options of {@link SoftwareHsm.open}. */
interface SoftwareHsmOptions {
  /** scrypt cost for new keystores and passphrase changes; a power of two, 2^10 … 2^20. */
  scryptN?: number;
  /** OAEP hash of new transport keys (default sha256; sha1 when the sender is a SoftHSM2 token) */
  oaepHash?: OaepHash;
  /** RSA size of new transport keys (default 3072) */
  rsaBits?: number;
}

/**
 * The software backend of the {@link Hsm} port. Create with {@link SoftwareHsm.open}; then
 * {@link initialize} (new keystore, leaves it unlocked) or {@link unlock}.
 */
export class SoftwareHsm implements Hsm {
  /** unlocked state: the wrapping key and the root keys, or `null` when locked */
  #unlocked: UnlockedState | null = null;
  /** the keystore as last read or written, `null` before initialization */
  #store: KeystoreJson | null;
  /** serializes every file mutation */
  #queue: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly file: string,
    private readonly scryptN: number,
    store: KeystoreJson | null,
    private readonly transportDefaults: { oaepHash: OaepHash; rsaBits: number },
  ) {
    this.#store = store;
  }

  /**
   * Opens the keystore at `file` (absent = not yet initialized). The result is locked.
   * @throws DomainError('hsm_error') when the file exists but is not a valid keystore.
   */
  static async open(file: string, options: SoftwareHsmOptions = {}): Promise<SoftwareHsm> {
    const n = options.scryptN ?? DEFAULT_SCRYPT_N;
    checkScryptN(n, 'scryptN');
    let text: string | undefined;
    try {
      text = await readFile(file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') {
        throw new DomainError('hsm_error', `keystore ${JSON.stringify(file)}: cannot read (${errnoOf(e)})`);
      }
    }
    return new SoftwareHsm(file, n, text === undefined ? null : parseKeystore(text, file), {
      oaepHash: options.oaepHash ?? 'sha256',
      rsaBits: options.rsaBits ?? 3072,
    });
  }

  /** True once a keystore file exists. */
  isInitialized(): boolean {
    return this.#store !== null;
  }

  /** True while the root keys are available for HMAC. */
  isUnlocked(): boolean {
    return this.#unlocked !== null;
  }

  /**
   * Creates a new, empty keystore protected by `passphrase` and leaves it unlocked.
   * @throws DomainError('conflict') when a keystore already exists; ('invalid_request') for a short passphrase.
   */
  initialize(passphrase: string): Promise<void> {
    return this.#serialize(async () => {
      if (this.#store !== null) {
        throw new DomainError('conflict', `keystore ${JSON.stringify(this.file)} already exists`);
      }
      checkNewPassphrase(passphrase, 'passphrase');
      const params = newScryptParams(this.scryptN);
      const wrapKey = await deriveWrapKey(passphrase, params);
      const store: KeystoreJson = {
        format: KEYSTORE_FORMAT,
        version: 1,
        cipher: 'aes-256-gcm',
        kdf: { name: 'scrypt', ...params },
        verifier: seal(wrapKey, Buffer.from(VERIFIER_TEXT, 'ascii'), VERIFIER_AAD),
        keys: [],
      };
      await writeKeystore(this.file, store);
      this.#store = store;
      this.#unlocked = {
        wrapKey,
        keys: new Map(),
        signing: new Map(),
        transport: new Map(),
        staged: new Map(),
      };
    });
  }

  /**
   * Unlocks with `passphrase`: derives the wrapping key and opens every root key.
   * @throws DomainError('hsm_locked', 'wrong passphrase'); ('hsm_error') when a key record is damaged.
   */
  unlock(passphrase: string): Promise<void> {
    return this.#serialize(async () => {
      const store = this.#requireStore();
      const wrapKey = await this.#verifyPassphrase(store, passphrase);
      const keys = new Map<KeyHandle, KeyObject>();
      for (const rec of store.keys) keys.set(rec.handle, openKeyRecord(wrapKey, rec));
      const signing = new Map<KeyHandle, KeyObject>();
      for (const rec of store.signingKeys ?? []) signing.set(rec.handle, openSigningRecord(wrapKey, rec));
      const transport = new Map<KeyHandle, KeyObject>();
      for (const rec of store.transportKeys ?? [])
        transport.set(rec.handle, openTransportRecord(wrapKey, rec));
      this.#unlocked = { wrapKey, keys, signing, transport, staged: new Map() };
    });
  }

  /** Drops the wrapping key and every root key from memory. Idempotent. */
  lock(): void {
    if (this.#unlocked !== null) {
      this.#unlocked.keys.clear();
      this.#unlocked.signing.clear();
      this.#unlocked.transport.clear();
      this.#unlocked.staged.clear();
    }
    this.#unlocked = null;
  }

  /**
   * Re-seals every key under `newPassphrase` (fresh salt, scrypt cost from the options). Works
   * locked or unlocked and keeps that state.
   * @throws DomainError('hsm_locked', 'wrong passphrase') when `oldPassphrase` is wrong.
   */
  changePassphrase(oldPassphrase: string, newPassphrase: string): Promise<void> {
    return this.#serialize(async () => {
      const store = this.#requireStore();
      const oldKey = await this.#verifyPassphrase(store, oldPassphrase);
      checkNewPassphrase(newPassphrase, 'newPassphrase');
      const params = newScryptParams(this.scryptN);
      const newKey = await deriveWrapKey(newPassphrase, params);
      const reseal = <R extends KeyRecordJson | SigningKeyRecordJson | TransportKeyRecordJson>(rec: R): R => {
        const raw = unseal(oldKey, rec, rec.handle, `key ${rec.handle}`);
        try {
          return { ...rec, ...seal(newKey, raw, rec.handle) };
        } finally {
          raw.fill(0);
        }
      };
      const signingKeys = (store.signingKeys ?? []).map(reseal);
      const transportKeys = (store.transportKeys ?? []).map(reseal);
      const secrets = (store.secrets ?? []).map((rec) => {
        const raw = unseal(oldKey, rec, `secret:${rec.name}`, `secret ${rec.name}`);
        try {
          return { ...rec, ...seal(newKey, raw, `secret:${rec.name}`) };
        } finally {
          raw.fill(0);
        }
      });
      const next: KeystoreJson = {
        ...store,
        ...(secrets.length > 0 ? { secrets } : {}),
        kdf: { name: 'scrypt', ...params },
        verifier: seal(newKey, Buffer.from(VERIFIER_TEXT, 'ascii'), VERIFIER_AAD),
        keys: store.keys.map(reseal),
        ...(signingKeys.length > 0 ? { signingKeys } : {}),
        ...(transportKeys.length > 0 ? { transportKeys } : {}),
      };
      await writeKeystore(this.file, next);
      this.#store = next;
      if (this.#unlocked !== null) this.#unlocked = { ...this.#unlocked, wrapKey: newKey };
    });
  }

  /** {@inheritDoc Hsm.sealSecret} — AES-256-GCM under the keystore key, AAD `secret:<name>`. */
  sealSecret(name: string, value: Uint8Array | null): Promise<void> {
    return this.#serialize(async () => {
      const unlocked = this.#requireUnlocked();
      const store = this.#requireStore();
      const others = (store.secrets ?? []).filter((r) => r.name !== name);
      const secrets =
        value === null ? others : [...others, { name, ...seal(unlocked.wrapKey, value, `secret:${name}`) }];
      const next: KeystoreJson = { ...store, secrets };
      await writeKeystore(this.file, next);
      this.#store = next;
    });
  }

  /** {@inheritDoc Hsm.unsealSecret} */
  async unsealSecret(name: string): Promise<Uint8Array | undefined> {
    const unlocked = this.#requireUnlocked();
    const rec = (this.#store?.secrets ?? []).find((r) => r.name === name);
    if (rec === undefined) return undefined;
    return new Uint8Array(unseal(unlocked.wrapKey, rec, `secret:${name}`, `secret ${name}`));
  }

  /** Metadata of every held root key (available while locked). */
  rootKeyInfo(): SoftwareKeyInfo[] {
    return (this.#store?.keys ?? []).map(({ handle, label, kcv, createdAt }) => ({
      handle,
      label,
      kcv,
      createdAt,
    }));
  }

  /** {@inheritDoc Hsm.status} */
  async status(): Promise<HsmStatus> {
    return {
      kind: 'software',
      locked: this.#unlocked === null,
      keyCount: this.#store?.keys.length ?? 0,
      detail: this.#store === null ? `keystore ${this.file} (not initialized)` : `keystore ${this.file}`,
    };
  }

  /** {@inheritDoc Hsm.generateRootKey} — 32 bytes from `crypto.randomBytes`. */
  generateRootKey(label: string): Promise<KeyHandle> {
    return this.#serialize(async () => {
      const raw = randomBytes(ROOT_KEY_BYTES);
      try {
        return await this.#addKey(label, raw);
      } finally {
        raw.fill(0);
      }
    });
  }

  /** {@inheritDoc Hsm.importRootKey} — `raw` is copied, never kept; the caller zeroes it. */
  importRootKey(label: string, raw: Uint8Array): Promise<KeyHandle> {
    return this.#serialize(async () => {
      if (!(raw instanceof Uint8Array) || raw.length !== ROOT_KEY_BYTES) {
        const got = raw instanceof Uint8Array ? `${raw.length} bytes` : typeof raw;
        throw new DomainError('invalid_request', `rootKey: must be ${ROOT_KEY_BYTES} bytes, got ${got}`);
      }
      const copy = Buffer.from(raw);
      try {
        return await this.#addKey(label, copy);
      } finally {
        copy.fill(0);
      }
    });
  }

  /** {@inheritDoc Hsm.hmac} — HMAC-SHA256. */
  async hmac(handle: KeyHandle, data: Uint8Array): Promise<Uint8Array> {
    return hmacSha256(this.#key(handle), data);
  }

  /** {@inheritDoc Hsm.kcv} — computed from the key itself, so it needs the HSM unlocked. */
  async kcv(handle: KeyHandle): Promise<string> {
    return kcvOf(hmacSha256(this.#key(handle), KCV_INPUT));
  }

  /** {@inheritDoc Hsm.hasKey} — answers from the keystore metadata, locked or not. */
  async hasKey(handle: KeyHandle): Promise<boolean> {
    const store = this.#store;
    if (store === null) return false;
    return store.keys.some((k) => k.handle === handle) || this.#signingRecord(handle) !== undefined;
  }

  /** {@inheritDoc Hsm.listKeys} — from the keystore metadata, locked or not. */
  async listKeys(): Promise<HsmKeyInfo[]> {
    const st = this.#store;
    const other = { kcv: null, exportable: false, fingerprint: null };
    return [
      ...(st?.keys ?? []).map((k): HsmKeyInfo => ({
        handle: k.handle,
        label: k.label,
        kind: 'root',
        kcv: k.kcv,
        exportable: k.exportable !== false,
        fingerprint: null,
      })),
      ...(st?.signingKeys ?? []).map((k): HsmKeyInfo => ({
        handle: k.handle,
        label: k.label,
        kind: 'signing',
        ...other,
      })),
      ...(st?.transportKeys ?? []).map((k): HsmKeyInfo => ({
        handle: k.handle,
        label: k.label,
        kind: 'transport',
        ...other,
        fingerprint: k.fingerprint,
      })),
    ];
  }

  /** {@inheritDoc Hsm.createTransportKey} — an RSA key pair; the private half sealed in the keystore. */
  createTransportKey(label: string): Promise<TransportPublicKey> {
    return this.#serialize(async () => {
      checkLabel(label);
      const unlocked = this.#requireUnlocked();
      const store = this.#requireStore();
      const { oaepHash, rsaBits } = this.transportDefaults;
      const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: rsaBits });
      const spki = new Uint8Array(publicKey.export({ type: 'spki', format: 'der' }));
      const der = privateKey.export({ type: 'pkcs8', format: 'der' });
      try {
        const handle = this.#newHandle('sw-trk-');
        const rec: TransportKeyRecordJson = {
          handle,
          label,
          algorithm: 'rsa-oaep',
          oaepHash,
          spki: Buffer.from(spki).toString('base64'),
          fingerprint: fingerprintOf(spki),
          createdAt: new Date().toISOString(),
          ...seal(unlocked.wrapKey, der, handle),
        };
        const next: KeystoreJson = { ...store, transportKeys: [...(store.transportKeys ?? []), rec] };
        await writeKeystore(this.file, next);
        this.#store = next;
        if (this.#unlocked === unlocked) unlocked.transport.set(handle, privateKey);
        return { handle, spki, fingerprint: rec.fingerprint, oaepHash };
      } finally {
        der.fill(0);
      }
    });
  }

  /** {@inheritDoc Hsm.findTransportKey} */
  async findTransportKey(fingerprint: string): Promise<TransportPublicKey | undefined> {
    const rec = this.#store?.transportKeys?.find((k) => k.fingerprint === fingerprint.toLowerCase());
    if (rec === undefined) return undefined;
    return {
      handle: rec.handle,
      spki: new Uint8Array(Buffer.from(rec.spki, 'base64')),
      fingerprint: rec.fingerprint,
      oaepHash: rec.oaepHash,
    };
  }

  /** {@inheritDoc Hsm.exportWrapped} — RSA-OAEP (`crypto.publicEncrypt`) of the key's 32 bytes. */
  async exportWrapped(
    handle: KeyHandle,
    to: Pick<TransportPublicKey, 'spki' | 'oaepHash'>,
  ): Promise<Uint8Array> {
    const key = this.#key(handle);
    const rec = this.#store?.keys.find((k) => k.handle === handle);
    if (rec?.exportable === false) {
      throw new DomainError(
        'key_not_exportable',
        `hsm: root key ${handle} cannot leave this keystore (received from a twin, or sealed)`,
      );
    }
    rsaPartsOf(to.spki);
    const pub = createPublicKey({ key: Buffer.from(to.spki), format: 'der', type: 'spki' });
    const raw = key.export();
    try {
      return new Uint8Array(
        publicEncrypt(
          { key: pub, padding: cryptoConstants.RSA_PKCS1_OAEP_PADDING, oaepHash: to.oaepHash },
          raw,
        ),
      );
    } finally {
      raw.fill(0);
    }
  }

  /** {@inheritDoc Hsm.importWrapped} — RSA-OAEP decryption with the sealed transport key. */
  importWrapped(
    transport: KeyHandle,
    wrapped: Uint8Array,
    label: string,
    check: (staged: KeyHandle) => Promise<void>,
  ): Promise<KeyHandle> {
    return this.#serialize(async () => {
      checkLabel(label);
      const unlocked = this.#requireUnlocked();
      const priv = unlocked.transport.get(transport);
      const rec = this.#store?.transportKeys?.find((k) => k.handle === transport);
      if (priv === undefined || rec === undefined) {
        throw new DomainError('not_found', `hsm: no transport key with handle ${JSON.stringify(transport)}`);
      }
      let raw: Buffer;
      try {
        raw = privateDecrypt(
          { key: priv, padding: cryptoConstants.RSA_PKCS1_OAEP_PADDING, oaepHash: rec.oaepHash },
          Buffer.from(wrapped),
        );
      } catch {
        throw new DomainError(
          'ceremony_wrong_key',
          'wrapped key: it does not unwrap with this transport key',
        );
      }
      try {
        if (raw.length !== ROOT_KEY_BYTES) {
          throw new DomainError(
            'ceremony_tampered',
            `wrapped key: the unwrapped key has ${raw.length} bytes, not 32`,
          );
        }
        const handle = this.#newHandle('sw-');
        unlocked.staged.set(handle, createSecretKey(raw));
        try {
          await check(handle);
        } finally {
          unlocked.staged.delete(handle);
        }
        return await this.#addKey(label, raw, { handle, exportable: false });
      } finally {
        raw.fill(0);
      }
    });
  }

  /** {@inheritDoc Hsm.sealRootKey} — marks the record `exportable: false`. */
  sealRootKey(handle: KeyHandle): Promise<void> {
    return this.#serialize(async () => {
      const store = this.#requireStore();
      const rec = store.keys.find((k) => k.handle === handle);
      if (rec === undefined)
        throw new DomainError('not_found', `hsm: no key with handle ${JSON.stringify(handle)}`);
      if (rec.exportable === false) return;
      const next: KeystoreJson = {
        ...store,
        keys: store.keys.map((k) => (k.handle === handle ? { ...k, exportable: false as const } : k)),
      };
      await writeKeystore(this.file, next);
      this.#store = next;
    });
  }

  /** Metadata of every update-signing key (available while locked). */
  listSigningKeys(): SoftwareSigningKeyInfo[] {
    return (this.#store?.signingKeys ?? []).map((k) => ({
      handle: k.handle,
      label: k.label,
      publicKey: new Uint8Array(Buffer.from(k.publicKey, 'base64')),
      createdAt: k.createdAt,
    }));
  }

  /** {@inheritDoc Hsm.generateSigningKey} — a P-256 key pair from `crypto.generateKeyPairSync`. */
  generateSigningKey(label: string): Promise<KeyHandle> {
    return this.#serialize(async () => {
      checkLabel(label);
      const unlocked = this.#requireUnlocked();
      const store = this.#requireStore();
      const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
      const der = privateKey.export({ type: 'pkcs8', format: 'der' });
      try {
        const handle = this.#newHandle('sw-sig-');
        const rec: SigningKeyRecordJson = {
          handle,
          label,
          algorithm: 'ecdsa-p256',
          publicKey: Buffer.from(stationKeyOf(privateKey)).toString('base64'),
          createdAt: new Date().toISOString(),
          ...seal(unlocked.wrapKey, der, handle),
        };
        const next: KeystoreJson = { ...store, signingKeys: [...(store.signingKeys ?? []), rec] };
        await writeKeystore(this.file, next);
        this.#store = next;
        if (this.#unlocked === unlocked) unlocked.signing.set(handle, privateKey);
        return handle;
      } finally {
        der.fill(0);
      }
    });
  }

  /** {@inheritDoc Hsm.sign} — `crypto.sign('sha512', data, {dsaEncoding: 'der'})` under the held key. */
  async sign(handle: KeyHandle, data: Uint8Array): Promise<Uint8Array> {
    const key = this.#requireUnlocked().signing.get(handle);
    if (key === undefined) {
      throw new DomainError('not_found', `hsm: no signing key with handle ${JSON.stringify(handle)}`);
    }
    return new Uint8Array(cryptoSign(UPDATE_DIGEST, data, { key, dsaEncoding: 'der' }));
  }

  /** {@inheritDoc Hsm.publicKey} — from the keystore metadata, locked or not. */
  async publicKey(handle: KeyHandle): Promise<Uint8Array> {
    const rec = this.#signingRecord(handle);
    if (rec === undefined) {
      throw new DomainError('not_found', `hsm: no signing key with handle ${JSON.stringify(handle)}`);
    }
    return new Uint8Array(Buffer.from(rec.publicKey, 'base64'));
  }

  #signingRecord(handle: KeyHandle): SigningKeyRecordJson | undefined {
    return this.#store?.signingKeys?.find((k) => k.handle === handle);
  }

  /** A handle (`prefix` + 16 random hex) used by no root or signing key. */
  #newHandle(prefix: string): KeyHandle {
    const store = this.#requireStore();
    let handle: string;
    do handle = `${prefix}${randomBytes(8).toString('hex')}`;
    while (
      store.keys.some((k) => k.handle === handle) ||
      this.#signingRecord(handle) !== undefined ||
      (store.transportKeys ?? []).some((k) => k.handle === handle)
    );
    return handle;
  }

  async #addKey(
    label: string,
    raw: Buffer,
    options: { handle?: KeyHandle; exportable?: boolean } = {},
  ): Promise<KeyHandle> {
    checkLabel(label);
    const unlocked = this.#requireUnlocked();
    const store = this.#requireStore();
    const key = createSecretKey(raw);
    const handle = options.handle ?? this.#newHandle('sw-');
    const rec: KeyRecordJson = {
      handle,
      label,
      kcv: kcvOf(hmacSha256(key, KCV_INPUT)),
      createdAt: new Date().toISOString(),
      ...seal(unlocked.wrapKey, raw, handle),
      ...(options.exportable === false ? { exportable: false as const } : {}),
    };
    const next: KeystoreJson = { ...store, keys: [...store.keys, rec] };
    await writeKeystore(this.file, next);
    this.#store = next;
    // a lock() during the write must win: only publish the key if still unlocked with the same state
    if (this.#unlocked === unlocked) unlocked.keys.set(handle, key);
    return handle;
  }

  #key(handle: KeyHandle): KeyObject {
    const unlocked = this.#requireUnlocked();
    const key = unlocked.keys.get(handle) ?? unlocked.staged.get(handle);
    if (key === undefined)
      throw new DomainError('not_found', `hsm: no key with handle ${JSON.stringify(handle)}`);
    return key;
  }

  #requireUnlocked(): UnlockedState {
    if (this.#unlocked === null) {
      throw new DomainError(
        'hsm_locked',
        this.#store === null ? 'software HSM: keystore not initialized' : 'software HSM is locked',
      );
    }
    return this.#unlocked;
  }

  #requireStore(): KeystoreJson {
    if (this.#store === null) {
      throw new DomainError('hsm_locked', `keystore ${JSON.stringify(this.file)} is not initialized`);
    }
    return this.#store;
  }

  async #verifyPassphrase(store: KeystoreJson, passphrase: string): Promise<KeyObject> {
    if (typeof passphrase !== 'string') throw new DomainError('hsm_locked', 'wrong passphrase');
    const key = await deriveWrapKey(passphrase, store.kdf);
    try {
      const text = unseal(key, store.verifier, VERIFIER_AAD, 'verifier');
      if (text.toString('ascii') === VERIFIER_TEXT) return key;
    } catch {
      // an authentication failure is what a wrong passphrase looks like
    }
    throw new DomainError('hsm_locked', 'wrong passphrase');
  }

  #serialize<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(fn, fn);
    this.#queue = run.catch(() => undefined);
    return run;
  }
}

/** HMAC-SHA256 under a KeyObject, as a plain Uint8Array view. */
function hmacSha256(key: KeyObject, data: Uint8Array): Uint8Array {
  const mac = createHmac('sha256', key).update(data).digest();
  return new Uint8Array(mac.buffer, mac.byteOffset, mac.length);
}

function openKeyRecord(wrapKey: KeyObject, rec: KeyRecordJson): KeyObject {
  const raw = unseal(wrapKey, rec, rec.handle, `key ${rec.handle}`);
  try {
    if (raw.length !== ROOT_KEY_BYTES) {
      throw new DomainError('hsm_error', `keystore: key ${rec.handle} has ${raw.length} bytes`);
    }
    const key = createSecretKey(raw);
    if (kcvOf(hmacSha256(key, KCV_INPUT)) !== rec.kcv) {
      throw new DomainError('hsm_error', `keystore: key ${rec.handle} does not match its KCV ${rec.kcv}`);
    }
    return key;
  } finally {
    raw.fill(0);
  }
}

function openSigningRecord(wrapKey: KeyObject, rec: SigningKeyRecordJson): KeyObject {
  const der = unseal(wrapKey, rec, rec.handle, `signing key ${rec.handle}`);
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
  } catch {
    throw new DomainError('hsm_error', `keystore: signing key ${rec.handle} is not a PKCS#8 key`);
  } finally {
    der.fill(0);
  }
  if (Buffer.from(stationKeyOf(key)).toString('base64') !== rec.publicKey) {
    throw new DomainError('hsm_error', `keystore: signing key ${rec.handle} does not match its public key`);
  }
  return key;
}

function openTransportRecord(wrapKey: KeyObject, rec: TransportKeyRecordJson): KeyObject {
  const der = unseal(wrapKey, rec, rec.handle, `transport key ${rec.handle}`);
  try {
    return createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
  } catch {
    throw new DomainError('hsm_error', `keystore: transport key ${rec.handle} is not a PKCS#8 key`);
  } finally {
    der.fill(0);
  }
}

function checkNewPassphrase(passphrase: unknown, field: string): void {
  if (typeof passphrase !== 'string' || [...passphrase].length < MIN_PASSPHRASE_LENGTH) {
    throw new DomainError(
      'invalid_request',
      `${field}: must be at least ${MIN_PASSPHRASE_LENGTH} characters`,
    );
  }
}

function checkLabel(label: unknown): void {
  if (
    typeof label !== 'string' ||
    label.length === 0 ||
    label.length > MAX_LABEL_LENGTH ||
    [...label].some((ch) => ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) === 0x7f)
  ) {
    throw new DomainError(
      'invalid_request',
      `label: must be 1–${MAX_LABEL_LENGTH} printable characters, got ${JSON.stringify(label)}`,
    );
  }
}

/** Where the passphrase comes from (DESIGN §4): a file's content, else `$GWJS_HSM_PASSPHRASE`. */
interface PassphraseSources {
  /** `--hsm-passphrase-file`: its content with trailing CR/LF removed */
  file?: string | undefined;
  /** environment to read `GWJS_HSM_PASSPHRASE` from (default `process.env`) */
  env?: NodeJS.ProcessEnv | undefined;
}

/**
 * Resolves the keystore passphrase for non-interactive runs: `--hsm-passphrase-file` wins, then
 * `$GWJS_HSM_PASSPHRASE`; `undefined` when neither is set (the caller prompts or stays locked).
 * @throws DomainError('invalid_request') when the file cannot be read or is empty.
 */
export function resolvePassphrase(sources: PassphraseSources = {}): string | undefined {
  return resolveSecret({
    ...sources,
    flag: '--hsm-passphrase-file',
    variable: 'GWJS_HSM_PASSPHRASE',
    take: (text) => text.replace(/[\r\n]+$/, ''),
  });
}
