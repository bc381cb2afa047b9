/**
 * Loading a PKCS#11 module (pkcs11js) once per process and mapping its return values to
 * DomainErrors (docs/twin-hsm.md "Errors"). A module may be `C_Initialize`d only once per process,
 * so two PKCS#11 HSMs on the same module (two tokens, as in the ceremony tests) share one loaded
 * module here; it is finalized when the last user closes it.
 */
import pkcs11js from 'pkcs11js';
import { DomainError, type ErrorCode } from '../../../src-shared/errors';

/** The pkcs11js binding (its constants and `PKCS11` class). */
export const P11 = pkcs11js;
/** One loaded module. */
export type Pkcs11Module = InstanceType<typeof pkcs11js.PKCS11>;

interface Loaded {
  module: Pkcs11Module;
  users: number;
  initialized: boolean;
}

const loaded = new Map<string, Loaded>();

/**
 * The loaded, initialized module at `path` (loaded on first use). Every call must be matched by a
 * {@link releaseModule}.
 * @throws DomainError('not_configured') when the library cannot be loaded.
 */
export function acquireModule(path: string): Pkcs11Module {
  let entry = loaded.get(path);
  if (entry === undefined) {
    const module = new pkcs11js.PKCS11();
    try {
      module.load(path);
    } catch (e) {
      throw new DomainError(
        'not_configured',
        `pkcs11Module: cannot load ${JSON.stringify(path)} (${(e as Error).message})`,
        { field: 'pkcs11Module' },
      );
    }
    entry = { module, users: 0, initialized: false };
    loaded.set(path, entry);
  }
  ensureInitialized(path);
  entry.users += 1;
  return entry.module;
}

/**
 * (Re-)initializes the module at `path` when it was finalized (a simulated token removal, or a
 * module reset): the first step of unlocking again without a restart.
 */
export function ensureInitialized(path: string): void {
  const entry = loaded.get(path);
  if (entry === undefined) return;
  try {
    entry.module.C_Initialize();
  } catch (e) {
    if (ckrOf(e) !== 'CKR_CRYPTOKI_ALREADY_INITIALIZED') throw toDomainError(e, 'C_Initialize');
  }
  entry.initialized = true;
}

/**
 * Finalizes and re-initializes the module so it scans its slots again (many modules, SoftHSM2
 * among them, only see a token plugged in or created after `C_Initialize` that way). Done only
 * when `path` has a single user, since it ends every other user's sessions.
 * @returns whether it rescanned
 */
export function rescanIfSoleUser(path: string): boolean {
  const entry = loaded.get(path);
  if (entry === undefined || entry.users > 1) return false;
  try {
    entry.module.C_Finalize();
  } catch {
    // finalized already
  }
  ensureInitialized(path);
  return true;
}

/** Drops one user of the module; the last one finalizes it. */
export function releaseModule(path: string): void {
  const entry = loaded.get(path);
  if (entry === undefined) return;
  entry.users -= 1;
  if (entry.users > 0) return;
  loaded.delete(path);
  try {
    entry.module.C_Finalize();
  } catch {
    // already finalized (e.g. by a removal test): nothing left to release
  }
}

/** The CKR_* name of a pkcs11js error (its message), or undefined for another error. */
export function ckrOf(e: unknown): string | undefined {
  const m = (e as { message?: unknown } | null)?.message;
  if (typeof m !== 'string') return undefined;
  const hit = /CKR_[A-Z0-9_]+/.exec(m);
  return hit?.[0];
}

/** CKR_* values that mean the token (or its session) is gone: pulled, reset or finalized. */
const REMOVED = new Set([
  'CKR_TOKEN_NOT_PRESENT',
  'CKR_DEVICE_REMOVED',
  'CKR_SESSION_HANDLE_INVALID',
  'CKR_SESSION_CLOSED',
  'CKR_CRYPTOKI_NOT_INITIALIZED',
  'CKR_DEVICE_ERROR',
  'CKR_TOKEN_NOT_RECOGNIZED',
  'CKR_SLOT_ID_INVALID',
]);

