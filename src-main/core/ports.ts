/**
 * Ports: the interfaces the core talks to (DESIGN §1). Adapters implement them; the core imports
 * no storage, transport, HSM library or Electron. Every method is async so that a networked backend
 * (PostgreSQL, a PKCS#11 token) fits the same shape as the in-process ones.
 */
import type { HsmKeyView } from '../../src-shared/channels/hsm';
import type { HsmStatusView } from '../../src-shared/channels/station';

/** A value bound to a SQL parameter. Integers beyond 2^53 are stored as text (EUIs are 16-hex text). */
export type SqlValue = string | number | null | Uint8Array;

/** One statement's result row: column name → value. */
export type SqlRow = Record<string, SqlValue>;

/**
 * A unit of work on the store. SQL uses `?` placeholders and the portable subset of SQLite and
 * PostgreSQL. Timestamps and ids are passed in as parameters, never computed in SQL, so a journal
 * replay is deterministic (DESIGN §3).
 */
export interface Tx {
  all<T extends SqlRow = SqlRow>(sql: string, params?: readonly SqlValue[]): Promise<T[]>;
  get<T extends SqlRow = SqlRow>(sql: string, params?: readonly SqlValue[]): Promise<T | undefined>;
  run(sql: string, params?: readonly SqlValue[]): Promise<{ changes: number }>;
  /**
   * Takes `n` consecutive seqs of an ordered feed for rows this transaction writes; resolves with
   * the first. Seqs must be handed out once and in commit order, so a reader paging by
   * `seq > cursor` never passes one still in flight (core/sync/seq.ts). Absent: MAX(seq) + 1,
   * exact with a single writer (sql.js).
   */
  takeSeqs?(feed: SeqFeed, n: number): Promise<number>;
  /**
   * Takes `n` new ids of `table` (unique, ascending, not necessarily consecutive, no commit-order
   * promise) for rows this transaction writes. Absent: MAX(id) + 1 (one writer).
   */
  takeIds?(table: IdTable, n: number): Promise<number[]>;
}

/** Tables whose integer ids the store may number (the audit log). */
export type IdTable = 'audit_log';
export const ID_TABLES: readonly IdTable[] = ['audit_log'];

/** The ordered feeds (tables with a `seq` cursor column): the change feed and the outbox (docs/sync.md). */
export type SeqFeed = 'gateway_changes' | 'sync_outbox';
export const SEQ_FEEDS: readonly SeqFeed[] = ['gateway_changes', 'sync_outbox'];

/** How hard a commit waits for the disk. */
export type Durability =
  /** fsync'ed before the promise resolves: every acknowledged write survives a crash. */
  | 'full'
  /** group commit: journaled at once, fsync'ed within `relaxedFlushMs`; for telemetry (CUPS contacts). */
  | 'relaxed';

/** The durable store (DESIGN §3). Transactions are serialized; a thrown error rolls back. */
export interface Store {
  /** Runs `fn` in a read-only snapshot (no journal record). */
  read<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
  /** Runs `fn` in a write transaction; on success the statements are journaled per `durability`. */
  transaction<T>(fn: (tx: Tx) => Promise<T>, options?: { durability?: Durability }): Promise<T>;
  /** Writes a full snapshot and truncates the journal. */
  checkpoint(): Promise<void>;
  /** Flushes, checkpoints and releases the single-writer lock. */
  close(): Promise<void>;
  /**
   * Whether writes currently succeed (docs/security.md "Disk full"); absent = always `ok`. A store
   * that could not write for lack of space says `degraded` until a write succeeds again; reads keep
   * working meanwhile.
   */
  health?(): StoreHealth;
}

/** What {@link Store.health} reports; `reason` is a stable word, never a path. */
export interface StoreHealth {
  state: 'ok' | 'degraded';
  /** e.g. `storage_full` */
  reason?: string | undefined;
  /** when the store last failed to write (ISO-8601), while degraded */
  since?: string | undefined;
}

/** Opaque reference to a key held inside an HSM. */
export type KeyHandle = string;

/** What the UI and `info` may know about an HSM (declared once: `hsmStatusSchema`). */
export type HsmStatus = HsmStatusView;

/**
 * Public facts about one held key, for listings (`gwjs hsm status`, Settings) — never its value
 * (declared once: `hsmKeySchema`).
 */
export type HsmKeyInfo = HsmKeyView;

/** OAEP hash of a transport key (SoftHSM2 unwraps RSA-OAEP only with SHA-1: docs/twin-hsm.md). */
export type OaepHash = 'sha1' | 'sha256';

/** The public half of a transport key pair: what a sending station wraps a root key to. */
export interface TransportPublicKey {
  /** the receiving HSM's handle of the private half (meaningless to the sender) */
  handle: KeyHandle;
  /** RSA public key as SubjectPublicKeyInfo DER */
  spki: Uint8Array;
  /** lowercase hex SHA-256 of `spki` */
  fingerprint: string;
  /** the OAEP hash the receiving HSM unwraps with (MGF1 uses the same hash) */
  oaepHash: OaepHash;
}

/**
 * The twin HSM (DESIGN §4, SPEC §2). No method returns a root key in plaintext. Locked HSMs reject
 * key operations with DomainError('hsm_locked'); a PKCS#11 token that went away answers
 * ('hsm_token_removed') until it is unlocked again.
 */
