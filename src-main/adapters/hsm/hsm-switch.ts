/**
 * The station's HSM as the core sees it when the backend can change while running
 * (docs/twin-hsm.md "Backends"): one {@link Hsm} that forwards every call to the backend in use —
 * the software keystore or a PKCS#11 token — so Settings can switch from one to the other without
 * a restart. Everything wired once (core, CUPS, factory line, UI services) holds this object.
 */
import { DomainError } from '../../../src-shared/errors';
import type { Hsm, HsmKeyInfo, HsmStatus, KeyHandle, TransportPublicKey } from '../../core/ports';
import type { StationHsm } from './station-hsm';

/** Forwards the {@link Hsm} port (and unlock/lock) to the backend in use. */
export class HsmSwitch implements Hsm {
  #current: StationHsm;

  constructor(initial: StationHsm) {
    this.#current = initial;
  }

  /** The backend in use. */
  get current(): StationHsm {
    return this.#current;
  }

  /** Makes `next` the backend in use; answers the previous one (the caller closes it). */
  replace(next: StationHsm): StationHsm {
    const previous = this.#current;
    this.#current = next;
    return previous;
  }

  /** Unlocks the backend in use with its passphrase (software) or user PIN (token). */
  unlock(secret: string): Promise<void> {
    return this.#current.unlock(secret);
  }

  /** Locks the backend in use. */
  lock(): void {
    this.#current.lock();
  }

  /** False while the software keystore does not exist yet. */
  isInitialized(): boolean {
    return this.#current.isInitialized();
  }

  status(): Promise<HsmStatus> {
    return this.#current.status();
  }
  isUnlocked(): boolean {
    return this.#current.isUnlocked();
  }
  generateRootKey(label: string): Promise<KeyHandle> {
    return this.#current.generateRootKey(label);
  }
  importRootKey(label: string, raw: Uint8Array): Promise<KeyHandle> {
    return this.#current.importRootKey(label, raw);
  }
  hmac(handle: KeyHandle, data: Uint8Array): Promise<Uint8Array> {
    return this.#current.hmac(handle, data);
  }
  kcv(handle: KeyHandle): Promise<string> {
    return this.#current.kcv(handle);
  }
  hasKey(handle: KeyHandle): Promise<boolean> {
    return this.#current.hasKey(handle);
  }
  generateSigningKey(label: string): Promise<KeyHandle> {
    return this.#current.generateSigningKey(label);
  }
  sign(handle: KeyHandle, data: Uint8Array): Promise<Uint8Array> {
    return this.#current.sign(handle, data);
  }
  publicKey(handle: KeyHandle): Promise<Uint8Array> {
    return this.#current.publicKey(handle);
  }
  listKeys(): Promise<HsmKeyInfo[]> {
    return this.#current.listKeys();
  }
  createTransportKey(label: string): Promise<TransportPublicKey> {
    return this.#current.createTransportKey(label);
  }
  findTransportKey(fingerprint: string): Promise<TransportPublicKey | undefined> {
    return this.#current.findTransportKey(fingerprint);
  }
  exportWrapped(handle: KeyHandle, to: Pick<TransportPublicKey, 'spki' | 'oaepHash'>): Promise<Uint8Array> {
    return this.#current.exportWrapped(handle, to);
  }
  importWrapped(
    transport: KeyHandle,
    wrapped: Uint8Array,
    label: string,
    check: (staged: KeyHandle) => Promise<void>,
  ): Promise<KeyHandle> {
    return this.#current.importWrapped(transport, wrapped, label, check);
  }
  sealRootKey(handle: KeyHandle): Promise<void> {
    return this.#current.sealRootKey(handle);
  }
  sealSecret(name: string, value: Uint8Array | null): Promise<void> {
    const hsm: Hsm = this.#current;
    if (hsm.sealSecret === undefined) return Promise.reject(noSecrets());
    return hsm.sealSecret(name, value);
  }
  unsealSecret(name: string): Promise<Uint8Array | undefined> {
    const hsm: Hsm = this.#current;
    if (hsm.unsealSecret === undefined) return Promise.reject(noSecrets());
    return hsm.unsealSecret(name);
  }
}

const noSecrets = () => new DomainError('not_configured', 'hsm: this HSM cannot seal secrets');
