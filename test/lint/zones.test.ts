/**
 * The import rules between the layers (docs/architecture.md) hold: eslint.config.mjs refuses an
 * import that crosses a zone the wrong way, and lets the allowed ones through.
 */
import path from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const eslint = new ESLint({ cwd: ROOT });

/** The `no-restricted-imports` messages for `code` linted as if it were the file `file`. */
async function restricted(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(`${code}\nexport {};\n`, { filePath: path.join(ROOT, file) });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('layer import rules', () => {
  it.each([
    ['src-main/core/x.ts', "import { readFileSync } from 'node:fs';"],
    ['src-main/core/x.ts', "import { readFile } from 'node:fs/promises';"],
    ['src-main/core/x.ts', "import { createServer } from 'node:net';"],
    ['src-main/core/x.ts', "import { request } from 'node:http';"],
    ['src-main/core/x.ts', "import { connect } from 'node:http2';"],
    ['src-main/core/x.ts', "import { createHandlers } from '../bridge/handlers';"],
    ['src-main/core/cups/x.ts', "import { openStation } from '../../compose/station';"],
    ['src-main/adapters/http/x.ts', "import { createHandlers } from '../../bridge/handlers';"],
    ['src-main/adapters/x.ts', "import { main } from '../cli/main';"],
    ['src-main/adapters/x.ts', "import { openStation } from '../compose/station';"],
    ['src-main/bridge/x.ts', "import { startServer } from '../adapters/http/server';"],
    ['src-main/bridge/x.ts', "import { openStation } from '../compose/station';"],
    ['src-main/compose/x.ts', "import { main } from '../cli/main';"],
    ['src-main/app/x.ts', "import { main } from '../cli/main';"],
    ['src-main/cli/x.ts', "import { launch } from '../app/launch';"],
  ])('%s may not: %s', async (file, code) => {
    expect(await restricted(file, code)).toHaveLength(1);
  });

  it.each([
    ['src-main/core/x.ts', "import { createHash } from 'node:crypto';"],
    ['src-main/bridge/x.ts', "import type { Core } from '../core/api';"],
    ['src-main/compose/x.ts', "import { startServer } from '../adapters/http/server';"],
    ['src-main/compose/x.ts', "import { createHandlers } from '../bridge/handlers';"],
    ['src-main/cli/x.ts', "import { openStation } from '../compose/station';"],
    ['src-main/app/x.ts', "import { openStation } from '../compose/station';"],
  ])('%s may: %s', async (file, code) => {
    expect(await restricted(file, code)).toEqual([]);
  });
});