export interface Hsm {
  status(): Promise<HsmStatus>;
  /**
   * Synchronous: true while key operations can run (unlocked; for a token, also present). CUPS
   * trusts its cached token digests only while this holds, so a pulled token fails closed at once.
   */
  isUnlocked(): boolean;
  /**
   * Generates a 32-byte root key inside the HSM. It stays exportable by wrapping
   * ({@link exportWrapped}) until {@link sealRootKey}.
   */
  generateRootKey(label: string): Promise<KeyHandle>;
  /** Imports a raw 32-byte root key (twin set-up without a token, tests); the caller zeroes `raw`. */
  importRootKey(label: string, raw: Uint8Array): Promise<KeyHandle>;
  /** HMAC-SHA256 under a held key. */
  hmac(handle: KeyHandle, data: Uint8Array): Promise<Uint8Array>;
  /** Key check value: 6 uppercase hex of HMAC(key, "GWJS-KCV-v1"). */
  kcv(handle: KeyHandle): Promise<string>;
  /** True when the handle names a key held here (root or signing key). */
  hasKey(handle: KeyHandle): Promise<boolean>;
  /**
   * Generates an ECDSA P-256 key pair for signing firmware updates (SPEC §3.4) inside the HSM; the
   * private key never leaves it.
   */
  generateSigningKey(label: string): Promise<KeyHandle>;
  /**
   * Signs `data` with a signing key: ECDSA P-256 over the SHA-512 digest of `data`, DER-encoded
   * (70–72 bytes) — the signature a Basics Station verifies, same as `openssl dgst -sha512 -sign`.
   */
  sign(handle: KeyHandle, data: Uint8Array): Promise<Uint8Array>;
  /**
   * The public key of a signing key as the 64 raw bytes X ‖ Y of the point: exactly the content of
   * a station's `sig-N.key` file (SPEC §3.4). Available while locked.
   */
  publicKey(handle: KeyHandle): Promise<Uint8Array>;
  /** Every held key with its public facts (needs the HSM unlocked for a PKCS#11 token). */
  listKeys(): Promise<HsmKeyInfo[]>;
  /**
   * Key ceremony, receiving side: generates an RSA transport key pair inside the HSM (the private
   * half can only unwrap, never leaves) and answers its public half.
   */
  createTransportKey(label: string): Promise<TransportPublicKey>;
  /** The transport key whose public fingerprint is `fingerprint`, if held here. */
  findTransportKey(fingerprint: string): Promise<TransportPublicKey | undefined>;
  /**
   * Key ceremony, sending side: the root key wrapped inside the HSM with RSA-OAEP (`to.oaepHash`,
   * MGF1 of the same hash) under `to.spki`. The plaintext key never leaves the HSM.
   * @throws DomainError('key_not_exportable') for a root key received from a twin or sealed.
   */
  exportWrapped(handle: KeyHandle, to: Pick<TransportPublicKey, 'spki' | 'oaepHash'>): Promise<Uint8Array>;
  /**
   * Key ceremony, receiving side: unwraps `wrapped` with the transport key `transport` into a staged
   * root key inside the HSM, calls `check(staged)` (which may use {@link hmac} and {@link kcv} on
   * it), and only when `check` resolves keeps it as a non-exportable root key. When unwrapping or
   * `check` fails the staged key is destroyed: nothing changes.
   */
  importWrapped(
    transport: KeyHandle,
    wrapped: Uint8Array,
    label: string,
    check: (staged: KeyHandle) => Promise<void>,
  ): Promise<KeyHandle>;
  /**
   * Makes a root key non-exportable for good (after the ceremony and the custodian backup): the
   * PKCS#11 backend destroys its export copy. Idempotent.
   */
  sealRootKey(handle: KeyHandle): Promise<void>;
  /**
   * Seals a small named secret under the HSM's protection (the remote link's API key,
   * docs/sync.md); `null` removes it. Optional: a backend without it cannot hold a remote link.
   */
  sealSecret?(name: string, value: Uint8Array | null): Promise<void>;
  /** The plaintext of a sealed secret (the caller zeroes it), undefined when none is stored. */
  unsealSecret?(name: string): Promise<Uint8Array | undefined>;
}

/** A TLS client certificate issued for a gateway, with its fresh private key. */
export interface IssuedClientCertificate {
  certDer: Uint8Array;
  /** EC P-256 private key as SEC1 DER (`30 77 …`), the form the station's blob parser reads (SPEC §3.3) */
  keyDer: Uint8Array;
  /** serial number, lowercase hex */
  serial: string;
  notAfter: string;
}

/**
 * The station's certificate authority (the local CA of `<data>/tls/`), for TLS client
 * certificates of gateways (SPEC §3.1 client-certificate mode).
 */
export interface CertificateAuthority {
  /** DER of the CA certificate: what the HTTPS server verifies client certificates against. */
  caCertificate(): Uint8Array;
  /**
   * Issues a client certificate (EC P-256, extended key usage clientAuth) with the given subject
   * common name and DNS SANs, valid for `days`.
   */
  issueClientCertificate(subject: {
    commonName: string;
    dnsNames: readonly string[];
    days: number;
  }): Promise<IssuedClientCertificate>;
}

/** Wall clock, injected so tests can move time. */
export interface Clock {
  /** milliseconds since the epoch */
  now(): number;
}

/** Randomness, injected so tests can be deterministic where they need to be. */
export interface Random {
  bytes(n: number): Uint8Array;
}

/** Structured logger (pino-compatible subset). Never pass secrets. */
export interface Logger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  debug(obj: object, msg?: string): void;
}
