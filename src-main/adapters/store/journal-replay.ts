/**
 * Opening-time replay of `journal.log` onto the loaded snapshot (DESIGN §3). All intact records of
 * the snapshot's checkpoint generation or later are applied in order inside one SQLite transaction
 * (equivalent to applying them one by one, since each was a committed transaction, and much faster).
 * A torn tail (an append cut by a crash, never acknowledged) is reported for dropping; a complete
 * last record that fails its checksum, a file cut inside (or after) its records, damage followed by
 * intact records, an undecodable record, or a statement that no longer replays is
 * DomainError('store_corrupt') naming the byte offset — never silent data loss (journal.ts for the
 * rules, docs/security.md "Durability and journal damage").
 */
import { existsSync, readFileSync } from 'node:fs';
import type { Database } from 'sql.js';
import { DomainError } from '../../../src-shared/errors';
import type { Logger } from '../../core/ports';
import { type JournalDamage, type JournalLayout, scanJournal } from './journal';
import { OP_FAILED_STATEMENT, OP_SCRIPT, decodePayload } from './journal-payload';
import { type StatementCache, executeStatement } from './sqljs-tx';

/** What {@link replayJournal} did. */
interface ReplayResult {
  /** how the file was found: pass it to JournalFile.open */
  layout: JournalLayout;
  /** a torn tail to drop before appending: `[from, to)` (JournalFile.discardTail) */
  tornTail?: { from: number; to: number };
  /** every record is already in station.db: start an empty journal (JournalFile.reset) */
  redundant: boolean;
  /** records applied */
  replayed: number;
  /** records skipped because the snapshot already contains them */
  skipped: number;
  /** statements applied */
  statements: number;
}

/** The message of a damaged or cut last record, which `gwjs db recover --drop-damaged-tail` drops. */
function damagedTailMessage(path: string, damage: JournalDamage): string {
  const what =
    damage.kind === 'cut'
      ? `the file was cut: the last record, at byte ${damage.offset}, is not whole (${damage.reason})`
      : `the last record, at byte ${damage.offset}, is complete but damaged (${damage.reason})`;
  return (
    `journal ${path}: ${what}; it may be an acknowledged write, so the store does not open without it. ` +
    'Restore the data directory from a backup, or drop the record explicitly with ' +
    '`gwjs db recover --drop-damaged-tail` (it keeps a copy of the dropped bytes)'
  );
}

/**
 * Replays `path` onto `db`, whose snapshot has checkpoint generation `generation`.
 * `hasSnapshot` is false when no station.db existed (then the journal must start at generation 0).
 */
export function replayJournal(
  db: Database,
  cache: StatementCache,
  path: string,
  generation: number,
  hasSnapshot: boolean,
  logger: Logger,
): ReplayResult {
  const data = existsSync(path) ? readFileSync(path) : Buffer.alloc(0);
  const scan = scanJournal(data);
  const corrupt = (detail: string) =>
    new DomainError(
      'store_corrupt',
      `journal ${path}: ${detail}. Refusing to open so that no acknowledged write is lost; ` +
        'keep a copy of the data directory and restore it from a backup, or ask support to repair it',
      { path },
    );
  if (scan.damage?.kind === 'corrupt') {
    const d = scan.damage;
    throw corrupt(
      d.nextValidOffset === undefined
        ? `damaged at byte ${d.offset} (${d.reason})`
        : `damaged record at byte ${d.offset} (${d.reason}) with intact records after it (byte ${d.nextValidOffset})`,
    );
  }
  if (scan.damage?.kind === 'damaged_tail' || scan.damage?.kind === 'cut') {
    throw new DomainError('store_corrupt', damagedTailMessage(path, scan.damage), {
      path,
      offset: scan.damage.offset,
    });
  }

  let replayed = 0;
  let skipped = 0;
  let statements = 0;
  let lastGeneration = -1;
  db.exec('BEGIN');
  try {
    for (let i = 0; i < scan.records.length; i++) {
      const record = scan.records[i]!;
      const where = `record ${i + 1} (byte ${record.offset})`;
      let payload;
      try {
        payload = decodePayload(record.payload);
      } catch (e) {
        throw corrupt(`${where} has a valid checksum but cannot be decoded: ${(e as Error).message}`);
      }
      if (payload.generation < lastGeneration) {
        throw corrupt(`${where} has checkpoint generation ${payload.generation} after ${lastGeneration}`);
      }
      if (i === 0 && !hasSnapshot && payload.generation > 0) {
        throw corrupt(
          `station.db is missing but the journal continues checkpoint generation ${payload.generation}; ` +
            'restore station.db',
        );
      }
      lastGeneration = payload.generation;
      if (payload.generation < generation) {
        skipped++;
        continue;
      }
      for (const s of payload.statements) {
        try {
          if (s.op === OP_SCRIPT) db.exec(s.sql);
          else executeStatement(db, cache.get(s.sql), s.sql, s.params, false);
        } catch (e) {
          if (s.op === OP_FAILED_STATEMENT) continue;
          throw corrupt(`${where} does not replay: ${(e as Error).message}`);
        }
        statements++;
      }
      replayed++;
    }
    db.exec('COMMIT');
  } catch (e) {
    try {
      db.exec('ROLLBACK');
    } catch {
      // SQLite already rolled back
    }
    throw e;
  }

  let tornTail: ReplayResult['tornTail'];
  if (scan.damage) {
    tornTail = { from: scan.validEnd, to: scan.tailEnd };
    logger.warn(
      {
        path,
        offset: scan.damage.offset,
        reason: scan.damage.reason,
        droppedBytes: scan.tailEnd - scan.validEnd,
      },
      'journal ends with a torn record (an unacknowledged write cut by a crash); dropping it',
    );
  }
  const { format, extentBytes, validEnd, fileBytes } = scan;
  return {
    layout: { format, extentBytes, validEnd, fileBytes },
    ...(tornTail === undefined ? {} : { tornTail }),
    redundant: replayed === 0 && skipped > 0, // everything is already in station.db
    replayed,
    skipped,
    statements,
  };
}
