import { mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeFileAtomic } from '../../src-main/adapters/atomic-file';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'gwjs-atomic-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('writeFileAtomic', () => {
  it('creates missing directories and writes text or bytes with the given mode', async () => {
    const file = path.join(dir, 'a', 'b', 'secret.key');
    await writeFileAtomic(file, 'hello', 0o600);
    expect(await readFile(file, 'utf8')).toBe('hello');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    await writeFileAtomic(file, Uint8Array.of(1, 2, 3), 0o644);
    expect([...(await readFile(file))]).toEqual([1, 2, 3]);
    expect((await stat(file)).mode & 0o777).toBe(0o644);
  });

  it('replaces the file without leaving temp files, also under concurrent writers', async () => {
    const file = path.join(dir, 'state.json');
    await Promise.all(Array.from({ length: 10 }, (_, i) => writeFileAtomic(file, `{"n":${i}}`, 0o600)));
    expect(JSON.parse(await readFile(file, 'utf8')).n).toBeGreaterThanOrEqual(0);
    expect(await readdir(dir)).toEqual(['state.json']);
  });

  it('rejects when the target cannot be written and cleans up its temp file', async () => {
    const target = path.join(dir, 'sub');
    await writeFileAtomic(path.join(target, 'x'), 'x', 0o600);
    await expect(writeFileAtomic(target, 'over a directory', 0o600)).rejects.toThrow();
    expect((await readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});
