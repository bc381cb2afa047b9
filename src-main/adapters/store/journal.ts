/**
 * The write-ahead journal of the sql.js store (DESIGN §3, docs/security.md "Durability and journal
 * damage"), runs in the Node main process.
 *
 * Longer than ~400 lines on purpose: the scanner and the writer must agree on the byte rules below
 * to the bit, so they stand side by side; payloads, replay and recovery are apart.
 *
 * Records: `[u32 length][u32 crc32][payload]`. Both integers are **little-endian**; `length` counts
 * payload bytes (1 … {@link MAX_RECORD_BYTES}); `crc32` is the CRC-32 of zlib / ISO-HDLC (poly
 * 0xEDB88320, `crc32("123456789") = 0xCBF43926`) over the payload. Payloads are UTF-8 JSON objects
 * (journal-payload.ts): they never contain a byte below 0x20 — so the top byte of a length field
 * (< 0x20) cannot occur inside a payload, and a 0x00 inside a declared payload means "never written".
 *
 * File format ("extents", written since the journal header existed):
 * - a 16-byte header: the magic `GWJSJNL1` (its first u32le is 0x534A5747, top byte 0x53 ≥ 0x20, so
 *   it can never be mistaken for a legacy record length), `u32le extentBytes`, `u32le crc32` of the
 *   12 bytes before it; records follow from byte 16;
 * - the file only ever grows by whole extents ({@link EXTENT_BYTES}, 1 MiB): `ftruncate` up (sparse,
 *   zero-filled), then `fdatasync` so the new size is on disk before anything is written into the new
 *   extent; records are written with positional writes into the zero fill and made durable with
 *   `fdatasync` before a commit is acknowledged (group commit, {@link JournalFile.syncTo}). The data
 *   always ends before the file does (at least one zero byte follows the last record);
 * - so the file size is the evidence: a crash never shrinks a file, and the writer never leaves a
 *   size that is not a whole number of extents. At open ({@link scanJournal}):
 *   - records followed by zero fill up to the end of the file: the end of the data;
 *   - a record whose declared payload ends in zero fill that runs to the end of the file, and whose
 *     written prefix does not match the checksum: an append cut by a crash, never acknowledged
 *     (`torn_tail`, dropped with a warning);
 *   - a size that is not a whole number of extents, a record running past the end of the file, or
 *     records running to the very end with no zero fill: something cut the file (`cut`, refuse,
 *     naming the offset of the record it cut);
 *   - a complete record (no zero byte) failing its checksum, or a zero inside a payload with data
 *     after it: `damaged_tail` (refuse; `gwjs db recover --drop-damaged-tail` drops it explicitly);
 *   - intact records after the damage: `corrupt` (refuse; restore a backup).
 *
 * Why the size and not a second fsync: storing the acknowledged length elsewhere (a side file, or a
 * header field rewritten each commit) would cost a second fdatasync per commit, and a header
 * rewritten in place can itself be torn. The extent rule costs one fdatasync per extent (one per
 * thousands of commits) and makes the common commit an overwrite of zero fill with no size change.
 * Writing the zeros for real (instead of a sparse `ftruncate`) would reserve the space, but doubles
 * the bytes written per extent and hides a full disk until the extent is used up; sparse extents
 * keep "disk full" immediate, and a write refused for lack of space is undone by writing zeros back
 * over what it wrote (those blocks are already allocated), so the file stays whole extents.
 *
 * Legacy journals (no magic: written before the header existed) are read with the old rules (an
 * incomplete last record is a torn append) and converted at open by a checkpoint, which leaves an
 * empty journal in the extents format (sqljs-store.ts).
 */
import { closeSync, constants, fdatasync, fdatasyncSync, ftruncateSync, openSync, writeSync } from 'node:fs';
import { crc32 } from 'node:zlib';

/** True for a write refused for lack of space (ENOSPC, EDQUOT, or EFBIG from a file size limit). */
export function isNoSpace(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return code === 'ENOSPC' || code === 'EDQUOT' || code === 'EFBIG';
}

