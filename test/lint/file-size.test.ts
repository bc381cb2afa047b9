/**
 * Source files stay small (CONVENTIONS.md "Size": a file that passes ~400 lines is usually two
 * files): a `.ts`/`.tsx` file under src-* longer than {@link MAX_LINES} lines must say why near its
 * top, in a sentence that starts with {@link REASON} (within its first {@link REASON_WITHIN} lines).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const MAX_LINES = 400;
const REASON = 'Longer than ~400 lines on purpose:';
const REASON_WITHIN = 20;

/** Lines of a text, a final newline not counting as one more (as `wc -l` counts them). */
const lineCount = (text: string): number => text.split('\n').length - (text.endsWith('\n') ? 1 : 0);

/** Why `text` breaks the size rule, or undefined when it keeps it. */
function sizeProblem(text: string): string | undefined {
  const lines = lineCount(text);
  if (lines <= MAX_LINES) return undefined;
  const head = text.split('\n').slice(0, REASON_WITHIN).join('\n');
  return head.includes(REASON)
    ? undefined
    : `${lines} lines and no "${REASON}" in its first ${REASON_WITHIN}`;
}

/** Every .ts/.tsx file below the src-* folders, relative to the repository root. */
function sourceFiles(): string[] {
  const roots = readdirSync(ROOT).filter((d) => d.startsWith('src-'));
  return roots.flatMap((root) =>
    readdirSync(path.join(ROOT, root), { recursive: true, encoding: 'utf8' })
      .filter((f) => /\.tsx?$/.test(f) && !f.split(path.sep).includes('node_modules'))
      .map((f) => path.join(root, f)),
  );
}

describe('source file size', () => {
  it('flags a file over 400 lines without the reason line, and only that', () => {
    const body = (n: number) => 'const x = 1;\n'.repeat(n);
    expect(sizeProblem(body(400))).toBeUndefined();
    expect(sizeProblem(body(401))).toBe(`401 lines and no "${REASON}" in its first ${REASON_WITHIN}`);
    expect(sizeProblem(`/**\n * ${REASON} one reason.\n */\n${body(500)}`)).toBeUndefined();
    // the reason must stand near the top, not anywhere in the file
    expect(sizeProblem(`${body(30)}/** ${REASON} too late. */\n${body(400)}`)).toMatch(/^431 lines/);
  });

  it('every src-* file over 400 lines says why at its top', () => {
    const files = sourceFiles();
    expect(files.length).toBeGreaterThan(100);
    const problems = files.flatMap((f) => {
      const problem = sizeProblem(readFileSync(path.join(ROOT, f), 'utf8'));
      return problem === undefined ? [] : [`${f}: ${problem}`];
    });
    expect(problems).toEqual([]);
  });
});
