/**
 * Owners and API keys (SPEC §4.1). A key is `gwjs_<id>_<secret>`: `id` (16 hex) finds the row,
 * `secret` (32 random bytes, Base64url) makes it unguessable. Only SHA-256 of the whole key is
 * stored — the key is high-entropy random, so a fast hash is the right tool; it is shown once.
 * An admin key has no owner and the `admin` scope; an owner key never has `admin`. A factory key
 * has no owner and the `factory` scope only (docs/sync.md "Factory records").
 */
import { base64UrlNoPad, bytesToHex } from '../../src-shared/bytes';
import { DomainError } from '../../src-shared/errors';
import { euiHex, euiFromHex, formatId6, parseIdField } from '../../src-shared/ids';
import {
  SCOPES,
  type AccessService,
  type ApiKeySummary,
  type OwnerRow,
  type Principal,
  type RequestContext,
  type Scope,
} from './api';
import { auditWriter } from './audit';
import { isAdmin, parseOwnerId, requireAdmin } from './authorize';
import { digestsEqual, sha256 } from './digest';
import { isoAt, type CoreEnv } from './env';
import type { SqlRow } from './ports';
import { bytesOrNull, textOf, textOrNull } from './rows';

const KEY_FORMAT = /^gwjs_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;
const MAX_NAME = 200;

function ownerRowOf(r: SqlRow): OwnerRow {
  return {
    id: formatId6(euiFromHex(textOf(r, 'id'))),
    name: textOrNull(r, 'name'),
    createdAt: textOf(r, 'created_at'),
  };
}

function keySummaryOf(r: SqlRow): ApiKeySummary {
  const owner = textOrNull(r, 'owner_id');
  return {
    id: textOf(r, 'id'),
    ownerId: owner === null ? null : formatId6(euiFromHex(owner)),
    scopes: parseScopes(textOf(r, 'scopes')),
    createdAt: textOf(r, 'created_at'),
    revokedAt: textOrNull(r, 'revoked_at'),
    label: textOrNull(r, 'label'),
  };
}

function parseScopes(text: string): Scope[] {
  return text.split(' ').filter((s): s is Scope => (SCOPES as readonly string[]).includes(s));
}

/** True when `s` holds a C0 control character or DEL. */
function hasControl(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}

function checkText(value: string | undefined, field: string): string | null {
  if (value === undefined) return null;
  if (typeof value !== 'string' || value.length > MAX_NAME || hasControl(value)) {
    throw new DomainError(
      'invalid_request',
      `${field}: expected text of at most ${MAX_NAME} printable characters`,
      {
        field,
      },
    );
  }
  return value;
}

/** Owners and API keys. */
export class Access implements AccessService {
  constructor(private readonly env: CoreEnv) {}

  /**
   * Creates an owner (admin only).
   * @throws DomainError('invalid_id' | 'already_exists' | 'forbidden')
   */
  async createOwner(ctx: RequestContext, id: string, name?: string): Promise<OwnerRow> {
    requireAdmin(ctx);
    const ownerId = parseIdField(id, 'id');
    const hex = euiHex(ownerId);
    const cleanName = checkText(name, 'name');
    const at = isoAt(this.env.clock.now());
    return this.env.store.transaction(async (tx) => {
      if ((await tx.get('SELECT id FROM owners WHERE id = ?', [hex])) !== undefined) {
        throw new DomainError('already_exists', `id: owner ${formatId6(ownerId)} already exists`, {
          field: 'id',
        });
      }
      await tx.run('INSERT INTO owners (id, name, add_count, created_at) VALUES (?, ?, 0, ?)', [
        hex,
        cleanName,
        at,
      ]);
      await auditWriter(this.env, tx, ctx).add('owner.create', formatId6(ownerId), { name: cleanName });
      return { id: formatId6(ownerId), name: cleanName, createdAt: at };
    });
  }

  /** Every owner, by id (admin only). */
  async listOwners(ctx: RequestContext): Promise<OwnerRow[]> {
    requireAdmin(ctx);
    const rows = await this.env.store.read((tx) =>
      tx.all('SELECT id, name, created_at FROM owners ORDER BY id'),
    );
    return rows.map(ownerRowOf);
  }