/** Bytes of the `[length][crc32]` header in front of each payload. */
export const RECORD_HEADER_BYTES = 8;

/** Largest payload a record may carry (512 MiB − 1): keeps the length's top byte below 0x20. */
export const MAX_RECORD_BYTES = 0x1fff_ffff;

/** First 8 bytes of a journal in the extents format. */
const JOURNAL_MAGIC = Buffer.from('GWJSJNL1', 'latin1');

/** Bytes of the file header (magic, extent size, crc32); the first record starts here. */
export const JOURNAL_HEADER_BYTES = 16;

/** The file grows by this much at a time (a whole number of these is the only valid size). */
export const EXTENT_BYTES = 1024 * 1024;

/** Extent sizes a header may declare: powers of two from 4 KiB to 64 MiB. */
const MIN_EXTENT_BYTES = 4096;
const MAX_EXTENT_BYTES = 64 * 1024 * 1024;

/** First byte of every payload (`{`): a cheap filter while looking for records after damage. */
const PAYLOAD_FIRST_BYTE = 0x7b;

/** Zeros written over a refused or dropped tail. */
const ZEROS = Buffer.alloc(64 * 1024);

/** Frames `payload` as one journal record: `[u32le length][u32le crc32][payload]`. */
export function frameRecord(payload: Uint8Array): Buffer {
  if (payload.length === 0 || payload.length > MAX_RECORD_BYTES) {
    throw new RangeError(`journal record payload length ${payload.length} is outside 1…${MAX_RECORD_BYTES}`);
  }
  const out = Buffer.allocUnsafe(RECORD_HEADER_BYTES + payload.length);
  out.writeUInt32LE(payload.length, 0);
  out.writeUInt32LE(crc32(payload), 4);
  out.set(payload, RECORD_HEADER_BYTES);
  return out;
}

/** The 16-byte file header of a journal growing by `extentBytes`. */
export function journalHeader(extentBytes: number = EXTENT_BYTES): Buffer {
  const out = Buffer.alloc(JOURNAL_HEADER_BYTES);
  JOURNAL_MAGIC.copy(out, 0);
  out.writeUInt32LE(extentBytes, 8);
  out.writeUInt32LE(crc32(out.subarray(0, 12)), 12);
  return out;
}

/** `n` rounded up to a whole number of `extent`s. */
function wholeExtents(n: number, extent: number): number {
  return Math.ceil(n / extent) * extent;
}

/** One intact record found by {@link scanJournal}; `payload` is a view into the scanned bytes. */
interface JournalRecord {
  /** byte offset of the record header in the file */
  offset: number;
  payload: Uint8Array;
}

/** Where and why the scan stopped before the end of the data. */
export interface JournalDamage {
  /**
   * `torn_tail`: the last record is incomplete and nothing follows it — an append cut by a crash,
   * never acknowledged (extents format: its payload ends in zero fill; legacy: its length runs past
   * the end of the file, or only zero fill follows);
   * `damaged_tail`: the last record is complete but fails its checksum (or its length is
   * impossible) — an acknowledged write was damaged, so it must not be dropped silently;
   * `cut`: (extents format) the file was cut — its size is not a whole number of extents, a record
   * runs past its end, or the data runs to its very end — so the record at `offset` (or records
   * after it) may be an acknowledged write;
   * `corrupt`: valid records follow the damage, or the file header is damaged.
   */
  kind: 'torn_tail' | 'damaged_tail' | 'cut' | 'corrupt';
  /** byte offset of the first bad record (for `cut`: of the record the cut went through) */
  offset: number;
  reason: string;
  /** for `corrupt`: offset of the first valid record found after the damage */
  nextValidOffset?: number;
}

/** What {@link JournalFile.open} needs to know about the file it continues. */
export interface JournalLayout {
  /** `extents`: has the file header; `legacy`: records from byte 0, the file grows per append */
  format: 'extents' | 'legacy';
  /** extents format: the extent size its header declares */
  extentBytes: number;
  /** byte offset just past the last intact record: where the next record goes */
  validEnd: number;
  /** the file's size */
  fileBytes: number;
}

