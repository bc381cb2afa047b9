/**
 * `gwjs db export | import` (docs/server-mode.md): moves every row between the embedded sql.js
 * store and PostgreSQL (a site server into the cloud, and back), through one JSON-lines file:
 *   line 1: {"format":"gwjs-db-export","version":1,"migrations":[{"id","name"}…]}
 *   then per table: {"table":T,"columns":[…]} followed by one line per row (an array of values;
 *   bytes as {"b64":"…"}).
 * Tables come in creation order, so foreign keys are satisfied row by row on import. The target
 * must be empty and carry exactly the migrations the file names (both stores have the same
 * migration numbers and names). One transaction: an import is applied whole or not at all.
 */
import { createWriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { once } from 'node:events';
import { DomainError } from '../../../src-shared/errors';
import type { SqlValue, Store, Tx } from '../../core/ports';
import { resyncSeqs } from './pg-store';

/** Which engine a store runs on (the catalogue queries differ). */
export type StoreEngine = 'sqljs' | 'pg';

const FORMAT = 'gwjs-db-export';
/** Store-owned tables that are not data. */
const SKIP = new Set(['schema_migrations', '_store_meta']);
/** Rows per INSERT on import. */
const BATCH = 200;

/** Data tables in creation order. */
async function tablesOf(tx: Tx, engine: StoreEngine): Promise<string[]> {
  const rows =
    engine === 'sqljs'
      ? await tx.all<{ name: string }>(
          "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%' ORDER BY rowid",
        )
      : await tx.all<{ name: string }>(
          `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE n.nspname = current_schema() AND c.relkind = 'r' ORDER BY c.oid`,
        );
  return rows.map((r) => r.name).filter((n) => !SKIP.has(n));
}

async function columnsOf(tx: Tx, engine: StoreEngine, table: string): Promise<string[]> {
  const rows =
    engine === 'sqljs'
      ? await tx.all<{ name: string }>('SELECT name FROM pragma_table_info(?) ORDER BY cid', [table])
      : await tx.all<{ name: string }>(
          `SELECT column_name AS name FROM information_schema.columns
           WHERE table_schema = current_schema() AND table_name = ? ORDER BY ordinal_position`,
          [table],
        );
  return rows.map((r) => r.name);
}

async function migrationsOf(tx: Tx): Promise<{ id: number; name: string }[]> {
  return tx.all<{ id: number; name: string }>('SELECT id, name FROM schema_migrations ORDER BY id');
}

const encode = (v: SqlValue): unknown =>
  v instanceof Uint8Array ? { b64: Buffer.from(v).toString('base64') } : v;
const decode = (v: unknown): SqlValue => {
  if (v !== null && typeof v === 'object' && typeof (v as { b64?: unknown }).b64 === 'string') {
    return new Uint8Array(Buffer.from((v as { b64: string }).b64, 'base64'));
  }
  if (v === null || typeof v === 'string' || typeof v === 'number') return v;
  throw new DomainError('invalid_request', `import: a value of type ${typeof v} is not a stored value`);
};

/**
 * Hands every row of `store` to `write`, one export line (JSON, ending in a newline) at a time,
 * inside one read transaction (a consistent snapshot); resolves with the row count per table.
 */
export async function exportStoreTo(
  store: Store,
  engine: StoreEngine,
  write: (line: string) => Promise<void> | void,
): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  const put = (line: unknown) => write(`${JSON.stringify(line)}\n`);
  await store.read(async (tx) => {
    await put({ format: FORMAT, version: 1, migrations: await migrationsOf(tx) });
    for (const table of await tablesOf(tx, engine)) {
      const columns = await columnsOf(tx, engine, table);
      await put({ table, columns });
      const rows = await tx.all(`SELECT ${columns.map((c) => `"${c}"`).join(', ')} FROM "${table}"`);
      for (const r of rows) await put(columns.map((c) => encode(r[c] ?? null)));
      counts[table] = rows.length;
    }
  });
  return counts;
}

