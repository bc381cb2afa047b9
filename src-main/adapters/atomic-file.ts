/**
 * Crash-safe file replacement for small files (keystore, TLS keys and certificates): the content
 * is written to a temp file in the same directory with its final mode, fsync'ed, renamed over the
 * target, and the directory is fsync'ed. A reader sees the old file or the new one, never a mix.
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, open, rename, rm } from 'node:fs/promises';
import path from 'node:path';

/**
 * Atomically replaces `file` with `content` (UTF-8 text or bytes) and gives it `mode`; creates the
 * directory (0700) when missing. Rejects with the file-system error; no temp file is left behind.
 */
export async function writeFileAtomic(
  file: string,
  content: string | Uint8Array,
  mode: number,
): Promise<void> {
  const dir = path.dirname(file);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    const fh = await open(tmp, 'wx', mode);
    try {
      await fh.writeFile(content);
      await fh.chmod(mode); // the umask may have narrowed the mode given to open()
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, file);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
  await chmod(file, mode);
  try {
    const dh = await open(dir, 'r');
    try {
      await dh.sync();
    } finally {
      await dh.close();
    }
  } catch {
    // not every platform can fsync a directory (Windows); the rename is still atomic
  }
}