/** Result of {@link scanJournal}. */
interface JournalScan extends JournalLayout {
  records: JournalRecord[];
  /** offset just past the last byte that is not zero fill (≥ validEnd): the end of any damage */
  tailEnd: number;
  damage?: JournalDamage;
}

const hex = (n: number) => `0x${n.toString(16).padStart(8, '0')}`;

/** Offset just past the last non-zero byte of `data` (0 when all zero). */
function nonZeroEnd(data: Uint8Array): number {
  let end = data.length;
  while (end > 0 && data[end - 1] === 0) end--;
  return end;
}

/**
 * Splits journal bytes into intact records (see the file comment for the rules of each format).
 * At the first bad record it looks for any intact record further on: some → `corrupt` (dropping it
 * would lose acknowledged data, so the caller must refuse to open).
 */
export function scanJournal(data: Uint8Array): JournalScan {
  const hasMagic = data.length >= 4 && JOURNAL_MAGIC.subarray(0, 4).equals(data.subarray(0, 4));
  return hasMagic ? scanExtents(data) : scanLegacy(data);
}

/** Result of checking one record; `end` for an intact one. */
type Check =
  { kind: 'record'; end: number } | { kind: 'end' } | { kind: 'torn' | 'cut' | 'bad'; reason: string };

function scanExtents(data: Uint8Array): JournalScan {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const fileBytes = data.length;
  const tailEnd = nonZeroEnd(data);
  const base = { format: 'extents' as const, fileBytes, records: [] as JournalRecord[] };
  if (fileBytes < JOURNAL_HEADER_BYTES) {
    return {
      ...base,
      extentBytes: EXTENT_BYTES,
      validEnd: 0,
      tailEnd,
      damage: {
        kind: 'cut',
        offset: 0,
        reason: `the file is ${fileBytes} bytes long, cut inside its ${JOURNAL_HEADER_BYTES}-byte header`,
      },
    };
  }
  const extentBytes = view.getUint32(8, true);
  const headerOk =
    JOURNAL_MAGIC.equals(data.subarray(0, 8)) &&
    view.getUint32(12, true) === crc32(data.subarray(0, 12)) &&
    extentBytes >= MIN_EXTENT_BYTES &&
    extentBytes <= MAX_EXTENT_BYTES &&
    (extentBytes & (extentBytes - 1)) === 0;
  if (!headerOk) {
    return {
      ...base,
      extentBytes: EXTENT_BYTES,
      validEnd: 0,
      tailEnd,
      damage: { kind: 'corrupt', offset: 0, reason: 'the file header is damaged' },
    };
  }
  const records = base.records;
  const sizeCut = fileBytes % extentBytes !== 0;
  const cutReason = () =>
    `the file is ${fileBytes} bytes long, not a whole number of ${extentBytes}-byte extents: it was cut`;
  let at = JOURNAL_HEADER_BYTES;
  for (;;) {
    const check = checkExtentRecord(data, view, at, tailEnd);
    if (check.kind === 'record') {
      records.push({ offset: at, payload: data.subarray(at + RECORD_HEADER_BYTES, check.end) });
      at = check.end;
      continue;
    }
    const result = { ...base, extentBytes, validEnd: at, tailEnd: Math.max(at, tailEnd) };
    if (check.kind === 'end') {
      if (!sizeCut) return result;
      return {
        ...result,
        damage: { kind: 'cut', offset: at, reason: `${cutReason()} after the last record` },
      };
    }
    if (check.kind === 'bad') {
      const next = findNextValid(data, view, at + 1);
      if (next !== undefined) {
        return {
          ...result,
          damage: { kind: 'corrupt', offset: at, reason: check.reason, nextValidOffset: next },
        };
      }
      return { ...result, damage: { kind: 'damaged_tail', offset: at, reason: check.reason } };
    }
    if (check.kind === 'torn' && !sizeCut) {
      return { ...result, damage: { kind: 'torn_tail', offset: at, reason: check.reason } };
    }
    const reason = sizeCut ? `${cutReason()}; ${check.reason}` : check.reason;
    return { ...result, damage: { kind: 'cut', offset: at, reason } };
  }
}

