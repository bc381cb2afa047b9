import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRendererFileIndex, indexRendererFiles } from '../../src-main/bridge/renderer-files';
import { makeTempDir } from '../helpers/tmp-dir';

describe('renderer file index', () => {
  it('maps URL paths to the files present, with content types and cache class', () => {
    const dir = makeTempDir('renderer-files');
    mkdirSync(join(dir, 'assets'));
    writeFileSync(join(dir, 'index.html'), 'x');
    writeFileSync(join(dir, 'assets', 'a-1.js'), 'x');
    writeFileSync(join(dir, 'assets', 'a-1.css'), 'x');
    const files = indexRendererFiles(dir);
    expect([...files.keys()].sort()).toEqual(['/', '/assets/a-1.css', '/assets/a-1.js', '/index.html']);
    expect(files.get('/')).toMatchObject({ contentType: 'text/html; charset=utf-8', immutable: false });
    expect(files.get('/assets/a-1.js')).toMatchObject({
      contentType: 'text/javascript; charset=utf-8',
      immutable: true,
    });
  });

  it('picks up a rebuild while serving, re-reading the folder at most once a second', () => {
    const dir = makeTempDir('renderer-files');
    mkdirSync(join(dir, 'assets'));
    writeFileSync(join(dir, 'assets', 'old.js'), 'x');
    let t = 0;
    const index = createRendererFileIndex(dir, () => t);
    expect(index.built()).toBe(true);
    rmSync(join(dir, 'assets', 'old.js'));
    writeFileSync(join(dir, 'assets', 'new.js'), 'x');
    expect(index.get('/assets/new.js')).toBeUndefined(); // within the same second
    t = 1500;
    expect(index.get('/assets/new.js')?.path).toBe(join(dir, 'assets', 'new.js'));
    expect(index.get('/assets/old.js')).toBeUndefined();
  });
});
