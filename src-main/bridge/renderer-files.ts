/**
 * The built renderer (`out/renderer`) as a fixed map of URL path → file, read once at start: only
 * files that exist at start are served, so no request path ever reaches the file system (no
 * traversal). Used by the HTTP bridge (`/`) and the Electron `app://` protocol.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';

/** Content types of what vite emits. */
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

/** One servable file. */
interface RendererFile {
  path: string;
  contentType: string;
  /** hashed asset names never change: cache them hard */
  immutable: boolean;
}

/** URL path (`/`, `/assets/index-abc.js`) → file. Empty when the renderer is not built. */
export function indexRendererFiles(dir: string): Map<string, RendererFile> {
  const files = new Map<string, RendererFile>();
  if (!existsSync(dir)) return files;
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const full = join(d, name);
      if (statSync(full).isDirectory()) walk(full);
      else {
        const url = '/' + relative(dir, full).split(sep).join('/');
        files.set(url, {
          path: full,
          contentType: TYPES[extname(name).toLowerCase()] ?? 'application/octet-stream',
          immutable: url.startsWith('/assets/'),
        });
      }
    }
  };
  walk(dir);
  const index = files.get('/index.html');
  if (index) files.set('/', index);
  return files;
}

/** Page shown at `/` when the renderer was not built. */
export const NOT_BUILT_HTML =
  '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>gwjs station</title></head>' +
  '<body><h1>gwjs station</h1><p>The user interface is not built. Run <code>npm run build</code> and ' +
  'restart <code>gwjs serve</code>. The Owner API and CUPS work without it.</p></body></html>';

/** A live view of the renderer folder: a miss re-reads the folder (at most once a second), so a rebuild while serving works. */
export interface RendererFileIndex {
  get(urlPath: string): RendererFile | undefined;
  /** false when the renderer is not built */
  built(): boolean;
}

/** Creates the live index of `dir`. */
export function createRendererFileIndex(dir: string, now: () => number = Date.now): RendererFileIndex {
  let files = indexRendererFiles(dir);
  let scannedAt = now();
  const rescan = () => {
    if (now() - scannedAt < 1000) return;
    files = indexRendererFiles(dir);
    scannedAt = now();
  };
  return {
    get(urlPath) {
      const hit = files.get(urlPath);
      if (hit && existsSync(hit.path)) return hit;
      rescan();
      return files.get(urlPath);
    },
    built() {
      if (files.size === 0) rescan();
      return files.size > 0;
    },
  };
}
