import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildZip, dosDateTime } from '../../../src-main/adapters/factory/zip-writer';
import { makeTempDir } from '../../helpers/tmp-dir';

const enc = (s: string) => new TextEncoder().encode(s);
const T = Date.parse('2031-05-06T07:08:10');

describe('buildZip', () => {
  it('writes archives that unzip and python read back byte for byte', () => {
    const entries = [
      { name: 'B827EBFFFE000001/cups.key', data: enc('Authorization: Bearer abc\r\n'), mode: 0o600 },
      {
        name: 'B827EBFFFE000001/gateway.json',
        data: enc(`${JSON.stringify({ a: 'x'.repeat(500) })}\n`),
        mode: 0o600,
      },
      { name: 'B827EBFFFE000001/empty', data: new Uint8Array(0) },
      { name: 'B827EBFFFE000001/bin', data: Uint8Array.from({ length: 300 }, (_, i) => (i * 7919) & 0xff) },
    ];
    const dir = makeTempDir('zip');
    const file = join(dir, 'a.zip');
    writeFileSync(file, buildZip(entries, T));
    expect(execFileSync('unzip', ['-tq', file], { encoding: 'utf8' })).toContain('No errors detected');
    for (const e of entries) {
      expect(new Uint8Array(execFileSync('unzip', ['-p', file, e.name]))).toEqual(e.data);
    }
    const py = execFileSync(
      'python3',
      [
        '-c',
        'import sys,zipfile\nz=zipfile.ZipFile(sys.argv[1])\nfor i in z.infolist(): print(i.filename, i.compress_type, oct(i.external_attr>>16), i.date_time)',
        file,
      ],
      { encoding: 'utf8' },
    );
    const lines = py.trim().split('\n');
    expect(lines[0]).toBe('B827EBFFFE000001/cups.key 0 0o100600 (2031, 5, 6, 7, 8, 10)');
    expect(lines[1]).toMatch(/gateway.json 8 0o100600/); // repetitive text is deflated
    execFileSync('unzip', ['-q', file, '-d', join(dir, 'x')]);
    expect(
      execFileSync('stat', ['-c', '%a', join(dir, 'x', 'B827EBFFFE000001', 'cups.key')], {
        encoding: 'utf8',
      }).trim(),
    ).toBe('600');
  });

  it('is deterministic for the same entries and time', () => {
    const entries = [{ name: 'a/b.txt', data: enc('hello') }];
    expect(buildZip(entries, T)).toEqual(buildZip(entries, T));
    expect(buildZip(entries, T)).not.toEqual(buildZip(entries, T + 60_000));
  });

  it('refuses names that would escape the folder', () => {
    for (const name of ['/etc/passwd', '../x', 'a/../../b', 'a\\b', '']) {
      expect(() => buildZip([{ name, data: enc('x') }], T)).toThrow(RangeError);
    }
  });

  it('encodes DOS dates and clamps before 1980', () => {
    expect(dosDateTime(T)).toEqual({
      date: ((2031 - 1980) << 9) | (5 << 5) | 6,
      time: (7 << 11) | (8 << 5) | 5,
    });
    expect(dosDateTime(Date.parse('1970-01-02T00:00:00')).date >> 9).toBe(0);
  });
});