/** Checks the record at `at` of an extents-format file whose non-zero bytes end at `tailEnd`. */
function checkExtentRecord(data: Uint8Array, view: DataView, at: number, tailEnd: number): Check {
  if (at >= data.length) {
    return {
      kind: 'cut',
      reason: 'the records run to the very end of the file, with no zero fill after them',
    };
  }
  if (at >= tailEnd) return { kind: 'end' };
  const remaining = data.length - at;
  if (remaining < RECORD_HEADER_BYTES) {
    return { kind: 'cut', reason: `the file ends inside the record header (${remaining} of 8 bytes)` };
  }
  const length = view.getUint32(at, true);
  if (length === 0 || length > MAX_RECORD_BYTES) return { kind: 'bad', reason: `invalid length ${length}` };
  const start = at + RECORD_HEADER_BYTES;
  const end = start + length;
  if (end > data.length) {
    return {
      kind: 'cut',
      reason:
        `the record declares ${length} payload bytes but the file ends after ${Math.max(0, data.length - start)} ` +
        'of them (the file was cut, or the length is damaged)',
    };
  }
  const want = view.getUint32(at + 4, true);
  const zero = data.subarray(start, end).indexOf(0);
  if (zero !== -1) {
    const zeroAt = start + zero;
    if (zeroAt < tailEnd) return { kind: 'bad', reason: `a zero byte inside the payload, at byte ${zeroAt}` };
    // Zero fill from here on: the written part of the record ends at zeroAt. A crash leaves a
    // prefix whose checksum cannot match; a complete payload with a matching checksum means the
    // length field grew by damage, and that record was written whole.
    if (zeroAt > start && crc32(data.subarray(start, zeroAt)) === want) {
      return {
        kind: 'bad',
        reason: `the length ${length} is damaged (the checksum matches ${zeroAt - start} bytes)`,
      };
    }
    return {
      kind: 'torn',
      reason: `short payload (${zeroAt - start} of ${length} bytes written, then zero fill)`,
    };
  }
  const got = crc32(data.subarray(start, end));
  if (got !== want)
    return { kind: 'bad', reason: `crc32 mismatch (stored ${hex(want)}, computed ${hex(got)})` };
  return { kind: 'record', end };
}

/** Why a legacy record is not intact; `incomplete` when the file ends inside it (a torn append). */
interface RecordProblem {
  reason: string;
  incomplete: boolean;
}

/** Checks the legacy record whose header starts at `at`; returns its end offset or why it is not intact. */
function checkRecord(data: Uint8Array, view: DataView, at: number): number | RecordProblem {
  const remaining = data.length - at;
  if (remaining < RECORD_HEADER_BYTES) {
    return { reason: `short header (${remaining} of ${RECORD_HEADER_BYTES} bytes)`, incomplete: true };
  }
  const length = view.getUint32(at, true);
  if (length === 0 || length > MAX_RECORD_BYTES) {
    // a crash while the file grew can leave zero fill where the append went: not a written record
    return { reason: `invalid length ${length}`, incomplete: data.subarray(at).every((b) => b === 0) };
  }
  if (length > remaining - RECORD_HEADER_BYTES) {
    return {
      reason: `short payload (${remaining - RECORD_HEADER_BYTES} of ${length} bytes)`,
      incomplete: true,
    };
  }
  const payload = data.subarray(at + RECORD_HEADER_BYTES, at + RECORD_HEADER_BYTES + length);
  const want = view.getUint32(at + 4, true);
  const got = crc32(payload);
  if (got !== want)
    return { reason: `crc32 mismatch (stored ${hex(want)}, computed ${hex(got)})`, incomplete: false };
  return at + RECORD_HEADER_BYTES + length;
}

/**
 * The rules for a journal written before the header existed: at the first bad record, some intact
 * record further on → `corrupt`; none → a torn tail when the bad record is incomplete (it cannot
 * be told from a cut file, which is why the extents format exists), else a damaged tail.
 */
