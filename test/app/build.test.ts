import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeTempDir } from '../helpers/tmp-dir';

const ROOT = join(import.meta.dirname, '..', '..');

describe('electron-vite build (no Electron binary needed)', () => {
  it('builds main, preload and renderer into loadable files', () => {
    const out = makeTempDir('build');
    const r = spawnSync(
      process.execPath,
      [join(ROOT, 'node_modules/electron-vite/bin/electron-vite.js'), 'build'],
      {
        cwd: ROOT,
        env: { ...process.env, GWJS_OUT_DIR: out },
        encoding: 'utf8',
      },
    );
    expect({ status: r.status, stderr: r.status === 0 ? '' : r.stderr }).toEqual({ status: 0, stderr: '' });
    // `npm start` shows this output: warnings and errors only, no chunk tables, no lazy-import notes
    const printed = `${r.stdout}${r.stderr}`;
    expect(printed).not.toMatch(/INEFFECTIVE_DYNAMIC_IMPORT|rendering chunks|modules transformed/);

    // main: ESM that parses (the CommonJS shim must not clash with a bundled `require`), migrations beside it
    const main = join(out, 'main', 'main.js');
    expect(spawnSync(process.execPath, ['--check', main], { encoding: 'utf8' }).stderr).toBe('');
    expect(readFileSync(main, 'utf8')).toMatch(/from "electron";/);
    expect(readdirSync(join(out, 'main', 'migrations'))).toEqual(
      expect.arrayContaining(['0001-initial.sql', '0005-station-ui.sql']),
    );

    // preload: self-contained CommonJS (a sandboxed preload can require nothing but electron)
    const preload = join(out, 'preload', 'index.cjs');
    expect(spawnSync(process.execPath, ['--check', preload], { encoding: 'utf8' }).stderr).toBe('');
    const requires = [...readFileSync(preload, 'utf8').matchAll(/\brequire\(\s*["']([^"']+)["']\s*\)/g)].map(
      (m) => m[1],
    );
    expect(requires).toEqual(['electron']);

    // renderer: relative assets, no inline script (the CSP allows 'self' scripts only)
    const html = readFileSync(join(out, 'renderer', 'index.html'), 'utf8');
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attrs, body] of scripts) {
      expect(body!.trim()).toBe('');
      const src = /src="\.\/([^"]+)"/.exec(attrs!)?.[1];
      expect(src && existsSync(join(out, 'renderer', src))).toBe(true);
    }
    expect(html).not.toMatch(/\son[a-z]+=/i);
  });
});
