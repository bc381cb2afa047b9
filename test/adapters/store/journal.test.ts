import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  EXTENT_BYTES,
  JOURNAL_HEADER_BYTES,
  JournalFile,
  MAX_RECORD_BYTES,
  RECORD_HEADER_BYTES,
  frameRecord,
  journalHeader,
  scanJournal,
} from '../../../src-main/adapters/store/journal';
import { crc32 as sharedCrc32 } from '../../../src-shared/crc32';
import { makeTempDir } from '../../helpers/tmp-dir';

const payload = (text: string) => Buffer.from(JSON.stringify({ g: 0, text }), 'utf8');

describe('frameRecord', () => {
  it('writes [u32le length][u32le crc32][payload]', () => {
    const p = Buffer.from('123456789');
    const r = frameRecord(p);
    expect(r.length).toBe(RECORD_HEADER_BYTES + 9);
    expect(r.readUInt32LE(0)).toBe(9);
    expect(r.readUInt32LE(4)).toBe(0xcbf43926); // CRC-32/ISO-HDLC check value
    expect(r.subarray(8).toString()).toBe('123456789');
    expect(crc32(p)).toBe(0xcbf43926);
  });

  it('checksums agree with the shared CRC-32 codec', () => {
    const p = Buffer.from(JSON.stringify({ g: 1, q: ['x'], s: [[0, 0, 'ü'.repeat(1000)]] }));
    expect(frameRecord(p).readUInt32LE(4)).toBe(sharedCrc32(p));
  });

  it('refuses empty and oversized payloads', () => {
    expect(() => frameRecord(new Uint8Array(0))).toThrow(RangeError);
    expect(() => frameRecord({ length: MAX_RECORD_BYTES + 1 } as Uint8Array)).toThrow(RangeError);
  });
});

describe('scanJournal, legacy format (no file header)', () => {
  const records = ['one', 'two', 'three — ü'].map((t) => frameRecord(payload(t)));
  const all = Buffer.concat(records);
  const starts = [0, records[0]!.length, records[0]!.length + records[1]!.length];

  it('returns every intact record in order', () => {
    const scan = scanJournal(all);
    expect(scan.damage).toBeUndefined();
    expect(scan.validEnd).toBe(all.length);
    expect(scan.records.map((r) => r.offset)).toEqual(starts);
    expect(scan.records.map((r) => JSON.parse(Buffer.from(r.payload).toString()).text)).toEqual([
      'one',
      'two',
      'three — ü',
    ]);
  });

  it('accepts an empty journal', () => {
    expect(scanJournal(new Uint8Array(0))).toMatchObject({ format: 'legacy', records: [], validEnd: 0 });
    expect(scanJournal(new Uint8Array(0)).damage).toBeUndefined();
  });

  it('reports a torn tail for a cut at every byte offset of the last record', () => {
    const lastStart = starts[2]!;
    for (let cut = lastStart + 1; cut < all.length; cut++) {
      const scan = scanJournal(all.subarray(0, cut));
      expect(scan.records).toHaveLength(2);
      expect(scan.validEnd).toBe(lastStart);
      expect(scan.damage).toMatchObject({ kind: 'torn_tail', offset: lastStart });
    }
  });

  it('reports a damaged tail (not a torn one) when the complete last record has a bad checksum', () => {
    for (let i = starts[2]! + 8; i < all.length; i++) {
      const bad = Buffer.from(all);
      bad[i] = bad[i]! ^ 0x01;
      expect(scanJournal(bad).damage).toMatchObject({
        kind: 'damaged_tail',
        offset: starts[2],
        reason: /crc32/,
      });
    }
  });

  it('reports a torn tail for zero-filled space after the last record', () => {
    const scan = scanJournal(Buffer.concat([all, Buffer.alloc(4096)]));
    expect(scan.records).toHaveLength(3);
    expect(scan.damage).toMatchObject({ kind: 'torn_tail', offset: all.length, reason: /invalid length 0/ });
  });

  it('reports corruption when intact records follow a damaged one, wherever the damage is', () => {
    for (let i = starts[1]!; i < starts[2]!; i++) {
      const bad = Buffer.from(all);
      bad[i] = bad[i]! ^ 0x55;
      const scan = scanJournal(bad);
      expect(scan.records).toHaveLength(1);
      expect(scan.damage).toMatchObject({ kind: 'corrupt', offset: starts[1], nextValidOffset: starts[2] });
    }
  });

  it('reports corruption when a length field is damaged to point past the end', () => {
    const bad = Buffer.from(all);
    bad.writeUInt32LE(1_000_000, starts[0]!);
    expect(scanJournal(bad).damage).toMatchObject({ kind: 'corrupt', offset: 0, nextValidOffset: starts[1] });
  });
});

