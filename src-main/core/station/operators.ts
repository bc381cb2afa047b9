/**
 * Local operator accounts of the station (docs/architecture.md, the HTTP bridge): roles admin /
 * factory / installer, scrypt password hashes, sessions and login throttling — all in the store, so
 * several `gwjs serve` instances on one database agree (DESIGN §2).
 *
 * Longer than ~400 lines on purpose: accounts, sessions, the first-run password and login
 * throttling are one service over the same operator rows, and a login touches all four.
 *
 * Sessions: the caller gets a random 256-bit id (the cookie value); only its SHA-256 is stored. A
 * login always creates a new id (no fixation) and ends the session the browser presented, if any.
 * First run: while no operator exists, `issueSetupPassword` makes a one-time password (printed by
 * `gwjs serve`) that `completeSetup` trades for the first admin account.
 */
import { createHash } from 'node:crypto';
import { DomainError } from '../../../src-shared/errors';
import { euiHex, formatId6, euiFromHex, parseIdField } from '../../../src-shared/ids';
import type { Operator, Role } from '../../../src-shared/ipc';
import type { Clock, Random, Store, Tx } from '../ports';
import { DUMMY_HASH, hashPassword, verifyPassword } from './passwords';
import type { RequestContext } from '../context';
import { AuditWriter } from '../audit';

/** Who an authenticated session belongs to. `ownerId` is ID6 or null (any owner). */
export interface OperatorIdentity {
  name: string;
  role: Role;
  ownerId: string | null;
}

/** A session just created: `sessionId` goes into the cookie, never into logs. */
export interface NewSession {
  sessionId: string;
  operator: OperatorIdentity;
  expiresAt: string;
}

/** Tunables of {@link createOperatorService}. */
export interface OperatorServiceOptions {
  /** absolute session lifetime, ms (default 12 h) */
  sessionTtlMs?: number;
  /**
   * Login throttling (docs/security.md): `max` failed logins of one name from one address are
   * free within `windowMs` (default 5 per hour); each further one doubles the wait before the next
   * try from there, from `baseDelayMs` (1 s) up to `maxDelayMs` (15 min). `perAddressMax` (default
   * 20) failures from one address over all names start the same growing delay for that address;
   * the station's own loopback address is exempt from that one ({@link isLoopback}). Nothing is counted per name
   * alone, so no address can lock an account for everybody.
   */
  loginLimit?: {
    max: number;
    windowMs: number;
    perAddressMax?: number | undefined;
    baseDelayMs?: number | undefined;
    maxDelayMs?: number | undefined;
  };
}

/** Dependencies of {@link createOperatorService}. */
interface OperatorServiceDeps extends OperatorServiceOptions {
  store: Store;
  clock: Clock;
  random: Random;
}

/** Operator accounts, sessions and first-run setup. */
export interface OperatorService {
  /** True while no operator account exists (the login screen then asks for the setup password). */
  setupRequired(): Promise<boolean>;
  /** New one-time setup password while no operator exists (replacing an older one), else null. */
  issueSetupPassword(): Promise<string | null>;
  /** Creates the first admin with the one-time password and logs it in. */
  completeSetup(setupPassword: string, name: string, password: string, address?: string): Promise<NewSession>;
  list(): Promise<Operator[]>;
  create(
    ctx: RequestContext,
    input: { name: string; role: Role; password: string; ownerId?: string | null | undefined },
  ): Promise<Operator>;
  update(
    ctx: RequestContext,
    input: {
      name: string;
      role?: Role | undefined;
      password?: string | undefined;
      ownerId?: string | null | undefined;
      disabled?: boolean | undefined;
    },
  ): Promise<Operator>;
  /**
   * Checks name + password and opens a new session; `previousSessionId` (the cookie the browser
   * came with) is ended. Throws `rate_limited` after too many failures, `unauthorized` otherwise.
   */
  login(name: string, password: string, address?: string, previousSessionId?: string): Promise<NewSession>;
  /**
   * The signed-in operator changes its own password: `current` is checked like a login (same
   * throttle, audited failure), then the new one is stored; audited as `operator.password`.
   * @throws DomainError('unauthorized') for a wrong current password.
   */
  changePassword(name: string, current: string, password: string, address?: string): Promise<void>;
  /** The operator of a live session, or undefined (unknown, expired, or operator disabled). */
  resolveSession(sessionId: string): Promise<OperatorIdentity | undefined>;
  /** Ends one session (unknown ids are ignored). */
  logout(sessionId: string): Promise<void>;
}

interface OperatorDbRow {
  [k: string]: string | number | null | Uint8Array;
  name: string;
  role: string;
  owner_id: string | null;
  password_hash: string;
  disabled: number | string;
  created_at: string;
}

