/**
 * SQL text and value translation between the core's portable SQL (`?` placeholders, SQLite-shaped
 * results) and PostgreSQL (`$n` placeholders, typed results), for the PostgreSQL store
 * (docs/server-mode.md). Node main process only.
 */
import pg from 'pg';
import { DomainError } from '../../../src-shared/errors';

/**
 * Rewrites `?` placeholders as `$1, $2, …`, leaving `?` inside string literals, quoted identifiers
 * and comments alone. Throws when the text ends inside a literal (it would not run anyway).
 */
export function toPgPlaceholders(sql: string): string {
  let out = '';
  let n = 0;
  let i = 0;
  while (i < sql.length) {
    const c = sql[i]!;
    if (c === "'" || c === '"') {
      const end = closingQuote(sql, i, c);
      out += sql.slice(i, end);
      i = end;
    } else if (c === '-' && sql[i + 1] === '-') {
      const nl = sql.indexOf('\n', i);
      const end = nl < 0 ? sql.length : nl;
      out += sql.slice(i, end);
      i = end;
    } else if (c === '/' && sql[i + 1] === '*') {
      const close = sql.indexOf('*/', i + 2);
      if (close < 0) throw new DomainError('internal', 'store: unterminated comment in SQL');
      out += sql.slice(i, close + 2);
      i = close + 2;
    } else if (c === '?') {
      out += `$${++n}`;
      i++;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

function closingQuote(sql: string, start: number, quote: string): number {
  let i = start + 1;
  for (;;) {
    const j = sql.indexOf(quote, i);
    if (j < 0) throw new DomainError('internal', 'store: unterminated quoted text in SQL');
    if (sql[j + 1] === quote) {
      i = j + 2; // doubled quote inside the literal
      continue;
    }
    return j + 1;
  }
}

/** PostgreSQL type oids whose text form the store parses itself. */
const OID = { bool: 16, bytea: 17, int8: 20, numeric: 1700 } as const;

function parseSafeInteger(text: string): number {
  const v = Number(text);
  if (!Number.isSafeInteger(v)) {
    throw new DomainError('internal', `store: integer ${text} does not fit a JavaScript number`);
  }
  return v;
}

const byteaParser = pg.types.getTypeParser(OID.bytea) as (text: string) => Buffer;

/**
 * Result parsing that gives the rows the shape sql.js gives them: BIGINT and COUNT(*) as numbers
 * (every stored integer fits 2^53: CRCs, generations, ids), numerics as numbers, booleans as 1/0,
 * BYTEA as a plain Uint8Array.
 */
export const PG_TYPES: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: string) => {
    if (format === 'binary') return pg.types.getTypeParser(oid, 'binary');
    switch (oid) {
      case OID.int8:
        return parseSafeInteger;
      case OID.numeric:
        return (text: string) => Number(text);
      case OID.bool:
        return (text: string) => (text === 't' ? 1 : 0);
      case OID.bytea:
        return (text: string) => {
          const b = byteaParser(text);
          return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
        };
      default:
        return pg.types.getTypeParser(oid, 'text');
    }
  }) as pg.CustomTypesConfig['getTypeParser'],
};

/** SQLSTATEs after which the whole transaction is simply run again (PostgreSQL §13.2.3). */
const RETRYABLE = new Set(['40001', '40P01']);

/** True for a serialization failure or deadlock: the transaction may be retried from the start. */
export function isRetryable(e: unknown): boolean {
  return RETRYABLE.has((e as { code?: unknown } | null)?.code as string);
}

/**
 * Wraps an engine error with the statement text; a unique violation becomes
 * DomainError('conflict') as in the sql.js store, so callers need no engine-specific text.
 */
export function withPgSql(e: unknown, sql: string): Error {
  if (e instanceof DomainError) return e;
  const message = e instanceof Error ? e.message : String(e);
  const short = sql.replace(/\s+/g, ' ').trim().slice(0, 200);
  const code = (e as { code?: unknown } | null)?.code;
  if (code === '23505') {
    return new DomainError('conflict', `store: ${message} (in "${short}")`, { constraint: message });
  }
  const error = new Error(`store: ${message} (in "${short}")`, { cause: e });
  if (typeof code === 'string') Object.assign(error, { code });
  return error;
}