function scanLegacy(data: Uint8Array): JournalScan {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const records: JournalRecord[] = [];
  const base = {
    format: 'legacy' as const,
    extentBytes: EXTENT_BYTES,
    fileBytes: data.length,
    tailEnd: data.length,
  };
  let at = 0;
  while (at < data.length) {
    const end = checkRecord(data, view, at);
    if (typeof end !== 'number') {
      const next = findNextValid(data, view, at + 1);
      const damage: JournalDamage =
        next !== undefined
          ? { kind: 'corrupt', offset: at, reason: end.reason, nextValidOffset: next }
          : { kind: end.incomplete ? 'torn_tail' : 'damaged_tail', offset: at, reason: end.reason };
      return { ...base, records, validEnd: at, damage };
    }
    records.push({ offset: at, payload: data.subarray(at + RECORD_HEADER_BYTES, end) });
    at = end;
  }
  return { ...base, records, validEnd: at };
}

function findNextValid(data: Uint8Array, view: DataView, from: number): number | undefined {
  const last = data.length - RECORD_HEADER_BYTES - 1;
  for (let p = from; p <= last; p++) {
    if (data[p + 3]! >= 0x20 || data[p + RECORD_HEADER_BYTES] !== PAYLOAD_FIRST_BYTE) continue;
    if (typeof checkRecord(data, view, p) === 'number') return p;
  }
  return undefined;
}

/** Writes all of `data` at `position`. */
function writeFully(fd: number, data: Uint8Array, position: number): void {
  let done = 0;
  while (done < data.length) done += writeSync(fd, data, done, data.length - done, position + done);
}

/** Writes zeros over `[from, to)`. */
function writeZeros(fd: number, from: number, to: number): void {
  for (let at = from; at < to;) at += writeSync(fd, ZEROS, 0, Math.min(ZEROS.length, to - at), at);
}

interface SyncWaiter {
  target: number;
  resolve: () => void;
  reject: (e: Error) => void;
}

/**
 * The open journal file: appends records synchronously (so the file order is the commit order)
 * and makes them durable with `fdatasync` in the background. Concurrent {@link syncTo} calls share
 * one fdatasync (group commit); an fdatasync covers every byte written before it started.
 * After a write or sync failure the file is unusable (`failure` is set, every call throws): the
 * page cache can no longer be trusted, and the store must be reopened from disk. A write refused
 * for lack of space is undone (the journal stays usable), see {@link append}.
 */
export class JournalFile {
  private fmt: 'extents' | 'legacy';
  private extentBytes: number;
  /** the file's size: a whole number of extents in the extents format */
  private fileBytes: number;
  /** offset just past the last record written (durable or not) */
  private written: number;
  private synced: number;
  private syncing = false;
  private waiters: SyncWaiter[] = [];
  private flushTimer: NodeJS.Timeout | undefined;
  private fd: number | undefined;
  private closeAfterSync: number | undefined;
  /** the first write/sync error, after which the journal refuses all work */
  failure: Error | undefined;

  private constructor(
    readonly path: string,
    fd: number,
    layout: JournalLayout,
  ) {
    this.fd = fd;
    this.fmt = layout.format;
    this.extentBytes = layout.extentBytes;
    this.fileBytes = layout.fileBytes;
    this.written = layout.validEnd;
    this.synced = layout.validEnd;
  }

  /**
   * Opens (creating if missing) the journal at `path` to continue it as {@link scanJournal} found
   * it; records go at `layout.validEnd` (drop a damaged tail first, see {@link discardTail}).
   */
  static open(path: string, layout: JournalLayout): JournalFile {
    const fd = openSync(path, constants.O_RDWR | constants.O_CREAT, 0o600);
    return new JournalFile(path, fd, layout);
  }

  /** Creates (or empties) the journal at `path`: an empty journal in the extents format. */
  static create(path: string): JournalFile {
    const journal = JournalFile.open(path, {
      format: 'legacy',
      extentBytes: EXTENT_BYTES,
      validEnd: 0,
      fileBytes: 0,
    });
    try {
      journal.reset();
    } catch (e) {
      journal.close();
      throw e;
    }
    return journal;
  }

