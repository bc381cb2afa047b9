/**
 * The core's module map (`src-main/core/README.md`) names every module of `src-main/core`: a new
 * file that is not in it fails here, so the map stays the place to find a module.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';

const CORE = path.resolve(import.meta.dirname, '../../src-main/core');

/** Every .ts file below `dir`, relative to it. */
function modules(dir: string, prefix = ''): string[] {
  return readdirSync(path.join(dir, prefix), { withFileTypes: true }).flatMap((e) => {
    const rel = prefix === '' ? e.name : `${prefix}/${e.name}`;
    if (e.isDirectory()) return modules(dir, rel);
    return e.name.endsWith('.ts') ? [rel] : [];
  });
}

it('src-main/core/README.md names every core module', () => {
  const map = readFileSync(path.join(CORE, 'README.md'), 'utf8');
  const files = modules(CORE);
  expect(files.length).toBeGreaterThan(50);
  // a module is named by its file name (`item-write.ts`) in its folder's row, or by its path
  const unnamed = files.filter((f) => !map.includes(path.basename(f)) && !map.includes(f));
  expect(unnamed).toEqual([]);
});
