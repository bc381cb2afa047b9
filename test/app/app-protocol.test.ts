import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createAppProtocolHandler } from '../../src-main/app/app-protocol';
import { RENDERER_CSP } from '../../src-main/bridge/csp';
import { createRendererFileIndex } from '../../src-main/bridge/renderer-files';
import { makeTempDir } from '../helpers/tmp-dir';

describe('app:// protocol handler', () => {
  it('serves the indexed renderer files with the CSP, and nothing else', async () => {
    const dir = makeTempDir('app-protocol');
    mkdirSync(join(dir, 'assets'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><p>hi</p>');
    writeFileSync(join(dir, 'assets', 'a.js'), 'export {}');
    const handle = createAppProtocolHandler(createRendererFileIndex(dir));
    const index = await handle(new Request('app://station/'));
    expect(index.status).toBe(200);
    expect(index.headers.get('content-security-policy')).toBe(RENDERER_CSP);
    expect(await index.text()).toContain('<p>hi</p>');
    const js = await handle(new Request('app://station/assets/a.js'));
    expect(js.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect((await handle(new Request('app://station/assets/../../secret.txt'))).status).toBe(404);
    expect((await handle(new Request('app://other/'))).status).toBe(404);
    expect((await handle(new Request('app://station/', { method: 'POST', body: 'x' }))).status).toBe(404);
    // client-side routes load the app
    expect(await (await handle(new Request('app://station/gateways'))).text()).toContain('<p>hi</p>');
  });

  it('explains a missing build instead of failing', async () => {
    const handle = createAppProtocolHandler(
      createRendererFileIndex(join(makeTempDir('app-protocol'), 'nope')),
    );
    const page = await handle(new Request('app://station/'));
    expect(await page.text()).toContain('npm run build');
  });
});
