/**
 * Comments and test names cite SPEC sections or docs/, never tracker items: an issue number and
 * item means nothing to a reader of the code.
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const FOLDERS = ['src-main', 'src-shared', 'src-renderer', 'test', 'bench', 'scripts', 'bin', '.ci'];
// built from parts so this file does not match itself
const TRACKER = new RegExp(['\\bissues? #?\\d+\\b', '#\\d+ items?\\b'].join('|'), 'i');

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory()
      ? d.name === 'node_modules' || d.name === 'artifacts'
        ? []
        : walk(path.join(dir, d.name))
      : [path.join(dir, d.name)],
  );
}

describe('source comments', () => {
  it('name no tracker items', () => {
    const hits = FOLDERS.flatMap((f) => walk(path.join(ROOT, f)))
      .filter((f) => /\.(ts|tsx|mts|mjs|js|sql|css)$/.test(f) || path.basename(f) === 'run')
      .flatMap((f) =>
        readFileSync(f, 'utf8')
          .split('\n')
          .map((line, i) => ({ where: `${path.relative(ROOT, f)}:${i + 1}`, line }))
          .filter(({ line }) => TRACKER.test(line)),
      )
      .map(({ where, line }) => `${where}: ${line.trim()}`);
    expect(hits).toEqual([]);
  });
});
