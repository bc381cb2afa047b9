/**
 * A real `gwjs serve` child process (SPEC §7, docs/server-mode.md) and one-shot HTTPS requests on a
 * new TLS connection each, as a Basics Station makes them — for the multi-process tests and the
 * server-scale benchmark.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { request as httpsRequest } from 'node:https';
import { GWJS_BIN } from './gwjs-cli';

/** A running `gwjs serve`. */
export interface ServeProcess {
  child: ChildProcess;
  /** `https://127.0.0.1:port` */
  url: string;
  /** the CUPS URI it hands out */
  cupsUri: string;
  /** the whole `--json` listening line */
  listening: Record<string, unknown>;
  stderr(): string;
  /** SIGTERM, resolved once it exited (no-op when it already did) */
  stop(): Promise<void>;
}

/**
 * Spawns `gwjs serve --data DIR [--db URL] --port PORT --json` with `passphrase` as
 * `$GWJS_HSM_PASSPHRASE`; resolves once it printed its listening line.
 */
export async function spawnServe(options: {
  dir: string;
  port: number;
  db?: string | undefined;
  passphrase: string;
  timeoutMs?: number;
  /** more `serve` flags (`--host`, `--public-host`, …) */
  args?: readonly string[];
}): Promise<ServeProcess> {
  const { dir, port, db, passphrase } = options;
  const timeoutMs = options.timeoutMs ?? 30_000;
  const child = spawn(
    process.execPath,
    [
      GWJS_BIN,
      'serve',
      '--data',
      dir,
      ...(db !== undefined ? ['--db', db] : []),
      '--port',
      String(port),
      ...(options.args ?? []),
      '--json',
    ],
    {
      env: { ...process.env, GWJS_DATA: '', GWJS_HSM_PASSPHRASE: passphrase, GWJS_LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const listening = await new Promise<{ url: string; cupsUri: string; listening: Record<string, unknown> }>(
    (resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`gwjs serve did not start in ${timeoutMs / 1000} s:\n${err}`)),
        timeoutMs,
      );
      child.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        const line = out.split('\n').find((l) => l.includes('"listening"'));
        if (line !== undefined) {
          clearTimeout(timer);
          const parsed = JSON.parse(line) as { url: string; cupsUri: string };
          resolve({ ...parsed, listening: parsed });
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`gwjs serve exited ${code}:\n${err}`));
      });
    },
  );
  return {
    child,
    ...listening,
    stderr: () => err,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** One answer of {@link postOnce}. */
export interface OneShotAnswer {
  status: number;
  body: Buffer;
  /** from the request to the end of the answer, TLS handshake included */
  ms: number;
}

/** One JSON POST on a new TLS connection (no keep-alive). Rejects on a transport failure. */
export function postOnce(
  url: string,
  ca: string,
  headers: Record<string, string>,
  body: unknown,
): Promise<OneShotAnswer> {
  const payload = Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      url,
      {
        method: 'POST',
        ca,
        agent: false,
        headers: {
          'content-type': 'application/json',
          'content-length': String(payload.length),
          connection: 'close',
          ...headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            body: Buffer.concat(chunks),
            ms: performance.now() - started,
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}
