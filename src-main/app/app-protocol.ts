/**
 * The `app://station/` protocol: serves the built renderer to the Electron window with the same
 * CSP and security headers as `gwjs serve`. Only files indexed at start are served (no request
 * path reaches the file system). Plain function of a fetch `Request`, so tests need no Electron.
 */
import { readFile } from 'node:fs/promises';
import { SECURITY_HEADERS } from '../bridge/csp';
import { NOT_BUILT_HTML, type RendererFileIndex } from '../bridge/renderer-files';
import { APP_HOST } from './security';

/** Creates the handler for `protocol.handle('app', …)`. */
export function createAppProtocolHandler(files: RendererFileIndex) {
  return async (request: Request): Promise<Response> => {
    const url = new URL(request.url);
    const headers = { ...SECURITY_HEADERS };
    if (url.host !== APP_HOST || (request.method !== 'GET' && request.method !== 'HEAD')) {
      return new Response('not found', {
        status: 404,
        headers: { ...headers, 'content-type': 'text/plain' },
      });
    }
    let file = files.get(url.pathname);
    if (!file && !/\.[a-z0-9]+$/i.test(url.pathname)) file = files.get('/');
    if (!file) {
      if (!files.built()) {
        return new Response(NOT_BUILT_HTML, {
          headers: { ...headers, 'content-type': 'text/html; charset=utf-8' },
        });
      }
      return new Response('not found', {
        status: 404,
        headers: { ...headers, 'content-type': 'text/plain' },
      });
    }
    const body = await readFile(file.path);
    return new Response(new Uint8Array(body), { headers: { ...headers, 'content-type': file.contentType } });
  };
}
