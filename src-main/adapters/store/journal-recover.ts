/**
 * Explicit recovery of a journal whose last record is damaged (docs/security.md "Durability"):
 * the store refuses to open on a complete last record that fails its checksum, because it may be an
 * acknowledged write; the operator may then decide to drop it. This copies every byte from the
 * damaged record to the end of the file into `journal.damaged-<time>-at-<offset>.bin` beside the
 * journal (fsync'ed), and only then truncates the journal to its intact prefix. Damage with intact
 * records after it is never dropped here (that would lose acknowledged writes that are readable).
 * Runs under the store lock, so never against a running server.
 */
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { DomainError } from '../../../src-shared/errors';
import { JournalFile, scanJournal } from './journal';
import { acquireStoreLock } from './lock';

/** What {@link dropDamagedTail} did. */
export interface TailRecovery {
  /** journal length before and after */
  bytesBefore: number;
  bytesAfter: number;
  /** intact records kept */
  recordsKept: number;
  /** byte offset of the damaged record; null when the journal was intact (nothing dropped) */
  damagedAt: number | null;
  /** why the record was refused (`crc32 mismatch …`), null when nothing was dropped */
  reason: string | null;
  /** the copy of the dropped bytes, null when nothing was dropped */
  copy: string | null;
}

/**
 * Drops the damaged or torn tail of `<dir>/journal.log`, keeping a copy of it.
 * @throws DomainError('store_busy') while another process holds the store; ('store_corrupt') when
 *   intact records follow the damage (not a tail: restore from a backup instead).
 */
export function dropDamagedTail(dir: string, now: Date = new Date()): TailRecovery {
  const lock = acquireStoreLock(dir);
  try {
    const path = join(dir, 'journal.log');
    const data = existsSync(path) ? readFileSync(path) : Buffer.alloc(0);
    const scan = scanJournal(data);
    const nothing: TailRecovery = {
      bytesBefore: data.length,
      bytesAfter: data.length,
      recordsKept: scan.records.length,
      damagedAt: null,
      reason: null,
      copy: null,
    };
    if (scan.damage === undefined) return nothing;
    if (scan.damage.kind === 'corrupt') {
      throw new DomainError(
        'store_corrupt',
        `journal ${path}: the damaged record at byte ${scan.damage.offset} (${scan.damage.reason}) is not the last one ` +
          `(an intact record follows at byte ${scan.damage.nextValidOffset}); dropping it would lose writes that are ` +
          'still readable, so nothing was changed: restore the data directory from a backup',
        { path, offset: scan.damage.offset },
      );
    }
    const stamp = now.toISOString().replace(/[:.]/g, '-');
    const copy = join(dir, `journal.damaged-${stamp}-at-${scan.validEnd}.bin`);
    const fd = openSync(copy, 'wx', 0o600);
    try {
      writeSync(fd, data.subarray(scan.validEnd));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    const journal = JournalFile.open(path, data.length);
    try {
      journal.truncate(scan.validEnd);
    } finally {
      journal.close();
    }
    return {
      bytesBefore: data.length,
      bytesAfter: scan.validEnd,
      recordsKept: scan.records.length,
      damagedAt: scan.damage.offset,
      reason: scan.damage.reason,
      copy,
    };
  } finally {
    lock.release();
  }
}
