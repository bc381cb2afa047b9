/**
 * The bundle writer of the factory line (SPEC §5, docs/factory-line.md): each gateway's files go to
 * `<outDir>/<16-hex EUI>/` (a folder or a removable drive), optionally also `<outDir>/<EUI>.zip`,
 * labels of pre-generation to `<outDir>/labels/<EUI>.zpl`. Files holding secrets (the GMK, the
 * token) are written owner-only (0600), folders 0700.
 *
 * Durability: writes replace existing files in place (a re-write of the same unit gives the same
 * bytes); {@link FolderBundleSink.flush} makes them durable — on Linux with one `syncfs(2)` of the
 * output file system (`sync -f DIR`, ≈ 10–100 ms however many files), elsewhere (or when that fails)
 * by fsync'ing every file and folder written since the last flush.
 */
import { execFile } from 'node:child_process';
import { chmod, mkdir, open, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { utf8 } from '../../../src-shared/bytes';
import type { BundleLocation, BundleSink, BundleWrite } from '../../core/factory-line/ports';
import { buildZip } from './zip-writer';

/** How {@link FolderBundleSink.flush} makes files durable. */
export type FlushMode = 'syncfs' | 'fsync' | 'none';

/** Options of {@link FolderBundleSink}. */
export interface FolderBundleSinkOptions {
  /** default: `syncfs` on Linux, `fsync` elsewhere; `none` only for benchmarks of the rest */
  flush?: FlushMode;
}

const DIR_MODE = 0o700;
const SECRET_MODE = 0o600;
const PUBLIC_MODE = 0o644;

/** Writes bundles and labels to folders. */
export class FolderBundleSink implements BundleSink {
  readonly #mode: FlushMode;
  /** files and folders written since the last flush, per output folder (for `fsync` mode) */
  readonly #pending = new Map<string, Set<string>>();
  readonly #labelDirs = new Set<string>();
  readonly #outDirs = new Set<string>();

  constructor(options: FolderBundleSinkOptions = {}) {
    this.#mode = options.flush ?? (process.platform === 'linux' ? 'syncfs' : 'fsync');
  }

  async writeBundle(b: BundleWrite): Promise<BundleLocation> {
    await this.#ensureDir(b.outDir);
    const dir = join(b.outDir, b.euiHex);
    // a new folder holds only new files, which get their mode at creation; in a folder that was
    // there (a re-write) an existing secret file may carry another mode, so those are chmod'ed
    const makeDir = () =>
      mkdir(dir, { mode: DIR_MODE }).then(
        () => true,
        (e: NodeJS.ErrnoException) => {
          if (e.code === 'EEXIST') return false;
          throw e;
        },
      );
    let fresh: boolean;
    try {
      fresh = await makeDir();
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      // the output folder vanished (a removable drive was swapped): create it again, once
      this.#outDirs.delete(b.outDir);
      await this.#ensureDir(b.outDir);
      fresh = await makeDir();
    }
    const pending = this.#track(b.outDir);
    pending.add(b.outDir);
    pending.add(dir);
    await Promise.all(
      b.files.map(async ({ name, data, secret }) => {
        const file = join(dir, name);
        await writeFile(file, data, { mode: secret ? SECRET_MODE : PUBLIC_MODE });
        if (secret && !fresh) await chmod(file, SECRET_MODE);
        pending.add(file);
      }),
    );
    let zipPath: string | null = null;
    if (b.zip) {
      zipPath = join(b.outDir, `${b.euiHex}.zip`);
      const entries = b.files.map(({ name, data, secret }) => ({
        name: `${b.euiHex}/${name}`,
        data: typeof data === 'string' ? utf8(data) : data,
        mode: secret ? SECRET_MODE : PUBLIC_MODE,
      }));
      await writeFile(zipPath, buildZip(entries, b.zipTime), { mode: SECRET_MODE });
      await chmod(zipPath, SECRET_MODE);
      pending.add(zipPath);
    }
    return { path: dir, zipPath };
  }

  async writeLabel(outDir: string, euiHex: string, extension: string, data: Uint8Array): Promise<string> {
    const dir = join(outDir, 'labels');
    if (!this.#labelDirs.has(dir)) {
      await mkdir(dir, { recursive: true, mode: DIR_MODE });
      this.#labelDirs.add(dir);
    }
    const file = join(dir, `${euiHex}${extension}`);
    await writeFile(file, data, { mode: PUBLIC_MODE });
    const pending = this.#track(outDir);
    pending.add(dir);
    pending.add(file);
    return file;
  }

  async flush(outDir: string): Promise<void> {
    const pending = this.#pending.get(outDir);
    this.#pending.delete(outDir);
    if (this.#mode === 'none' || pending === undefined || pending.size === 0) return;
    if (this.#mode === 'syncfs' && (await syncfs(outDir))) return;
    // files first, then their folders (so the names are durable too)
    const paths = [...pending].sort((a, b) => b.length - a.length);
    for (const p of paths) await fsyncPath(p);
  }

  /** Creates the output folder once per sink (and again if it vanished: mkdir is idempotent). */
  async #ensureDir(outDir: string): Promise<void> {
    if (this.#outDirs.has(outDir)) return;
    await mkdir(outDir, { recursive: true, mode: DIR_MODE });
    this.#outDirs.add(outDir);
  }

  #track(outDir: string): Set<string> {
    let s = this.#pending.get(outDir);
    if (s === undefined) this.#pending.set(outDir, (s = new Set()));
    return s;
  }
}

/** `sync -f DIR` (coreutils ≥ 8.24: syncfs of DIR's file system); false when it is not available. */
function syncfs(dir: string): Promise<boolean> {
  return new Promise((resolve) => {
    execFile('sync', ['-f', dir], { timeout: 60_000 }, (err) => resolve(err === null));
  });
}

async function fsyncPath(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } catch (e) {
    // some platforms refuse fsync on a directory handle; the files themselves are synced
    if ((e as NodeJS.ErrnoException).code !== 'EISDIR' && (e as NodeJS.ErrnoException).code !== 'EPERM')
      throw e;
  } finally {
    await handle.close();
  }
}