  /** `extents`, or `legacy` until the first {@link reset} (a checkpoint) converts the file. */
  get format(): 'extents' | 'legacy' {
    return this.fmt;
  }

  /** Offset just past the last record written (durable or not): pass it to {@link syncTo}. */
  get end(): number {
    return this.written;
  }

  /** Offset up to which the file is known to be on stable storage. */
  get syncedEnd(): number {
    return this.synced;
  }

  /** Bytes of records written so far (durable or not): neither the header nor the zero fill. */
  get size(): number {
    return this.written - this.dataStart();
  }

  /** Of {@link size}, bytes known to be on stable storage. */
  get syncedSize(): number {
    return Math.max(0, this.synced - this.dataStart());
  }

  /**
   * Appends one framed record; returns the offset just past it (pass it to {@link syncTo}).
   * A write refused for lack of space throws the ENOSPC/EDQUOT/EFBIG error with the journal still
   * usable: what the write got onto the page cache is overwritten with zeros again (extents) or cut
   * off (legacy), so the next append does not land behind garbage and the file keeps its shape.
   */
  append(record: Uint8Array): number {
    const fd = this.usableFd();
    if (this.fmt === 'extents') this.makeRoom(fd, record.length);
    let done = 0;
    try {
      while (done < record.length) {
        done += writeSync(fd, record, done, record.length - done, this.written + done);
      }
    } catch (e) {
      let restored = false;
      try {
        if (this.fmt === 'legacy') ftruncateSync(fd, this.written);
        else writeZeros(fd, this.written, this.written + done);
        restored = true;
      } catch {
        // the file is marked failed below; reopening drops the torn append anyway
      }
      // Out of space, and the file is back at its last record: nothing was lost, the journal stays
      // usable, and the next append succeeds once space is freed (docs/security.md "Disk full").
      if (restored && isNoSpace(e)) throw e;
      throw this.fail(e);
    }
    this.written += record.length;
    if (this.fmt === 'legacy') this.fileBytes = this.written;
    return this.written;
  }

  /**
   * Grows the file by whole extents until `bytes` more fit with at least one zero byte after them
   * (data running to the very end of the file is how a cut shows), and makes the new size durable
   * before anything is written into the new extent — else a crash could leave a record whose start
   * is on disk in a file that does not reach its end, which would read as a cut.
   */
  private makeRoom(fd: number, bytes: number): void {
    const need = this.written + bytes + 1;
    if (need <= this.fileBytes) return;
    const size = wholeExtents(need, this.extentBytes);
    try {
      ftruncateSync(fd, size);
    } catch (e) {
      if (isNoSpace(e)) throw e; // the size is unchanged
      throw this.fail(e);
    }
    try {
      fdatasyncSync(fd);
    } catch (e) {
      throw this.fail(e);
    }
    this.fileBytes = size;
    // that fdatasync covered every byte written before it
    this.synced = this.written;
  }

