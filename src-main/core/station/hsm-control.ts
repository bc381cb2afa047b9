/**
 * Unlocking and locking the station's HSM from the UI (the Dashboard's HSM card, Settings):
 * an admin types the keystore passphrase, the HSM opens its root keys inside itself, and the answer
 * is the HSM status — never key material. The passphrase goes to the HSM and nowhere else: not into
 * the audit detail, not into a log line, not into an error message. Wrong passphrases are throttled
 * in the store like operator logins (`login_failures`, key `hsm:unlock`) and audited.
 */
import { DomainError, isDomainError } from '../../../src-shared/errors';
import type { RequestContext } from '../context';
import { AuditWriter } from '../audit';
import type { Clock, Hsm, HsmStatus, Store } from '../ports';

/** What an HSM offers beyond the port to be opened and closed by passphrase (the software keystore). */
export interface HsmLockControl {
  /** @throws DomainError('hsm_locked') for a wrong passphrase */
  unlock(passphrase: string): Promise<void>;
  /** Drops the root keys from memory. */
  lock(): void | Promise<void>;
  /** False while there is no keystore to unlock yet. */
  isInitialized?(): boolean;
}

/** True when `hsm` can be unlocked and locked by passphrase. */
export function isLockable(hsm: object): hsm is HsmLockControl {
  return (
    typeof (hsm as Partial<HsmLockControl>).unlock === 'function' &&
    typeof (hsm as Partial<HsmLockControl>).lock === 'function'
  );
}

/** Unlock/lock of the HSM, audited. */
export interface HsmControlService {
  /**
   * Unlocks with `passphrase` and answers the new status.
   * @throws DomainError('hsm_locked') wrong passphrase while locked; ('invalid_request') wrong
   *   passphrase while already unlocked (it stays unlocked); ('rate_limited') after too many;
   *   ('not_configured') when this HSM is not opened by passphrase.
   */
  unlock(ctx: RequestContext, passphrase: string): Promise<HsmStatus>;
  /** Locks (root keys leave memory) and answers the new status. */
  lock(ctx: RequestContext): Promise<HsmStatus>;
}

/** Dependencies of {@link createHsmControlService}. */
interface HsmControlDeps {
  store: Store;
  clock: Clock;
  hsm: Hsm;
  /** how the HSM is unlocked; absent = not from the UI (a token with its own PIN entry) */
  control?: HsmLockControl | undefined;
  /** wrong passphrases allowed within `windowMs` (default 5 per 15 min) */
  unlockLimit?: { max: number; windowMs: number } | undefined;
}

const THROTTLE_KEY = 'hsm:unlock';
const DEFAULT_LIMIT = { max: 5, windowMs: 15 * 60_000 };
const iso = (ms: number) => new Date(ms).toISOString();

/**
 * Refuses while too many wrong passphrases or PINs were given lately (`login_failures`, key
 * `hsm:unlock`, shared by every way of unlocking).
 * @throws DomainError('rate_limited')
 */
export async function requireUnthrottled(
  deps: Pick<HsmControlDeps, 'store' | 'clock'>,
  limit: { max: number; windowMs: number } = DEFAULT_LIMIT,
): Promise<void> {
  const since = iso(deps.clock.now() - limit.windowMs);
  const failures = await deps.store.read((tx) =>
    tx.get<{ n: number | string }>('SELECT COUNT(*) AS n FROM login_failures WHERE key = ? AND at >= ?', [
      THROTTLE_KEY,
      since,
    ]),
  );
  if (Number(failures?.n ?? 0) >= limit.max) {
    throw new DomainError('rate_limited', 'passphrase: too many wrong passphrases or PINs, try again later', {
      retryAfterSeconds: Math.ceil(limit.windowMs / 1000),
    });
  }
}

/** Counts one wrong passphrase or PIN towards {@link requireUnthrottled} and audits it. */
export async function recordWrongSecret(
  deps: Pick<HsmControlDeps, 'store' | 'clock'>,
  ctx: RequestContext,
): Promise<void> {
  const now = iso(deps.clock.now());
  await deps.store.transaction(async (tx) => {
    await tx.run('INSERT INTO login_failures (key, at) VALUES (?, ?)', [THROTTLE_KEY, now]);
    await new AuditWriter(tx, ctx, now).add('hsm.unlock_failed', null, {});
  });
}

/** The HSM's own word on its state; an HSM that does not answer counts as locked. */
async function isLocked(hsm: Hsm): Promise<boolean> {
  try {
    return (await hsm.status()).locked;
  } catch {
    return true;
  }
}

/** Creates the service. */
export function createHsmControlService(deps: HsmControlDeps): HsmControlService {
  const { store, clock, hsm } = deps;
  const limit = deps.unlockLimit ?? DEFAULT_LIMIT;

  const requireControl = (): HsmLockControl => {
    const control = deps.control;
    if (control === undefined) {
      throw new DomainError(
        'not_configured',
        'hsm: this HSM is not unlocked by passphrase from the station UI',
      );
    }
    if (control.isInitialized?.() === false) {
      throw new DomainError(
        'not_configured',
        'hsm: the keystore is not initialized yet (`gwjs init` creates it)',
      );
    }
    return control;
  };

  const audit = (ctx: RequestContext, action: string, detail: Record<string, unknown>) =>
    store.transaction((tx) => new AuditWriter(tx, ctx, iso(clock.now())).add(action, null, detail));

  return {
    async unlock(ctx, passphrase) {
      const control = requireControl();
      await requireUnthrottled(deps, limit);
      try {
        await control.unlock(passphrase);
      } catch (e) {
        // a PKCS#11 token's wrong PIN is throttled and audited like a wrong passphrase
        const wrongPin = isDomainError(e) && e.code === 'hsm_pin_incorrect';
        if (isDomainError(e) && (e.code === 'hsm_locked' || wrongPin)) {
          await recordWrongSecret(deps, ctx);
          // A wrong passphrase changes nothing: say what the state actually is (it may have been
          // unlocked before, e.g. by another admin or at start with the passphrase file).
          if (!(await isLocked(hsm))) {
            throw new DomainError(
              'invalid_request',
              'passphrase: wrong passphrase; the HSM was already unlocked and stays unlocked',
              { field: 'passphrase' },
            );
          }
          if (wrongPin) {
            throw new DomainError(
              'hsm_pin_incorrect',
              'passphrase: wrong token PIN, the token stays locked',
              {
                field: 'passphrase',
              },
            );
          }
          throw new DomainError('hsm_locked', 'passphrase: wrong passphrase, the HSM stays locked', {
            field: 'passphrase',
          });
        }
        throw e;
      }
      const status = await hsm.status();
      await audit(ctx, 'hsm.unlock', { keyCount: status.keyCount });
      return status;
    },

    async lock(ctx) {
      await requireControl().lock();
      const status = await hsm.status();
      await audit(ctx, 'hsm.lock', {});
      return status;
    },
  };
}
