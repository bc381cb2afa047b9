import path from 'node:path';
import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { platformDataDir, resolveDataDir } from '../../src-main/compose/data-dir';

describe('resolveDataDir', () => {
  it('prefers --data, then $GWJS_DATA, then the platform folder, always absolute', () => {
    expect(resolveDataDir('rel/dir', { GWJS_DATA: '/env/dir' })).toBe(path.resolve('rel/dir'));
    expect(resolveDataDir(undefined, { GWJS_DATA: '/env/dir' })).toBe('/env/dir');
    expect(resolveDataDir('', { GWJS_DATA: '' })).toBe(platformDataDir({}));
  });
});

describe('platformDataDir', () => {
  it('uses the folder Electron’s userData names on each platform', () => {
    const home = os.homedir();
    expect(platformDataDir({}, 'linux')).toBe(path.join(home, '.config', 'gwjs-station'));
    expect(platformDataDir({ XDG_CONFIG_HOME: '/xdg' }, 'linux')).toBe(path.join('/xdg', 'gwjs-station'));
    expect(platformDataDir({ XDG_CONFIG_HOME: 'relative' }, 'linux')).toBe(
      path.join(home, '.config', 'gwjs-station'),
    );
    expect(platformDataDir({}, 'darwin')).toBe(
      path.join(home, 'Library', 'Application Support', 'gwjs-station'),
    );
    expect(platformDataDir({ APPDATA: '/appdata' }, 'win32')).toBe(path.join('/appdata', 'gwjs-station'));
  });
});