const BY_CKR: Readonly<Record<string, { code: ErrorCode; text: string }>> = {
  CKR_PIN_INCORRECT: { code: 'hsm_pin_incorrect', text: 'wrong PIN' },
  CKR_PIN_INVALID: { code: 'hsm_pin_incorrect', text: 'the PIN has characters the token refuses' },
  CKR_PIN_LEN_RANGE: { code: 'hsm_pin_incorrect', text: 'the PIN is too short or too long for this token' },
  CKR_PIN_LOCKED: { code: 'hsm_pin_locked', text: 'the user PIN is blocked (too many wrong tries)' },
  CKR_PIN_EXPIRED: { code: 'hsm_pin_locked', text: 'the user PIN has expired' },
  CKR_USER_NOT_LOGGED_IN: { code: 'hsm_locked', text: 'the token is locked (no PIN entered)' },
  CKR_USER_PIN_NOT_INITIALIZED: { code: 'not_configured', text: 'the token has no user PIN yet' },
  CKR_MECHANISM_INVALID: { code: 'hsm_mechanism_unsupported', text: 'mechanism not supported' },
  CKR_MECHANISM_PARAM_INVALID: {
    code: 'hsm_mechanism_unsupported',
    text: 'mechanism parameters not supported',
  },
  CKR_KEY_TYPE_INCONSISTENT: { code: 'hsm_mechanism_unsupported', text: 'key type not supported' },
  CKR_KEY_SIZE_RANGE: { code: 'hsm_mechanism_unsupported', text: 'key size not supported' },
  CKR_TEMPLATE_INCONSISTENT: {
    code: 'hsm_mechanism_unsupported',
    text: 'the token refuses the key attributes',
  },
  CKR_ATTRIBUTE_VALUE_INVALID: {
    code: 'hsm_mechanism_unsupported',
    text: 'the token refuses an attribute value',
  },
  CKR_DEVICE_MEMORY: { code: 'hsm_token_full', text: 'the token is full' },
  CKR_HOST_MEMORY: { code: 'hsm_token_full', text: 'the PKCS#11 module ran out of memory' },
  CKR_KEY_UNEXTRACTABLE: { code: 'key_not_exportable', text: 'the key cannot be wrapped' },
  CKR_KEY_NOT_WRAPPABLE: { code: 'key_not_exportable', text: 'the key cannot be wrapped' },
  CKR_ENCRYPTED_DATA_INVALID: { code: 'ceremony_wrong_key', text: 'the data was not wrapped to this key' },
  CKR_WRAPPED_KEY_INVALID: { code: 'ceremony_wrong_key', text: 'the data was not wrapped to this key' },
  CKR_WRAPPED_KEY_LEN_RANGE: { code: 'ceremony_wrong_key', text: 'the wrapped key has the wrong size' },
};

/** True when a CKR_* name means the token went away. */
export function isRemovalCkr(ckr: string | undefined): boolean {
  return ckr !== undefined && REMOVED.has(ckr);
}

/**
 * The DomainError for a failed PKCS#11 call `op`: its own code for what an operator can cause
 * (wrong PIN, PIN locked, token removed, mechanism missing, token full), else `hsm_error`.
 * Never carries key material (pkcs11js messages hold only the CKR name).
 */
export function toDomainError(e: unknown, op: string): DomainError {
  if (e instanceof DomainError) return e;
  const ckr = ckrOf(e);
  if (isRemovalCkr(ckr)) {
    return new DomainError('hsm_token_removed', `pkcs11: the token was removed (${op}: ${ckr})`, { ckr });
  }
  const known = ckr === undefined ? undefined : BY_CKR[ckr];
  if (known !== undefined) {
    return new DomainError(known.code, `pkcs11: ${known.text} (${op}: ${ckr})`, { ckr });
  }
  const detail = ckr ?? (e as Error)?.message ?? String(e);
  return new DomainError('hsm_error', `pkcs11: ${op} failed (${detail})`, { ckr: ckr ?? null });
}
