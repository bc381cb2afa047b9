import { execFileSync } from 'node:child_process';
import { chmodSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FolderBundleSink, type FlushMode } from '../../../src-main/adapters/factory/folder-bundle-sink';
import type { BundleFile } from '../../../src-main/core/factory-bundle';
import { makeTempDir } from '../../helpers/tmp-dir';

const TEXT = {
  'cups.uri': 'https://a.example:443\n',
  'cups.key': 'Authorization: Bearer t\r\n',
  'gateway.json': '{"gmk":"00"}\n',
};
const SIG = Uint8Array.from({ length: 64 }, (_, i) => i);
const FILES: BundleFile[] = [
  { name: 'cups.key', data: TEXT['cups.key'], secret: true },
  { name: 'cups.uri', data: TEXT['cups.uri'], secret: false },
  { name: 'gateway.json', data: TEXT['gateway.json'], secret: true },
  { name: 'sig-0.key', data: SIG, secret: false },
];

describe('FolderBundleSink', () => {
  for (const flush of ['syncfs', 'fsync'] as FlushMode[]) {
    it(`writes <out>/<EUI>/ with private secret files, a zip and labels, and flushes (${flush})`, async () => {
      const out = join(makeTempDir('sink'), 'drive', 'bundles');
      const sink = new FolderBundleSink({ flush });
      const loc = await sink.writeBundle({
        outDir: out,
        euiHex: 'B827EBFFFE000001',
        files: FILES,
        zip: true,
        zipTime: 0,
      });
      expect(loc).toEqual({
        path: join(out, 'B827EBFFFE000001'),
        zipPath: join(out, 'B827EBFFFE000001.zip'),
      });
      expect(statSync(loc.path).mode & 0o777).toBe(0o700);
      expect(statSync(join(loc.path, 'cups.key')).mode & 0o777).toBe(0o600);
      expect(statSync(join(loc.path, 'cups.uri')).mode & 0o777).toBe(0o644);
      expect(statSync(loc.zipPath!).mode & 0o777).toBe(0o600);
      const zipped = execFileSync('unzip', ['-p', loc.zipPath!, 'B827EBFFFE000001/sig-0.key']);
      expect(new Uint8Array(zipped)).toEqual(SIG);
      const label = await sink.writeLabel(
        out,
        'B827EBFFFE000001',
        '.zpl',
        new TextEncoder().encode('^XA^XZ'),
      );
      expect(label).toBe(join(out, 'labels', 'B827EBFFFE000001.zpl'));
      await sink.flush(out);
      await sink.flush(out); // nothing pending: no-op
      expect(readFileSync(join(loc.path, 'cups.key'), 'utf8')).toBe(TEXT['cups.key']);
      expect(new Uint8Array(readFileSync(join(loc.path, 'sig-0.key')))).toEqual(SIG); // binary as is
      expect(statSync(join(loc.path, 'sig-0.key')).mode & 0o777).toBe(0o644);
    });
  }

  it('re-writes a damaged bundle to the same bytes and makes a loosened secret file private again', async () => {
    const out = makeTempDir('sink-rewrite');
    const sink = new FolderBundleSink();
    const b = {
      outDir: out,
      euiHex: 'B827EBFFFE000002',
      files: FILES,
      zip: true,
      zipTime: 1_900_000_000_000,
    };
    const loc = await sink.writeBundle(b);
    const zip1 = readFileSync(loc.zipPath!);
    writeFileSync(join(loc.path, 'gateway.json'), '{"gm');
    chmodSync(join(loc.path, 'gateway.json'), 0o644);
    await sink.writeBundle(b);
    expect(readFileSync(join(loc.path, 'gateway.json'), 'utf8')).toBe(TEXT['gateway.json']);
    expect(statSync(join(loc.path, 'gateway.json')).mode & 0o777).toBe(0o600);
    expect(readFileSync(loc.zipPath!).equals(zip1)).toBe(true);
  });

  it('creates the output folder again when it vanished (a removable drive swapped)', async () => {
    const drive = join(makeTempDir('sink-drive'), 'usb');
    const sink = new FolderBundleSink();
    const b = {
      outDir: join(drive, 'bundles'),
      euiHex: 'B827EBFFFE000003',
      files: FILES,
      zip: false,
      zipTime: 0,
    };
    await sink.writeBundle(b);
    rmSync(drive, { recursive: true });
    const loc = await sink.writeBundle({ ...b, euiHex: 'B827EBFFFE000004' });
    expect(readFileSync(join(loc.path, 'cups.uri'), 'utf8')).toBe(TEXT['cups.uri']);
  });
});
