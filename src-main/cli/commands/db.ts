/**
 * `gwjs db migrate | export | import` (docs/server-mode.md): apply pending migrations, and move
 * every row between the sql.js store of DIR/db and a PostgreSQL store (`--db` / `$GWJS_DB`).
 * The server must be stopped for a sql.js store (its lock) — only `export` then asks the running
 * server for a snapshot (docs/cli.md "While the server runs"); a PostgreSQL store may be migrated
 * while instances of the same build run (migrations run under an advisory lock).
 */
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { NO_ARGUMENTS, type Command, type CommandArgs, type CliIo } from '../command';
import { dataDirOf, dbOf, explainBusy, localOrThroughServer } from '../open';
import type { Store } from '../../core/ports';

async function openFor(
  args: CommandArgs,
  io: CliIo,
): Promise<{ store: Store; engine: 'sqljs' | 'pg'; where: string }> {
  const { openStationStore } = await import('../../compose/station');
  const db = dbOf(args, io);
  const dataDir = dataDirOf(args, io);
  try {
    const store = await openStationStore(dataDir, db !== undefined ? { db } : {});
    return {
      store,
      engine: db !== undefined ? 'pg' : 'sqljs',
      where: db !== undefined ? 'PostgreSQL' : `${dataDir}/db`,
    };
  } catch (e) {
    throw explainBusy(e, dataDir, db);
  }
}

export const dbMigrateCommand: Command = {
  name: 'db migrate',
  summary: 'apply pending schema migrations to the store (sql.js DIR/db, or --db postgres://…)',
  ...NO_ARGUMENTS,
  access: 'write',
  async run(args, io) {
    const { store, where } = await openFor(args, io);
    try {
      const applied = await store.read((tx) =>
        tx.all<{ id: number; name: string }>('SELECT id, name FROM schema_migrations ORDER BY id'),
      );
      return {
        json: { store: where, migrations: applied },
        text: `${where}: at migration ${applied.at(-1)?.id ?? 0} (${applied.map((m) => `${m.id}-${m.name}`).join(', ')})`,
      };
    } finally {
      await store.close();
    }
  },
};

export const dbExportCommand: Command = {
  name: 'db export',
  summary: 'write every row of the store to a file (JSON lines), e.g. to import into PostgreSQL',
  usage: 'FILE',
  help: ['  FILE                       the export file (written mode 0600: it holds key digests and setups)'],
  options: {},
  positionals: { min: 1, max: 1 },
  access: 'read',
  async run(args, io) {
    const file = resolve(args.positionals[0]!);
    const { exportStore } = await import('../../adapters/store/db-transfer');
    const result = (where: string, counts: Record<string, number>) => ({
      json: { file, store: where, tables: counts },
      text: `Exported ${Object.values(counts).reduce((a, b) => a + b, 0)} rows of ${where} to ${file}.`,
    });
    // read-only: while `gwjs serve` holds the sql.js store, the server exports a snapshot (docs/cli.md)
    return localOrThroughServer(
      args,
      io,
      'db-export',
      {},
      async () => {
        const { store, engine, where } = await openFor(args, io);
        try {
          return result(where, await exportStore(store, engine, file));
        } finally {
          await store.close();
        }
      },
      async (answer) => {
        await writeFile(file, answer.text, { mode: 0o600 });
        return result(`${dataDirOf(args, io)}/db`, answer.tables);
      },
    );
  },
};

export const dbImportCommand: Command = {
  name: 'db import',
  summary: 'load an export file into an empty store (same migrations), in one transaction',
  usage: 'FILE',
  help: ['  FILE                       a file written by `gwjs db export`'],
  options: {},
  positionals: { min: 1, max: 1 },
  access: 'write',
  async run(args, io) {
    const file = resolve(args.positionals[0]!);
    const { importStore } = await import('../../adapters/store/db-transfer');
    const { store, engine, where } = await openFor(args, io);
    try {
      const counts = await importStore(store, engine, file);
      const rows = Object.values(counts).reduce((a, b) => a + b, 0);
      return {
        json: { file, store: where, tables: counts },
        text: `Imported ${rows} rows from ${file} into ${where}.`,
      };
    } finally {
      await store.close();
    }
  },
};