describe('scanJournal, extents format', () => {
  const records = ['one', 'two', 'three — ü'].map((t) => frameRecord(payload(t)));
  const H = JOURNAL_HEADER_BYTES;
  const starts = [H, H + records[0]!.length, H + records[0]!.length + records[1]!.length];
  const dataEnd = starts[2]! + records[2]!.length;
  /** a journal as the writer leaves it: header, records, zero fill to a whole extent */
  const file = (extent = EXTENT_BYTES) => {
    const out = Buffer.alloc(extent);
    Buffer.concat([journalHeader(extent), ...records]).copy(out);
    return out;
  };

  it('has a header whose first u32le can never be a legacy record length', () => {
    const h = journalHeader();
    expect(h.length).toBe(16);
    expect(h.subarray(0, 8).toString('latin1')).toBe('GWJSJNL1');
    expect(h.readUInt32LE(0)).toBeGreaterThan(MAX_RECORD_BYTES);
    expect(h.readUInt32LE(8)).toBe(EXTENT_BYTES);
    expect(h.readUInt32LE(12)).toBe(crc32(h.subarray(0, 12)));
  });

  it('returns every record; the zero fill after them is the end of the data', () => {
    const scan = scanJournal(file());
    expect(scan).toMatchObject({ format: 'extents', extentBytes: EXTENT_BYTES, validEnd: dataEnd });
    expect(scan.damage).toBeUndefined();
    expect(scan.records.map((r) => r.offset)).toEqual(starts);
    const empty = scanJournal(file().fill(0, H));
    expect(empty.records).toEqual([]);
    expect(empty.validEnd).toBe(H);
    expect(empty.damage).toBeUndefined();
  });

  it('refuses a cut at every byte inside the last complete record, naming its offset', () => {
    const f = file();
    for (let cut = starts[2]! + 1; cut < dataEnd; cut++) {
      const scan = scanJournal(f.subarray(0, cut));
      expect(scan.records).toHaveLength(2);
      expect(scan.damage, `cut at ${cut}`).toMatchObject({
        kind: 'cut',
        offset: starts[2],
        reason: /not a whole number of 1048576-byte extents/,
      });
    }
  });

  it('refuses a cut at a record boundary, in the zero fill, or at an extent boundary', () => {
    const f = file(4096);
    // the records run to the end of the file: the cut removed what followed
    expect(scanJournal(f.subarray(0, dataEnd)).damage).toMatchObject({ kind: 'cut', offset: dataEnd });
    expect(scanJournal(f.subarray(0, starts[2]!)).damage).toMatchObject({ kind: 'cut', offset: starts[2] });
    expect(scanJournal(f.subarray(0, dataEnd + 10)).damage).toMatchObject({ kind: 'cut', offset: dataEnd });
    expect(scanJournal(f.subarray(0, 10)).damage).toMatchObject({ kind: 'cut', offset: 0 });
    // a whole number of extents, but the last record runs past the end
    const spanning = frameRecord(payload('x'.repeat(5000)));
    const two = Buffer.alloc(8192);
    Buffer.concat([journalHeader(4096), spanning]).copy(two);
    expect(scanJournal(two).damage).toBeUndefined();
    expect(scanJournal(two.subarray(0, 4096)).damage).toMatchObject({ kind: 'cut', offset: H });
  });

  it('drops a torn append (header and part of the payload in the zero fill), wherever it stops', () => {
    const clean = file();
    clean.fill(0, starts[2]!);
    const last = records[2]!;
    for (let written = 1; written < last.length; written++) {
      const torn = Buffer.from(clean);
      last.copy(torn, starts[2]!, 0, written);
      const scan = scanJournal(torn);
      expect(scan.records, `written ${written}`).toHaveLength(2);
      expect(scan.validEnd).toBe(starts[2]);
      if (scan.damage !== undefined) {
        expect(scan.damage).toMatchObject({ kind: 'torn_tail', offset: starts[2] });
        expect(scan.tailEnd).toBeLessThanOrEqual(starts[2]! + written);
      } else {
        // a prefix of the length field that reads as 0: nothing was written, as far as anyone can tell
        expect(last.subarray(0, written).every((b) => b === 0)).toBe(true);
      }
    }
  });

  it('refuses a bit flip anywhere in the last complete record (length field included)', () => {
    const f = file();
    for (let i = starts[2]!; i < dataEnd; i++) {
      for (const bit of [0, 5]) {
        const bad = Buffer.from(f);
        bad[i] = bad[i]! ^ (1 << bit);
        const damage = scanJournal(bad).damage;
        expect(damage?.kind, `flip of bit ${bit} at ${i}`).toMatch(/^(damaged_tail|cut)$/);
        expect(damage?.offset).toBe(starts[2]);
      }
    }
  });

  it('refuses a zeroed byte inside the last record with data after it', () => {
    const bad = file();
    bad[starts[2]! + 12] = 0;
    expect(scanJournal(bad).damage).toMatchObject({
      kind: 'damaged_tail',
      offset: starts[2],
      reason: /zero byte/,
    });
  });

  it('reports corruption when intact records follow a damaged one, and a damaged header', () => {
    const bad = file();
    bad[starts[1]! + 10] = bad[starts[1]! + 10]! ^ 0x55;
    expect(scanJournal(bad).damage).toMatchObject({
      kind: 'corrupt',
      offset: starts[1],
      nextValidOffset: starts[2],
    });
    const header = file();
    header[9] = header[9]! ^ 0x01;
    expect(scanJournal(header).damage).toMatchObject({ kind: 'corrupt', offset: 0, reason: /header/ });
  });
});