  /** Resolves once every byte up to offset `target` is on stable storage. */
  syncTo(target: number): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.synced >= target) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.waiters.push({ target, resolve, reject });
      this.kick();
    });
  }

  /** Resolves once everything written so far is on stable storage. */
  flush(): Promise<void> {
    return this.syncTo(this.written);
  }

  /** Schedules a flush within `ms` (group commit for 'relaxed' durability); errors surface in `failure`. */
  flushSoon(ms: number): void {
    if (this.flushTimer !== undefined) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = undefined;
      this.flush().catch(() => {
        // recorded in `failure`; the store reports it on the next call
      });
    }, ms);
  }

  /**
   * Empties the journal into the extents format (a checkpoint made every record redundant, or a
   * legacy journal is converted); only call when nothing is being synced. Crash-safe in every
   * state: `ftruncate(0)` (an empty file), `ftruncate(extent)` (zero fill: an empty legacy
   * journal), then the header and an fdatasync. A header write refused for lack of space throws
   * that error and leaves an empty, usable legacy journal (the next reset converts it).
   */
  reset(): void {
    const fd = this.usableFd();
    this.assertIdle('reset');
    const extent = EXTENT_BYTES;
    try {
      ftruncateSync(fd, 0);
      ftruncateSync(fd, extent);
    } catch (e) {
      throw this.fail(e);
    }
    this.fmt = 'legacy';
    this.extentBytes = extent;
    this.fileBytes = extent;
    this.written = 0;
    this.synced = 0;
    try {
      writeFully(fd, journalHeader(extent), 0);
    } catch (e) {
      if (isNoSpace(e)) throw e;
      throw this.fail(e);
    }
    try {
      fdatasyncSync(fd);
    } catch (e) {
      throw this.fail(e);
    }
    this.fmt = 'extents';
    this.written = JOURNAL_HEADER_BYTES;
    this.synced = JOURNAL_HEADER_BYTES;
  }

  /**
   * Drops everything from offset `from` (the end of the intact records) on and syncs; `to` is where
   * the dropped bytes end ({@link JournalScan.tailEnd}). Extents format: zeros over `[from, to)`,
   * and the size grown back to whole extents if something cut it; legacy: `ftruncate(from)`.
   * Only call when nothing is being synced.
   */
  discardTail(from: number, to: number): void {
    const fd = this.usableFd();
    this.assertIdle('discardTail');
    try {
      if (this.fmt === 'legacy') {
        ftruncateSync(fd, from);
        this.fileBytes = from;
      } else {
        writeZeros(fd, from, Math.min(to, this.fileBytes));
        const size = wholeExtents(Math.max(this.fileBytes, from + 1), this.extentBytes);
        if (size !== this.fileBytes) ftruncateSync(fd, size);
        this.fileBytes = size;
      }
      fdatasyncSync(fd);
    } catch (e) {
      throw this.fail(e);
    }
    this.written = from;
    this.synced = from;
  }

  /**
   * Closes the file (after the caller flushed what it needs). Pending waiters are rejected; an
   * fdatasync already running keeps the descriptor open until it returns, so the number is never
   * reused under it.
   */
  close(): void {
    if (this.flushTimer !== undefined) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    const fd = this.fd;
    this.fd = undefined;
    if (fd !== undefined) {
      if (this.syncing) this.closeAfterSync = fd;
      else closeSync(fd);
    }
    const closed = this.failure ?? new Error(`journal ${this.path} is closed`);
    for (const w of this.waiters.splice(0)) w.reject(closed);
  }

  private dataStart(): number {
    return this.fmt === 'extents' ? JOURNAL_HEADER_BYTES : 0;
  }

  private assertIdle(what: string): void {
    if (this.syncing || this.waiters.length > 0) throw new Error(`journal ${what} while a sync is pending`);
  }

  private usableFd(): number {
    if (this.failure) throw this.failure;
    if (this.fd === undefined) throw new Error(`journal ${this.path} is closed`);
    return this.fd;
  }

  private kick(): void {
    if (this.syncing || this.waiters.length === 0 || this.fd === undefined) return;
    this.syncing = true;
    const target = this.written;
    fdatasync(this.fd, (err) => {
      this.syncing = false;
      if (this.closeAfterSync !== undefined) {
        closeSync(this.closeAfterSync);
        this.closeAfterSync = undefined;
      }
      if (err) {
        const failure = this.fail(err);
        for (const w of this.waiters.splice(0)) w.reject(failure);
        return;
      }
      if (target > this.synced) this.synced = target;
      const pending: SyncWaiter[] = [];
      for (const w of this.waiters) {
        if (w.target <= this.synced) w.resolve();
        else pending.push(w);
      }
      this.waiters = pending;
      this.kick();
    });
  }

  private fail(e: unknown): Error {
    const cause = e instanceof Error ? e : new Error(String(e));
    this.failure ??= new Error(`journal ${this.path} failed: ${cause.message}`, { cause });
    return this.failure;
  }
}