  /**
   * Creates an API key (admin only) and returns its text once. `ownerId` null makes an admin key
   * (the `admin` scope is implied) — or, with the scopes `["factory"]`, a factory key (docs/sync.md
   * "Factory records"); an owner key may carry neither `admin` nor `factory`.
   * @throws DomainError('invalid_request' | 'not_found' | 'forbidden')
   */
  async createApiKey(
    ctx: RequestContext,
    ownerId: string | null,
    scopes: readonly Scope[],
    label?: string,
  ): Promise<{ apiKey: string; summary: ApiKeySummary }> {
    requireAdmin(ctx);
    const owner = ownerId === null ? null : parseOwnerId(ownerId);
    const set = new Set<Scope>();
    for (const s of scopes) {
      if (!(SCOPES as readonly string[]).includes(s)) {
        throw new DomainError('invalid_request', `scopes: unknown scope ${JSON.stringify(s)}`, {
          field: 'scopes',
        });
      }
      set.add(s);
    }
    if (owner === null) {
      // an ownerless key is an admin key, unless it is a factory key: `factory` and nothing else
      if (set.has('factory') && !set.has('admin')) {
        if (set.size !== 1) {
          throw new DomainError(
            'invalid_request',
            'scopes: a factory key carries "factory" only (it acts for no owner)',
            { field: 'scopes' },
          );
        }
      } else set.add('admin');
    } else if (set.has('admin') || set.has('factory')) {
      throw new DomainError(
        'invalid_request',
        `scopes: "${set.has('admin') ? 'admin' : 'factory'}" is only for keys without an owner`,
        { field: 'scopes' },
      );
    }
    if (set.size === 0) throw new DomainError('invalid_request', 'scopes: at least one scope is needed');
    const ordered = SCOPES.filter((s) => set.has(s));
    const cleanLabel = checkText(label, 'label');
    const id = bytesToHex(this.env.random.bytes(8));
    const apiKey = `gwjs_${id}_${base64UrlNoPad(this.env.random.bytes(32))}`;
    const at = isoAt(this.env.clock.now());
    await this.env.store.transaction(async (tx) => {
      if (owner !== null && (await tx.get('SELECT id FROM owners WHERE id = ?', [owner.hex])) === undefined) {
        throw new DomainError('not_found', `ownerid: owner ${owner.id6} does not exist`, {
          field: 'ownerid',
        });
      }
      await tx.run(
        'INSERT INTO api_keys (id, owner_id, key_hash, scopes, label, created_at, revoked_at) VALUES (?, ?, ?, ?, ?, ?, NULL)',
        [id, owner?.hex ?? null, sha256(apiKey), ordered.join(' '), cleanLabel, at],
      );
      await auditWriter(this.env, tx, ctx).add('api_key.create', id, {
        owner: owner?.id6 ?? null,
        scopes: ordered,
        label: cleanLabel,
      });
    });
    return {
      apiKey,
      summary: {
        id,
        ownerId: owner?.id6 ?? null,
        scopes: ordered,
        createdAt: at,
        revokedAt: null,
        label: cleanLabel,
      },
    };
  }

  /**
   * Revokes a key: an admin revokes any key, an owner key its owner's keys. Idempotent.
   * @throws DomainError('not_found' | 'forbidden')
   */
  async revokeApiKey(ctx: RequestContext, keyId: string): Promise<void> {
    const at = isoAt(this.env.clock.now());
    await this.env.store.transaction(async (tx) => {
      const row = await tx.get('SELECT id, owner_id, revoked_at FROM api_keys WHERE id = ?', [keyId]);
      if (row === undefined) {
        throw new DomainError('not_found', `keyId: no API key ${JSON.stringify(keyId)}`, { field: 'keyId' });
      }
      const p = ctx.principal;
      const owner = textOrNull(row, 'owner_id');
      if (!isAdmin(p) && (p.ownerId === null || owner === null || euiHex(p.ownerId) !== owner)) {
        throw new DomainError('forbidden', `keyId: key ${keyId} belongs to another owner`, {
          field: 'keyId',
        });
      }
      if (textOrNull(row, 'revoked_at') !== null) return;
      await tx.run('UPDATE api_keys SET revoked_at = ? WHERE id = ?', [at, keyId]);
      await auditWriter(this.env, tx, ctx).add('api_key.revoke', keyId);
    });
  }

  /** Keys (without secrets): an admin sees all or one owner's, an owner key its own owner's. */
  async listApiKeys(ctx: RequestContext, ownerId?: string): Promise<ApiKeySummary[]> {
    const p = ctx.principal;
    let ownerHex: string | undefined = ownerId === undefined ? undefined : parseOwnerId(ownerId).hex;
    if (!isAdmin(p)) {
      if (p.ownerId === null) throw new DomainError('forbidden', 'this key may not list API keys');
      if (ownerHex !== undefined && ownerHex !== euiHex(p.ownerId)) {
        throw new DomainError('forbidden', `ownerid: this key acts for owner ${formatId6(p.ownerId)}`);
      }
      ownerHex = euiHex(p.ownerId);
    }
    const cols = 'id, owner_id, scopes, label, created_at, revoked_at';
    const rows = await this.env.store.read((tx) =>
      ownerHex === undefined
        ? tx.all(`SELECT ${cols} FROM api_keys ORDER BY created_at, id`)
        : tx.all(`SELECT ${cols} FROM api_keys WHERE owner_id = ? ORDER BY created_at, id`, [ownerHex]),
    );
    return rows.map(keySummaryOf);
  }

  /**
   * The principal of a bearer API key.
   * @throws DomainError('unauthorized') when the key is malformed, unknown or revoked — one message
   *   for all three, so the answer tells an attacker nothing.
   */
  async authenticate(bearer: string): Promise<Principal> {
    const m = typeof bearer === 'string' ? KEY_FORMAT.exec(bearer) : null;
    const unauthorized = new DomainError('unauthorized', 'invalid or revoked API key');
    if (m === null) throw unauthorized;
    const id = m[1]!;
    const row = await this.env.store.read((tx) =>
      tx.get('SELECT id, owner_id, key_hash, scopes, revoked_at FROM api_keys WHERE id = ?', [id]),
    );
    const stored = row === undefined ? null : bytesOrNull(row, 'key_hash');
    if (row === undefined || stored === null || !digestsEqual(sha256(bearer), stored)) throw unauthorized;
    if (textOrNull(row, 'revoked_at') !== null) throw unauthorized;
    const owner = textOrNull(row, 'owner_id');
    return {
      kind: 'api-key',
      id,
      ownerId: owner === null ? null : euiFromHex(owner),
      scopes: new Set(parseScopes(textOf(row, 'scopes'))),
    };
  }
}