const SETUP_KEY = 'first_run_password';

/** One throttle counter: its `login_failures` key and how many failures are free. */
interface ThrottleKey {
  key: string;
  free: number;
}

/**
 * True for the station itself: 127.0.0.1 or ::1 (also IPv4-mapped) — the addresses a browser on
 * the station's own machine connects from. Other 127.x addresses are not exempt.
 */
export function isLoopback(address: string | undefined): boolean {
  if (address === undefined) return false;
  const a = address.toLowerCase();
  return a === '127.0.0.1' || a === '::1' || a === '::ffff:127.0.0.1';
}
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** The audit context of an operator acting on its own behalf (login, first-run setup). */
function operatorCtx(name: string, address: string | undefined): RequestContext {
  return {
    principal: { kind: 'operator', id: name.slice(0, 64), ownerId: null, scopes: new Set() },
    address,
  };
}

/** The setup password is typed by hand: case, spaces and dashes do not matter. */
const normalizeSetupPassword = (p: string) => p.replace(/[\s-]/g, '').toUpperCase();

/** SHA-256 hex of a session id: what the store keeps. */
export function sessionIdHash(sessionId: string): string {
  return createHash('sha256').update(sessionId, 'utf8').digest('hex');
}

function base64url(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64url');
}

function readableSecret(bytes: Uint8Array): string {
  // 5 bits per symbol, grouped by 4: 16 bytes → 25 symbols (≥ 125 bits)
  let bits = 0;
  let acc = 0;
  let out = '';
  for (const b of bytes) {
    acc = (acc << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += CROCKFORD[(acc >> (bits - 5)) & 31];
      bits -= 5;
    }
    acc &= (1 << bits) - 1;
  }
  return out.match(/.{1,5}/g)!.join('-');
}

function toOwnerHex(ownerId: string | null | undefined): string | null {
  if (ownerId === null || ownerId === undefined) return null;
  return euiHex(parseIdField(ownerId, 'ownerId'));
}

function toView(row: OperatorDbRow): Operator {
  return {
    name: row.name,
    role: row.role as Role,
    ownerId: row.owner_id === null ? null : formatId6(euiFromHex(row.owner_id)),
    createdAt: row.created_at,
    disabled: Number(row.disabled) !== 0,
  };
}

const identityOf = (row: OperatorDbRow): OperatorIdentity => {
  const v = toView(row);
  return { name: v.name, role: v.role, ownerId: v.ownerId };
};