describe('JournalFile', () => {
  const H = JOURNAL_HEADER_BYTES;

  it('creates a journal of one zero-filled extent with its header, and appends records after it', () => {
    const dir = makeTempDir('journal');
    const path = join(dir, 'journal.log');
    const j = JournalFile.create(path);
    expect(statSync(path).size).toBe(EXTENT_BYTES);
    expect(j.size).toBe(0);
    const a = frameRecord(payload('a'));
    const b = frameRecord(payload('b'));
    expect(j.append(a)).toBe(H + a.length);
    expect(j.append(b)).toBe(H + a.length + b.length);
    expect(j.size).toBe(a.length + b.length);
    j.close();
    const bytes = readFileSync(path);
    expect(bytes.length).toBe(EXTENT_BYTES);
    expect(bytes.subarray(0, H + a.length + b.length)).toEqual(Buffer.concat([journalHeader(), a, b]));
    expect(bytes.subarray(H + a.length + b.length).every((x) => x === 0)).toBe(true);
  });

  it('grows by whole extents, always keeping zero fill after the last record', () => {
    const dir = makeTempDir('journal');
    const path = join(dir, 'journal.log');
    const j = JournalFile.create(path);
    const big = frameRecord(payload('x'.repeat(EXTENT_BYTES - H - 8 - 17))); // exactly fills the extent
    const end = j.append(big);
    expect(end).toBe(EXTENT_BYTES);
    expect(statSync(path).size).toBe(2 * EXTENT_BYTES);
    expect(j.syncedSize).toBe(0); // growing synced what was written before, not this record
    j.append(frameRecord(payload('after')));
    j.close();
    const scan = scanJournal(readFileSync(path));
    expect(scan.damage).toBeUndefined();
    expect(scan.records).toHaveLength(2);
  });

  it('continues after the intact records, zeroing a dropped tail', () => {
    const dir = makeTempDir('journal');
    const path = join(dir, 'journal.log');
    const first = JournalFile.create(path);
    first.append(frameRecord(payload('a')));
    first.close();
    const torn = readFileSync(path);
    const b = frameRecord(payload('b'.repeat(200)));
    const tornAt = H + frameRecord(payload('a')).length;
    b.copy(torn, tornAt, 0, 100);
    writeFileSync(path, torn);
    const scan = scanJournal(readFileSync(path));
    expect(scan.damage).toMatchObject({ kind: 'torn_tail', offset: tornAt });
    const j = JournalFile.open(path, scan);
    j.discardTail(scan.validEnd, scan.tailEnd);
    j.append(frameRecord(payload('c')));
    j.close();
    const after = scanJournal(readFileSync(path));
    expect(after.damage).toBeUndefined();
    expect(after.records.map((r) => JSON.parse(Buffer.from(r.payload).toString()).text)).toEqual(['a', 'c']);
  });

  it('reset leaves a valid empty journal of one extent', () => {
    const dir = makeTempDir('journal');
    const path = join(dir, 'journal.log');
    const j = JournalFile.create(path);
    for (let i = 0; i < 3; i++) j.append(frameRecord(payload('y'.repeat(600_000))));
    expect(statSync(path).size).toBe(2 * EXTENT_BYTES);
    j.reset();
    expect(j.size).toBe(0);
    expect(statSync(path).size).toBe(EXTENT_BYTES);
    j.close();
    const scan = scanJournal(readFileSync(path));
    expect(scan).toMatchObject({ format: 'extents', records: [], validEnd: H });
    expect(scan.damage).toBeUndefined();
  });

  it('converts a legacy journal on reset', () => {
    const dir = makeTempDir('journal');
    const path = join(dir, 'journal.log');
    writeFileSync(path, frameRecord(payload('old')));
    const scan = scanJournal(readFileSync(path));
    expect(scan.format).toBe('legacy');
    const j = JournalFile.open(path, scan);
    expect(j.format).toBe('legacy');
    j.append(frameRecord(payload('legacy append')));
    expect(scanJournal(readFileSync(path)).records).toHaveLength(2);
    j.reset();
    expect(j.format).toBe('extents');
    j.close();
    expect(scanJournal(readFileSync(path))).toMatchObject({ format: 'extents', records: [] });
  });

  it('syncTo resolves once the bytes are synced, sharing one fdatasync between waiters', async () => {
    const dir = makeTempDir('journal');
    const j = JournalFile.create(join(dir, 'journal.log'));
    const ends = [1, 2, 3, 4].map((i) => j.append(frameRecord(payload(`r${i}`))));
    expect(j.syncedSize).toBe(0);
    await Promise.all(ends.map((e) => j.syncTo(e)));
    expect(j.syncedSize).toBe(j.size);
    await j.syncTo(ends[0]!); // already synced: resolves at once
    j.close();
  });

  it('flushSoon syncs within the delay', async () => {
    const dir = makeTempDir('journal');
    const j = JournalFile.create(join(dir, 'journal.log'));
    j.append(frameRecord(payload('relaxed')));
    j.flushSoon(20);
    expect(j.syncedSize).toBe(0);
    await new Promise((r) => setTimeout(r, 150));
    expect(j.syncedSize).toBe(j.size);
    j.close();
  });

  it('rejects pending waiters and later calls after close', async () => {
    const dir = makeTempDir('journal');
    const j = JournalFile.create(join(dir, 'journal.log'));
    j.close();
    expect(() => j.append(frameRecord(payload('x')))).toThrow(/closed/);
  });
});
