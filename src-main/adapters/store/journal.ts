/**
 * The write-ahead journal of the sql.js store (DESIGN §3), runs in the Node main process.
 *
 * File format: a sequence of records `[u32 length][u32 crc32][payload]`. Both integers are
 * **little-endian**; `length` counts payload bytes (1 … {@link MAX_RECORD_BYTES}); `crc32` is the
 * CRC-32 of zlib / ISO-HDLC (poly 0xEDB88320, `crc32("123456789") = 0xCBF43926`) over the payload.
 * Payloads are UTF-8 JSON objects (see journal-payload.ts): they never contain a byte below 0x20,
 * so the top byte of a length field (< 0x20) cannot occur inside a payload — which lets
 * {@link scanJournal} tell a torn tail from damage followed by valid records.
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

/** First byte of every payload (`{`): a cheap filter while looking for records after damage. */
const PAYLOAD_FIRST_BYTE = 0x7b;

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

/** One intact record found by {@link scanJournal}; `payload` is a view into the scanned bytes. */
export interface JournalRecord {
  /** byte offset of the record header in the file */
  offset: number;
  payload: Uint8Array;
}

/** Where and why the scan stopped before the end of the data. */
export interface JournalDamage {
  /**
   * `torn_tail`: the last record is incomplete (its length runs past the end of the file, or only
   * zero fill follows) and nothing valid follows — an append cut by a crash, never acknowledged;
   * `damaged_tail`: the last record is complete but fails its checksum (or its length is
   * impossible) — an acknowledged write was damaged, so it must not be dropped silently;
   * `corrupt`: valid records follow the damage.
   */
  kind: 'torn_tail' | 'damaged_tail' | 'corrupt';
  /** byte offset of the first bad record */
  offset: number;
  reason: string;
  /** for `corrupt`: offset of the first valid record found after the damage */
  nextValidOffset?: number;
}

/** Result of {@link scanJournal}. */
export interface JournalScan {
  records: JournalRecord[];
  /** byte offset just past the last intact record: where the file should end */
  validEnd: number;
  damage?: JournalDamage;
}

/** Why a record is not intact; `incomplete` when the file ends inside it (a torn append). */
interface RecordProblem {
  reason: string;
  incomplete: boolean;
}

/** Checks the record whose header starts at `at`; returns its end offset or why it is not intact. */
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

const hex = (n: number) => `0x${n.toString(16).padStart(8, '0')}`;

/**
 * Splits journal bytes into intact records. At the first bad record it looks for any intact
 * record further on: some → `corrupt` (dropping it would lose acknowledged data, so the caller must
 * refuse to open); none → a torn tail when the bad record is incomplete (safe to drop: it was never
 * acknowledged), else a damaged tail (a complete record failing its checksum: refuse, and let the
 * operator drop it explicitly with `gwjs db recover --drop-damaged-tail`).
 */
export function scanJournal(data: Uint8Array): JournalScan {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const records: JournalRecord[] = [];
  let at = 0;
  while (at < data.length) {
    const end = checkRecord(data, view, at);
    if (typeof end !== 'number') {
      const next = findNextValid(data, view, at + 1);
      const damage: JournalDamage =
        next !== undefined
          ? { kind: 'corrupt', offset: at, reason: end.reason, nextValidOffset: next }
          : { kind: end.incomplete ? 'torn_tail' : 'damaged_tail', offset: at, reason: end.reason };
      return { records, validEnd: at, damage };
    }
    records.push({ offset: at, payload: data.subarray(at + RECORD_HEADER_BYTES, end) });
    at = end;
  }
  return { records, validEnd: at };
}

function findNextValid(data: Uint8Array, view: DataView, from: number): number | undefined {
  const last = data.length - RECORD_HEADER_BYTES - 1;
  for (let p = from; p <= last; p++) {
    if (data[p + 3]! >= 0x20 || data[p + RECORD_HEADER_BYTES] !== PAYLOAD_FIRST_BYTE) continue;
    if (typeof checkRecord(data, view, p) === 'number') return p;
  }
  return undefined;
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
 * page cache can no longer be trusted, and the store must be reopened from disk.
 */
export class JournalFile {
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
    size: number,
  ) {
    this.fd = fd;
    this.written = size;
    this.synced = size;
  }

  /** Opens (creating if missing) the journal at `path`, whose current valid length is `size`. */
  static open(path: string, size: number): JournalFile {
    const fd = openSync(path, constants.O_RDWR | constants.O_CREAT, 0o600);
    return new JournalFile(path, fd, size);
  }

  /** Bytes written so far (durable or not). */
  get size(): number {
    return this.written;
  }

  /** Bytes known to be on stable storage. */
  get syncedSize(): number {
    return this.synced;
  }

  /** Appends one framed record; returns the offset just past it (pass it to {@link syncTo}). */
  append(record: Uint8Array): number {
    const fd = this.usableFd();
    let done = 0;
    try {
      while (done < record.length) {
        done += writeSync(fd, record, done, record.length - done, this.written + done);
      }
    } catch (e) {
      // Cut a partial record off so the next append does not land behind garbage.
      let restored = false;
      try {
        ftruncateSync(fd, this.written);
        restored = true;
      } catch {
        // the file is marked failed below; reopening drops the torn tail anyway
      }
      // Out of space, and the file is back at its last record: nothing was lost, the journal stays
      // usable, and the next append succeeds once space is freed (docs/security.md "Disk full").
      if (restored && isNoSpace(e)) throw e;
      throw this.fail(e);
    }
    this.written += record.length;
    return this.written;
  }

  /** Resolves once every byte up to `target` is on stable storage. */
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

  /** Cuts the file to `length` bytes and syncs; only call when nothing is being synced. */
  truncate(length: number): void {
    const fd = this.usableFd();
    if (this.syncing || this.waiters.length > 0) throw new Error('journal truncate while a sync is pending');
    try {
      ftruncateSync(fd, length);
      fdatasyncSync(fd);
    } catch (e) {
      throw this.fail(e);
    }
    this.written = length;
    this.synced = length;
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
