import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  JournalFile,
  MAX_RECORD_BYTES,
  RECORD_HEADER_BYTES,
  frameRecord,
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

describe('scanJournal', () => {
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
    expect(scanJournal(new Uint8Array(0))).toEqual({ records: [], validEnd: 0 });
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

describe('JournalFile', () => {
  it('appends records at the end and reports sizes', () => {
    const dir = makeTempDir('journal');
    const path = join(dir, 'journal.log');
    const j = JournalFile.open(path, 0);
    const a = frameRecord(payload('a'));
    const b = frameRecord(payload('b'));
    expect(j.append(a)).toBe(a.length);
    expect(j.append(b)).toBe(a.length + b.length);
    expect(j.size).toBe(a.length + b.length);
    j.close();
    expect(readFileSync(path)).toEqual(Buffer.concat([a, b]));
  });

  it('continues after an existing valid prefix, overwriting a torn tail', () => {
    const dir = makeTempDir('journal');
    const path = join(dir, 'journal.log');
    const a = frameRecord(payload('a'));
    writeFileSync(path, Buffer.concat([a, Buffer.from([9, 9, 9])]));
    const j = JournalFile.open(path, a.length);
    j.truncate(a.length);
    const b = frameRecord(payload('b'));
    j.append(b);
    j.close();
    expect(scanJournal(readFileSync(path)).records).toHaveLength(2);
  });

  it('syncTo resolves once the bytes are synced, sharing one fdatasync between waiters', async () => {
    const dir = makeTempDir('journal');
    const j = JournalFile.open(join(dir, 'journal.log'), 0);
    const ends = [1, 2, 3, 4].map((i) => j.append(frameRecord(payload(`r${i}`))));
    expect(j.syncedSize).toBe(0);
    await Promise.all(ends.map((e) => j.syncTo(e)));
    expect(j.syncedSize).toBe(j.size);
    await j.syncTo(ends[0]!); // already synced: resolves at once
    j.close();
  });

  it('flushSoon syncs within the delay', async () => {
    const dir = makeTempDir('journal');
    const j = JournalFile.open(join(dir, 'journal.log'), 0);
    j.append(frameRecord(payload('relaxed')));
    j.flushSoon(20);
    expect(j.syncedSize).toBe(0);
    await new Promise((r) => setTimeout(r, 150));
    expect(j.syncedSize).toBe(j.size);
    j.close();
  });

  it('rejects pending waiters and later calls after close', async () => {
    const dir = makeTempDir('journal');
    const j = JournalFile.open(join(dir, 'journal.log'), 0);
    j.close();
    expect(() => j.append(frameRecord(payload('x')))).toThrow(/closed/);
  });
});