/** Writes every row of `store` to `file` (mode 0600); resolves with the row count per table. */
export async function exportStore(
  store: Store,
  engine: StoreEngine,
  file: string,
): Promise<Record<string, number>> {
  const out = createWriteStream(file, { mode: 0o600 });
  try {
    return await exportStoreTo(store, engine, async (line) => {
      if (!out.write(line)) await once(out, 'drain');
    });
  } finally {
    out.end();
    await once(out, 'close');
  }
}

/**
 * Reads `file` into `store`, which must be empty and at the file's migrations. Resolves with the
 * row count per table. @throws DomainError('invalid_request' | 'conflict')
 */
export async function importStore(
  store: Store,
  engine: StoreEngine,
  file: string,
): Promise<Record<string, number>> {
  const lines = (await readFile(file, 'utf8')).split('\n').filter((l) => l !== '');
  const head = parseLine(lines[0], 1) as { format?: unknown; version?: unknown; migrations?: unknown };
  if (head.format !== FORMAT || head.version !== 1 || !Array.isArray(head.migrations)) {
    throw new DomainError('invalid_request', `import: ${file} is not a gwjs-db-export file`);
  }
  const counts: Record<string, number> = {};
  await store.transaction(async (tx) => {
    const mine = await migrationsOf(tx);
    if (JSON.stringify(mine) !== JSON.stringify(head.migrations)) {
      throw new DomainError(
        'conflict',
        `import: the file was exported at migrations ${fmt(head.migrations as { id: number }[])}, this store is at ${fmt(mine)}: migrate both to the same build first`,
      );
    }
    const tables = new Set(await tablesOf(tx, engine));
    for (const t of tables) {
      const row = await tx.get<{ n: number }>(`SELECT COUNT(*) AS n FROM "${t}"`);
      if ((row?.n ?? 0) > 0)
        throw new DomainError('conflict', `import: table ${t} of the target store is not empty`);
    }
    let table: string | undefined;
    let columns: string[] = [];
    let pending: SqlValue[][] = [];
    const flush = async () => {
      if (pending.length === 0 || table === undefined) return;
      const tuple = `(${columns.map(() => '?').join(', ')})`;
      await tx.run(
        `INSERT INTO "${table}" (${columns.map((c) => `"${c}"`).join(', ')}) VALUES ${pending.map(() => tuple).join(', ')}`,
        pending.flat(),
      );
      pending = [];
    };
    for (let i = 1; i < lines.length; i++) {
      const v = parseLine(lines[i], i + 1);
      if (Array.isArray(v)) {
        if (table === undefined || v.length !== columns.length) {
          throw new DomainError(
            'invalid_request',
            `import: line ${i + 1} is a row outside a table or of the wrong width`,
          );
        }
        pending.push(v.map(decode));
        counts[table] = (counts[table] ?? 0) + 1;
        if (pending.length >= BATCH) await flush();
        continue;
      }
      await flush();
      const t = v as { table?: unknown; columns?: unknown };
      if (typeof t.table !== 'string' || !tables.has(t.table) || !Array.isArray(t.columns)) {
        throw new DomainError('invalid_request', `import: line ${i + 1} names no table of this store`);
      }
      const known = new Set(await columnsOf(tx, engine, t.table));
      for (const c of t.columns) {
        if (typeof c !== 'string' || !known.has(c)) {
          throw new DomainError('invalid_request', `import: table ${t.table} has no column ${String(c)}`);
        }
      }
      table = t.table;
      columns = t.columns as string[];
      counts[table] = 0;
    }
    await flush();
    // the rows came with their seqs: PostgreSQL's feed SEQUENCEs continue after them
    if (engine === 'pg') await resyncSeqs(tx);
  });
  return counts;
}

function parseLine(line: string | undefined, n: number): unknown {
  try {
    return JSON.parse(line ?? '');
  } catch {
    throw new DomainError('invalid_request', `import: line ${n} is not JSON`);
  }
}

const fmt = (m: readonly { id: number }[]) => `[${m.map((x) => x.id).join(', ')}]`;
