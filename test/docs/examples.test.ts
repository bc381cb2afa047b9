/**
 * The examples of the README and docs/ run as written, against a real `gwjs serve` on 127.0.0.1.
 *
 * A fenced `sh` block preceded by `<!-- example: offline -->` runs before the server starts (CLI
 * commands need the data directory to themselves), `<!-- example: online -->` with it running,
 * `<!-- example: file NAME -->` is written to the file NAME. All blocks run, in the order of
 * {@link DOCS}, in one bash session (`set -euo pipefail`) in a temp folder, so variables carry
 * over as they do for a reader who follows the documents. The only rewrites: `npx gwjs` runs
 * `bin/gwjs.mjs` of this checkout, and port 8443 becomes a free port (parallel tests).
 *
 * A comment line `# [...]` or `# {...}` right in a block is the answer the command above it
 * prints: the answers must appear on stdout in that order (`…` stands for anything). An answer
 * with an `error` that no comment expects fails the test — a wrong example cannot pass quietly.
 */
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort } from '../../src-main/cli/free-port';
import { GWJS_BIN } from '../helpers/gwjs-cli';
import { makeTempDir } from '../helpers/tmp-dir';

const ROOT = path.resolve(import.meta.dirname, '../..');
/** The documents with examples, in the order a reader meets them. */
const DOCS = [
  'README.md',
  'docs/owner-api.md',
  'docs/firmware.md',
  'docs/client-certs.md',
  'docs/rotation.md',
  'docs/factory-line.md',
];

/** One example block of a document. */
interface Example {
  kind: 'offline' | 'online' | 'file';
  /** the file name of a `file` block */
  name: string | undefined;
  code: string;
  where: string;
}

/** The example blocks of one markdown text. */
export function extractExamples(markdown: string, file: string): Example[] {
  const out: Example[] = [];
  const re = /<!-- example: (offline|online|file)(?: ([^ ]+))? -->\n```[a-z]*\n([\s\S]*?)\n```/g;
  for (const m of markdown.matchAll(re)) {
    const line = markdown.slice(0, m.index).split('\n').length;
    out.push({ kind: m[1] as Example['kind'], name: m[2], code: m[3]!, where: `${file}:${line}` });
  }
  return out;
}

/** The answers a block's `# [...]` / `# {...}` comments announce, as patterns. */
function expectedAnswers(code: string): RegExp[] {
  return code
    .split('\n')
    .map((l) => /^# ([[{].*)$/.exec(l.trim())?.[1])
    .filter((l): l is string => l !== undefined)
    .map((l) => new RegExp(`^${l.split('…').map(escapeRe).join('.*')}$`));
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** True when a printed line is a JSON answer carrying an error (top level or in an item). */
function isErrorAnswer(line: string): boolean {
  if (!/^[[{]/.test(line)) return false;
  try {
    const v = JSON.parse(line) as unknown;
    const items = Array.isArray(v) ? v : [v];
    return items.some((i) => typeof i === 'object' && i !== null && 'error' in i);
  } catch {
    return false;
  }
}

/** Files a reader brings along (their LNS's CA, the other CUPS server's CA, a join server's CA). */
function writeReaderFiles(dir: string): void {
  for (const name of ['lns-ca', 'other-cups-ca', 'js-ca']) {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-keyout',
        path.join(dir, `${name}.key`),
        '-out',
        path.join(dir, `${name}.pem`),
        '-days',
        '30',
        '-subj',
        `/CN=${name}`,
      ],
      { stdio: 'pipe' },
    );
  }
}

function run(
  script: string,
  cwd: string,
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', script], { cwd, env, stdio: 'pipe' });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out, err }));
  });
}

describe('documentation examples', () => {
  it('every example block is in a document this test runs', () => {
    const all = ['README.md', ...readdirSync(path.join(ROOT, 'docs')).map((f) => `docs/${f}`)].filter((f) =>
      f.endsWith('.md'),
    );
    for (const f of all) {
      if (DOCS.includes(f)) continue;
      expect(readFileSync(path.join(ROOT, f), 'utf8'), f).not.toContain('<!-- example:');
    }
    expect(
      DOCS.flatMap((f) => extractExamples(readFileSync(path.join(ROOT, f), 'utf8'), f)).length,
    ).toBeGreaterThan(15);
  });

  it('run as written against a real gwjs serve', { timeout: 300_000 }, async () => {
    const examples = DOCS.flatMap((f) => extractExamples(readFileSync(path.join(ROOT, f), 'utf8'), f));
    const work = makeTempDir('doc-examples');
    const shims = path.join(work, '.shims');
    mkdirSync(shims);
    const npx = execFileSync('bash', ['-c', 'command -v npx'], { encoding: 'utf8' }).trim();
    writeFileSync(
      path.join(shims, 'npx'),
      `#!/bin/sh\nif [ "$1" = gwjs ]; then shift; exec "${process.execPath}" "${GWJS_BIN}" "$@"; fi\nexec "${npx}" "$@"\n`,
    );
    chmodSync(path.join(shims, 'npx'), 0o755);
    writeReaderFiles(work);
    for (const e of examples.filter((x) => x.kind === 'file'))
      writeFileSync(path.join(work, e.name!), `${e.code}\n`);

    const port = await freePort();
    const block = (e: Example) => `# --- ${e.where}\n${e.code.replaceAll(':8443', `:${port}`)}\n`;
    const script = [
      'set -euo pipefail',
      ...examples.filter((e) => e.kind === 'offline').map(block),
      // the reader's second terminal: `npx gwjs serve`, same environment
      `npx gwjs serve --port ${port} > .serve.out 2> .serve.err &`,
      'SERVE_PID=$!',
      "trap 'kill $SERVE_PID 2>/dev/null || true' EXIT",
      'for _ in $(seq 1 120); do grep -q "listening on" .serve.out && break; sleep 0.5; done',
      'grep -q "listening on" .serve.out || { cat .serve.err >&2; exit 99; }',
      ...examples.filter((e) => e.kind === 'online').map(block),
      'kill $SERVE_PID; wait $SERVE_PID || true',
    ].join('\n');
    writeFileSync(path.join(work, '.examples.sh'), script);

    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PATH: `${shims}:${process.env.PATH ?? ''}`,
      LNS_API_KEY: 'NNSXS.EXAMPLEKEY0123456789',
      OTHER_CUPS_TOKEN: 'other-cups-token-0123456789',
    };
    delete env.GWJS_DATA;
    delete env.GWJS_HSM_PASSPHRASE;
    const r = await run(script, work, env);
    const serveErr = existsSync(path.join(work, '.serve.err'))
      ? readFileSync(path.join(work, '.serve.err'), 'utf8')
      : '';
    expect(r.code, `stderr:\n${r.err.slice(-3000)}\nserver:\n${serveErr.slice(-1500)}`).toBe(0);

    // every announced answer appears, in order
    const lines = r.out.split('\n').map((l) => l.trim());
    const matched = new Set<number>();
    let at = 0;
    for (const e of examples) {
      for (const want of expectedAnswers(e.code)) {
        const i = lines.findIndex((l, k) => k >= at && want.test(l));
        expect(
          i,
          `${e.where}: no answer matching ${want.source} after line ${at} of:\n${lines.slice(at).join('\n')}`,
        ).toBeGreaterThanOrEqual(0);
        matched.add(i);
        at = i + 1;
      }
    }
    const unexpected = lines.filter((l, i) => !matched.has(i) && isErrorAnswer(l));
    expect(unexpected, 'error answers no example announces').toEqual([]);
  });
});
