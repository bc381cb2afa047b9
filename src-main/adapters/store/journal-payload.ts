/**
 * Payload of one journal record (DESIGN §3): the mutating statements of one committed transaction,
 * as UTF-8 JSON `{"g":gen,"q":[sql…],"s":[[op,sqlIndex,param…]…]}`.
 * - `g`: checkpoint generation the record was written in (records older than the snapshot's
 *   generation are already inside `station.db` and are skipped on replay);
 * - `q`: distinct SQL texts of the transaction; `s`: statements in execution order;
 * - `op`: {@link OP_STATEMENT} (replay must succeed), {@link OP_FAILED_STATEMENT} (failed when first
 *   run; replayed for any partial effect, its error ignored) or {@link OP_SCRIPT} (multi-statement
 *   SQL without parameters, e.g. a migration);
 * - parameters: strings, finite numbers and null as JSON; blobs `{"b":base64}`; NaN/±Infinity
 *   `{"n":"NaN"}` — so every {@link SqlValue} round-trips exactly.
 */
import { DomainError } from '../../../src-shared/errors';
import type { SqlValue } from '../../core/ports';

/** A statement that succeeded. */
export const OP_STATEMENT = 0;
/** A mutating statement that raised an error inside a transaction the caller went on to commit. */
export const OP_FAILED_STATEMENT = 1;
/** A parameterless multi-statement script. */
export const OP_SCRIPT = 2;

/** Operation codes of a journaled statement. */
type JournalOp = typeof OP_STATEMENT | typeof OP_FAILED_STATEMENT | typeof OP_SCRIPT;

type JournalValue = string | number | null | { b: string } | { n: string };

/** One decoded statement of a record. */
interface JournalStatement {
  op: JournalOp;
  sql: string;
  params: SqlValue[];
}

/** One decoded record. */
interface DecodedPayload {
  generation: number;
  statements: JournalStatement[];
}

/** Throws unless every parameter is a {@link SqlValue}; names the statement and position. */
export function checkParams(params: readonly unknown[], sql: string): void {
  for (let i = 0; i < params.length; i++) {
    const v = params[i];
    if (v === null || typeof v === 'string' || typeof v === 'number' || v instanceof Uint8Array) continue;
    throw new DomainError(
      'internal',
      `store: parameter ${i + 1} of "${sql.slice(0, 120)}" is ${describe(v)}; expected string, number, null or Uint8Array`,
    );
  }
}

const describe = (v: unknown) => (v === undefined ? 'undefined' : `${typeof v} ${String(v).slice(0, 40)}`);

function encodeValue(v: SqlValue): JournalValue {
  if (typeof v === 'number') return Number.isFinite(v) ? v : { n: String(v) };
  if (v instanceof Uint8Array)
    return { b: Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64') };
  return v;
}

function decodeValue(v: unknown): SqlValue {
  if (v === null || typeof v === 'string' || typeof v === 'number') return v;
  if (typeof v === 'object') {
    const o = v as { b?: unknown; n?: unknown };
    if (typeof o.b === 'string') return Buffer.from(o.b, 'base64');
    if (o.n === 'NaN' || o.n === 'Infinity' || o.n === '-Infinity') return Number(o.n);
  }
  throw new Error(`bad journal parameter ${JSON.stringify(v)?.slice(0, 60)}`);
}

/** Collects a transaction's statements (copying blob parameters at once) and encodes them. */
export class PayloadBuilder {
  private readonly sqlIndex = new Map<string, number>();
  private readonly entries: unknown[][] = [];

  /** Number of statements collected. */
  get count(): number {
    return this.entries.length;
  }

  /** Records one statement; parameters must already have passed {@link checkParams}. */
  add(op: JournalOp, sql: string, params: readonly SqlValue[]): void {
    let qi = this.sqlIndex.get(sql);
    if (qi === undefined) {
      qi = this.sqlIndex.size;
      this.sqlIndex.set(sql, qi);
    }
    const entry: unknown[] = [op, qi];
    for (const p of params) entry.push(encodeValue(p));
    this.entries.push(entry);
  }

  /** The UTF-8 JSON payload, tagged with checkpoint generation `generation`. */
  encode(generation: number): Buffer {
    return Buffer.from(
      JSON.stringify({ g: generation, q: [...this.sqlIndex.keys()], s: this.entries }),
      'utf8',
    );
  }
}

/** Parses a payload written by {@link PayloadBuilder.encode}; throws on any shape error. */
export function decodePayload(payload: Uint8Array): DecodedPayload {
  const text = Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength).toString('utf8');
  const raw = JSON.parse(text) as { g?: unknown; q?: unknown; s?: unknown };
  if (!Number.isSafeInteger(raw.g) || !Array.isArray(raw.q) || !Array.isArray(raw.s)) {
    throw new Error('payload is not {g, q, s}');
  }
  const q = raw.q as unknown[];
  if (!q.every((s) => typeof s === 'string')) throw new Error('payload q holds a non-string');
  const statements: JournalStatement[] = [];
  for (const e of raw.s as unknown[]) {
    if (!Array.isArray(e) || e.length < 2) throw new Error('payload statement is not [op, sql, …]');
    const op = e[0] as unknown;
    const sql = q[e[1] as number];
    if ((op !== OP_STATEMENT && op !== OP_FAILED_STATEMENT && op !== OP_SCRIPT) || typeof sql !== 'string') {
      throw new Error(`payload statement ${JSON.stringify(e.slice(0, 2))} has a bad op or sql index`);
    }
    const params: SqlValue[] = [];
    for (let i = 2; i < e.length; i++) params.push(decodeValue(e[i]));
    statements.push({ op, sql, params });
  }
  return { generation: raw.g as number, statements };
}
