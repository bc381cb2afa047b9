/**
 * `gwjs db recover --drop-damaged-tail` (docs/security.md "Durability"): when the store refuses to
 * open because the journal's last record is complete but damaged, or the file was cut inside (or
 * after) it, this drops that record — after copying the dropped bytes beside the journal — and
 * checks that the store then opens. It never drops damage that intact records follow. The server
 * must be stopped (the store lock).
 */
import { join } from 'node:path';
import { DomainError } from '../../../src-shared/errors';
import { dropDamagedTail } from '../../adapters/store/journal-recover';
import { DEFAULT_MIGRATIONS_DIR, loadMigrations, openSqljsStore } from '../../adapters/store/sqljs-store';
import { UsageError, type Command } from '../command';
import { dataDirOf, dbOf, explainBusy } from '../open';

export const dbRecoverCommand: Command = {
  name: 'db recover',
  summary: 'drop a damaged or cut last journal record (keeps a copy), then check the store opens',
  usage: '--drop-damaged-tail',
  help: [
    '  --drop-damaged-tail        drop the damaged or cut last record of DIR/db/journal.log;',
    '                             the dropped bytes are kept in',
    '                             DIR/db/journal.damaged-<time>-at-<offset>.bin',
  ],
  options: { 'drop-damaged-tail': { type: 'boolean', default: false } },
  positionals: { min: 0, max: 0 },
  access: 'write',
  async run(args, io) {
    if (args.values['drop-damaged-tail'] !== true) {
      throw new UsageError('db recover: say what to do: --drop-damaged-tail (the only recovery offered)');
    }
    if (dbOf(args, io) !== undefined) {
      throw new DomainError('invalid_request', 'db recover: only the sql.js store in DIR/db has a journal');
    }
    const dataDir = dataDirOf(args, io);
    const dir = join(dataDir, 'db');
    let result;
    try {
      result = dropDamagedTail(dir);
    } catch (e) {
      throw explainBusy(e, dataDir);
    }
    // the proof: the store opens (and replays everything kept)
    const store = await openSqljsStore({ dir, migrations: loadMigrations(DEFAULT_MIGRATIONS_DIR) });
    await store.close();
    const text =
      result.copy === null
        ? `The journal of ${dir} has no damaged tail: nothing dropped (${result.recordsKept} records).`
        : [
            `Dropped ${result.bytesBefore - result.bytesAfter} bytes from byte ${result.damagedAt} (${result.reason}).`,
            `A copy of the dropped bytes: ${result.copy}`,
            `${result.recordsKept} intact records kept; the store opens.`,
          ].join('\n');
    return { json: { ...result, dir }, text };
  },
};