/** Creates the operator service. */
export function createOperatorService(deps: OperatorServiceDeps): OperatorService {
  const { store, clock, random } = deps;
  const ttl = deps.sessionTtlMs ?? 12 * 3600_000;
  const limit = deps.loginLimit ?? { max: 5, windowMs: 3600_000 };
  const perAddressMax = limit.perAddressMax ?? 20;
  const baseDelayMs = limit.baseDelayMs ?? 1000;
  const maxDelayMs = limit.maxDelayMs ?? 15 * 60_000;
  const iso = (ms = clock.now()) => new Date(ms).toISOString();

  const getRow = (tx: Tx, name: string) =>
    tx.get<OperatorDbRow>('SELECT * FROM operators WHERE name = ?', [name]);

  /**
   * The throttle keys of a login try: (address, name) with `limit.max` free failures, and the
   * address alone with `perAddressMax` — except from the station itself (loopback).
   */
  function throttleKeys(name: string, address: string | undefined): ThrottleKey[] {
    const addr = address ?? '-';
    const keys: ThrottleKey[] = [{ key: `an:${addr}|${name}`, free: limit.max }];
    if (!isLoopback(address)) keys.push({ key: `addr:${addr}`, free: perAddressMax });
    return keys;
  }

  /** @throws DomainError('rate_limited') with the seconds left while any key is in its delay. */
  async function assertNotThrottled(keys: ThrottleKey[]): Promise<void> {
    const now = clock.now();
    const since = iso(now - limit.windowMs);
    let waitMs = 0;
    await store.read(async (tx) => {
      for (const { key, free } of keys) {
        const row = await tx.get<{ n: number | string; last: string | null }>(
          'SELECT COUNT(*) AS n, MAX(at) AS last FROM login_failures WHERE key = ? AND at > ?',
          [key, since],
        );
        const n = Number(row?.n ?? 0);
        if (n < free || !row?.last) continue;
        const delay = Math.min(maxDelayMs, baseDelayMs * 2 ** Math.min(n - free, 40));
        waitMs = Math.max(waitMs, Date.parse(row.last) + delay - now);
      }
    });
    if (waitMs > 0) {
      const seconds = Math.ceil(waitMs / 1000);
      throw new DomainError(
        'rate_limited',
        `login: too many failed attempts from this address, try again in ${seconds} s`,
        { retryAfterSeconds: seconds },
      );
    }
  }

  async function recordFailure(
    keys: ThrottleKey[],
    name: string,
    address: string | undefined,
  ): Promise<void> {
    const now = clock.now();
    await store.transaction(async (tx) => {
      await tx.run("DELETE FROM login_failures WHERE at < ? AND key NOT LIKE 'hsm:%'", [
        iso(now - limit.windowMs),
      ]);
      for (const { key } of keys)
        await tx.run('INSERT INTO login_failures (key, at) VALUES (?, ?)', [key, iso(now)]);
      await new AuditWriter(tx, operatorCtx(name, address), iso(now)).add('operator.login_failed', null);
    });
  }

  async function openSession(
    tx: Tx,
    operator: OperatorIdentity,
    address: string | undefined,
    previousSessionId: string | undefined,
  ): Promise<NewSession> {
    const now = clock.now();
    if (previousSessionId) {
      await tx.run('DELETE FROM operator_sessions WHERE id_hash = ?', [sessionIdHash(previousSessionId)]);
    }
    await tx.run('DELETE FROM operator_sessions WHERE expires_at < ?', [iso(now)]);
    const sessionId = base64url(random.bytes(32));
    const expiresAt = iso(now + ttl);
    await tx.run(
      'INSERT INTO operator_sessions (id_hash, operator, created_at, expires_at, address) VALUES (?, ?, ?, ?, ?)',
      [sessionIdHash(sessionId), operator.name, iso(now), expiresAt, address ?? null],
    );
    return { sessionId, operator, expiresAt };
  }

  async function insertOperator(
    tx: Tx,
    ctx: RequestContext,
    input: { name: string; role: Role; passwordHash: string; ownerId?: string | null | undefined },
  ): Promise<Operator> {
    if (await getRow(tx, input.name)) {
      throw new DomainError('already_exists', `name: operator ${JSON.stringify(input.name)} already exists`);
    }
    const now = iso();
    const hash = input.passwordHash;
    await tx.run(
      'INSERT INTO operators (name, role, owner_id, password_hash, disabled, created_at, updated_at) VALUES (?, ?, ?, ?, 0, ?, ?)',
      [input.name, input.role, toOwnerHex(input.ownerId), hash, now, now],
    );
    await new AuditWriter(tx, ctx, now).add('operator.create', input.name, {
      role: input.role,
      ownerId: input.ownerId ?? null,
    });
    return toView((await getRow(tx, input.name))!);
  }

  return {
    async setupRequired() {
      const row = await store.read((tx) =>
        tx.get<{ n: number | string }>('SELECT COUNT(*) AS n FROM operators'),
      );
      return Number(row?.n ?? 0) === 0;
    },

    async issueSetupPassword() {
      if (!(await this.setupRequired())) return null;
      const password = readableSecret(random.bytes(16));
      const hash = await hashPassword(normalizeSetupPassword(password), random.bytes(16));
      await store.transaction(async (tx) => {
        await tx.run('DELETE FROM station_settings WHERE key = ?', [SETUP_KEY]);
        await tx.run('INSERT INTO station_settings (key, value) VALUES (?, ?)', [SETUP_KEY, hash]);
      });
      return password;
    },

    async completeSetup(setupPassword, name, password, address) {
      const keys = throttleKeys('(setup)', address);
      await assertNotThrottled(keys);
      const stored = await store.read((tx) =>
        tx.get<{ value: string }>('SELECT value FROM station_settings WHERE key = ?', [SETUP_KEY]),
      );
      const matches = await verifyPassword(
        normalizeSetupPassword(setupPassword),
        stored?.value ?? DUMMY_HASH,
      );
      if (!stored || !matches || !(await this.setupRequired())) {
        await recordFailure(keys, 'setup', address);
        throw new DomainError(
          'unauthorized',
          'setupPassword: not the one-time setup password of this station',
        );
      }
      const passwordHash = await hashPassword(password, random.bytes(16));
      return store.transaction(async (tx) => {
        const count = await tx.get<{ n: number | string }>('SELECT COUNT(*) AS n FROM operators');
        if (Number(count?.n ?? 0) !== 0) {
          throw new DomainError('conflict', 'setup: the first operator already exists; log in instead');
        }
        const op = await insertOperator(tx, operatorCtx(name, address), {
          name,
          role: 'admin',
          passwordHash,
          ownerId: null,
        });
        await tx.run('DELETE FROM station_settings WHERE key = ?', [SETUP_KEY]);
        return openSession(tx, { name: op.name, role: op.role, ownerId: op.ownerId }, address, undefined);
      });
    },

    list() {
      return store.read(async (tx) =>
        (await tx.all<OperatorDbRow>('SELECT * FROM operators ORDER BY name')).map(toView),
      );
    },

    async create(ctx, input) {
      const passwordHash = await hashPassword(input.password, random.bytes(16));
      return store.transaction((tx) =>
        insertOperator(tx, ctx, {
          name: input.name,
          role: input.role,
          ownerId: input.ownerId,
          passwordHash,
        }),
      );
    },

    async update(ctx, input) {
      const hash =
        input.password === undefined ? undefined : await hashPassword(input.password, random.bytes(16));
      return store.transaction(async (tx) => {
        const row = await getRow(tx, input.name);
        if (!row) throw new DomainError('not_found', `name: no operator ${JSON.stringify(input.name)}`);
        const now = iso();
        const role = input.role ?? (row.role as Role);
        const ownerHex = input.ownerId === undefined ? row.owner_id : toOwnerHex(input.ownerId);
        const disabled = input.disabled === undefined ? Number(row.disabled) : input.disabled ? 1 : 0;
        if (row.role === 'admin' && (role !== 'admin' || disabled)) {
          const admins = await tx.get<{ n: number | string }>(
            "SELECT COUNT(*) AS n FROM operators WHERE role = 'admin' AND disabled = 0 AND name <> ?",
            [input.name],
          );
          if (Number(admins?.n ?? 0) === 0) {
            throw new DomainError('conflict', `name: ${JSON.stringify(input.name)} is the last active admin`);
          }
        }
        await tx.run(
          'UPDATE operators SET role = ?, owner_id = ?, disabled = ?, password_hash = ?, updated_at = ? WHERE name = ?',
          [role, ownerHex, disabled, hash ?? row.password_hash, now, input.name],
        );
        // A changed password, role, owner or a disable ends the operator's sessions.
        await tx.run('DELETE FROM operator_sessions WHERE operator = ?', [input.name]);
        await new AuditWriter(tx, ctx, now).add('operator.update', input.name, {
          role,
          ownerId: ownerHex === null ? null : formatId6(euiFromHex(ownerHex)),
          disabled: disabled !== 0,
          passwordChanged: hash !== undefined,
        });
        return toView((await getRow(tx, input.name))!);
      });
    },

    async login(name, password, address, previousSessionId) {
      const keys = throttleKeys(name, address);
      await assertNotThrottled(keys);
      const row = await store.read((tx) => getRow(tx, name));
      // Unknown names cost one scrypt too, so timing does not tell which names exist.
      const matches = await verifyPassword(password, row?.password_hash ?? DUMMY_HASH);
      if (!row || !matches || Number(row.disabled) !== 0) {
        await recordFailure(keys, name, address);
        throw new DomainError('unauthorized', 'login: unknown operator or wrong password');
      }
      return store.transaction(async (tx) => {
        await tx.run('DELETE FROM login_failures WHERE key = ?', [keys[0]!.key]);
        const session = await openSession(tx, identityOf(row), address, previousSessionId);
        await new AuditWriter(tx, operatorCtx(name, address), iso()).add('operator.login', null);
        return session;
      });
    },

    async changePassword(name, current, password, address) {
      const keys = throttleKeys(name, address);
      await assertNotThrottled(keys);
      const row = await store.read((tx) => getRow(tx, name));
      const matches = await verifyPassword(current, row?.password_hash ?? DUMMY_HASH);
      if (!row || !matches || Number(row.disabled) !== 0) {
        await recordFailure(keys, name, address);
        throw new DomainError('unauthorized', 'current: not the current password of this operator', {
          field: 'current',
        });
      }
      const hash = await hashPassword(password, random.bytes(16));
      await store.transaction(async (tx) => {
        await tx.run('UPDATE operators SET password_hash = ?, updated_at = ? WHERE name = ?', [
          hash,
          iso(),
          name,
        ]);
        await new AuditWriter(tx, operatorCtx(name, address), iso()).add('operator.password', name);
      });
    },

    async resolveSession(sessionId) {
      if (!sessionId || sessionId.length > 200) return undefined;
      return store.read(async (tx) => {
        const row = await tx.get<OperatorDbRow & { expires_at: string }>(
          'SELECT o.*, s.expires_at FROM operator_sessions s JOIN operators o ON o.name = s.operator WHERE s.id_hash = ?',
          [sessionIdHash(sessionId)],
        );
        if (!row || row.expires_at <= iso() || Number(row.disabled) !== 0) return undefined;
        return identityOf(row);
      });
    },

    async logout(sessionId) {
      await store.transaction(async (tx) => {
        await tx.run('DELETE FROM operator_sessions WHERE id_hash = ?', [sessionIdHash(sessionId)]);
      });
    },
  };
}
