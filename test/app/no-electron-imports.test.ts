import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const ALLOWED = ['src-main/app/', 'src-main/preload/'];
const IMPORTS_ELECTRON =
  /(?:\bfrom\s*['"]electron(?:\/[^'"]*)?['"]|\bimport\s*['"]electron(?:\/[^'"]*)?['"]|\brequire\s*\(\s*['"]electron(?:\/[^'"]*)?['"]\s*\)|\bimport\s*\(\s*['"]electron(?:\/[^'"]*)?['"]\s*\))/;

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) out.push(...sources(full));
    else if (/\.(ts|tsx|mts|cts|js|mjs|cjs)$/.test(name)) out.push(full);
  }
  return out;
}

describe('electron import boundary', () => {
  it('no module outside src-main/app and src-main/preload imports electron', () => {
    const files = ['src-main', 'src-shared', 'src-renderer'].flatMap((d) => sources(join(ROOT, d)));
    expect(files.length).toBeGreaterThan(20);
    const offenders = files
      .map((f) => relative(ROOT, f).split(sep).join('/'))
      .filter((f) => !ALLOWED.some((a) => f.startsWith(a)))
      .filter((f) => IMPORTS_ELECTRON.test(readFileSync(join(ROOT, f), 'utf8')));
    expect(offenders).toEqual([]);
  });

  it('the scanner recognises every import form', () => {
    for (const src of [
      "import { app } from 'electron';",
      'import type { WebContents } from "electron";',
      "import 'electron';",
      "const e = require('electron');",
      "await import('electron/main');",
      "export { ipcMain } from 'electron';",
    ]) {
      expect(IMPORTS_ELECTRON.test(src)).toBe(true);
    }
    expect(IMPORTS_ELECTRON.test("import x from 'electron-vite';")).toBe(false);
  });

  it('only the shell entry points import electron inside the allowed folders', () => {
    const importers = ALLOWED.flatMap((d) => sources(join(ROOT, d)))
      .filter((f) => IMPORTS_ELECTRON.test(readFileSync(f, 'utf8')))
      .map((f) => relative(ROOT, f).split(sep).join('/'))
      .sort();
    expect(importers).toEqual(['src-main/app/main.ts', 'src-main/preload/index.ts']);
  });
});
