/**
 * Where a station keeps its data (SPEC §7, DESIGN §3): `--data DIR`, else `$GWJS_DATA`, else the
 * platform's app-data folder — the same folder Electron's `app.getPath('userData')` names for this
 * app, so the desktop app and the CLI share one station by default.
 */
import os from 'node:os';
import path from 'node:path';

/** Folder name under the platform app-data folder (the package name, as Electron uses it). */
const APP_DIR_NAME = 'gwjs-station';

/** The platform app-data folder for this app (Linux `$XDG_CONFIG_HOME`, macOS, Windows `%APPDATA%`). */
export function platformDataDir(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  const home = os.homedir();
  if (platform === 'win32')
    return path.join(env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), APP_DIR_NAME);
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', APP_DIR_NAME);
  const base =
    env.XDG_CONFIG_HOME && path.isAbsolute(env.XDG_CONFIG_HOME)
      ? env.XDG_CONFIG_HOME
      : path.join(home, '.config');
  return path.join(base, APP_DIR_NAME);
}

/** Resolves the data directory: explicit flag, then `$GWJS_DATA`, then the platform folder. Absolute. */
export function resolveDataDir(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  if (flag !== undefined && flag !== '') return path.resolve(flag);
  if (env.GWJS_DATA !== undefined && env.GWJS_DATA !== '') return path.resolve(env.GWJS_DATA);
  return platformDataDir(env);
}
