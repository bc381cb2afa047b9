/**
 * Explicit recovery of a journal whose last record is damaged or cut (docs/security.md
 * "Durability and journal damage"): the store refuses to open on a complete last record that fails
 * its checksum, or on a file cut inside (or after) its records, because that may be an acknowledged
 * write; the operator may then decide to drop it. This copies every byte from the damaged record to
 * the end of the data (the zero fill of a preallocated extent is not data) into
 * `journal.damaged-<time>-at-<offset>.bin` beside the journal (fsync'ed), and only then drops them
 * from the journal (JournalFile.discardTail: zeros written back, and the size of a cut file made a
 * whole number of extents again). Damage with intact records after it, or a damaged file header, is
 * never dropped here (that would lose acknowledged writes that are readable). Runs under the store
 * lock, so never against a running server.
 */
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { DomainError } from '../../../src-shared/errors';
import { JournalFile, scanJournal } from './journal';
import { acquireStoreLock } from './lock';

/** What {@link dropDamagedTail} did. */
interface TailRecovery {
  /** journal data length (file offset of the end of its non-zero bytes) before and after */
  bytesBefore: number;
  bytesAfter: number;
  /** intact records kept */
  recordsKept: number;
  /** byte offset of the damaged record; null when the journal was intact (nothing dropped) */
  damagedAt: number | null;
  /** why the record was refused (`crc32 mismatch …`, `… it was cut`), null when nothing was dropped */
  reason: string | null;
  /** the copy of the dropped bytes, null when nothing was dropped */
  copy: string | null;
}

/**
 * Drops the damaged, cut or torn tail of `<dir>/journal.log`, keeping a copy of it.
 * @throws DomainError('store_busy') while another process holds the store; ('store_corrupt') when
 *   intact records follow the damage, or the file header is damaged (not a tail: restore from a
 *   backup instead).
 */
export function dropDamagedTail(dir: string, now: Date = new Date()): TailRecovery {
  const lock = acquireStoreLock(dir);
  try {
    const path = join(dir, 'journal.log');
    const data = existsSync(path) ? readFileSync(path) : Buffer.alloc(0);
    const scan = scanJournal(data);
    const dataEnd = scan.format === 'extents' ? scan.tailEnd : data.length;
    const nothing: TailRecovery = {
      bytesBefore: dataEnd,
      bytesAfter: dataEnd,
      recordsKept: scan.records.length,
      damagedAt: null,
      reason: null,
      copy: null,
    };
    if (scan.damage === undefined) return nothing;
    if (scan.damage.kind === 'corrupt') {
      const where =
        scan.damage.nextValidOffset === undefined
          ? `the journal is damaged at byte ${scan.damage.offset} (${scan.damage.reason})`
          : `the damaged record at byte ${scan.damage.offset} (${scan.damage.reason}) is not the last one ` +
            `(an intact record follows at byte ${scan.damage.nextValidOffset})`;
      throw new DomainError(
        'store_corrupt',
        `journal ${path}: ${where}; dropping it would lose writes that are still readable, so nothing ` +
          'was changed: restore the data directory from a backup',
        { path, offset: scan.damage.offset },
      );
    }
    const stamp = now.toISOString().replace(/[:.]/g, '-');
    const copy = join(dir, `journal.damaged-${stamp}-at-${scan.validEnd}.bin`);
    const fd = openSync(copy, 'wx', 0o600);
    try {
      writeSync(fd, data.subarray(scan.validEnd, Math.max(scan.validEnd, dataEnd)));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    const journal = JournalFile.open(path, scan);
    try {
      // a file cut inside its header keeps no record: start it again
      if (scan.format === 'extents' && scan.validEnd === 0) journal.reset();
      else journal.discardTail(scan.validEnd, scan.tailEnd);
    } finally {
      journal.close();
    }
    return {
      bytesBefore: dataEnd,
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
