/**
 * Electron main process (DESIGN §2): one instance per user, the join server and the station UI
 * services started in-process (`desktop-station.ts`), a sandboxed window on `app://station/`
 * talking to main only through the preload's allow-listed IPC, and a clean shutdown (server
 * closed, store checkpointed) on quit or SIGINT/SIGTERM.
 *
 * Exit statuses `bin/start.mjs` relies on: 0 normal quit; 78 the station could not start (already
 * reported — do not fall back to headless, it would fail the same way).
 */
import { fileURLToPath } from 'node:url';
import { BrowserWindow, Menu, app, dialog, ipcMain, protocol, session } from 'electron';
import pino from 'pino';
import { IPC_EVENT } from '../../src-shared/ipc';
import { isDomainError } from '../../src-shared/errors';
import { startActivityPump, type ActivityPump } from '../bridge/activity-pump';
import { createRendererFileIndex } from '../bridge/renderer-files';
import { createAppProtocolHandler } from './app-protocol';
import { openDesktopStation, type DesktopStation } from './desktop-station';
import { registerIpc } from './ipc';
import { EXIT_STATION_FAILED, READY_MARKER } from './launch';
import {
  APP_SCHEME,
  APP_START_URL,
  allowPermissionCheck,
  allowPermissionRequest,
  guardContents,
  windowWebPreferences,
} from './security';

const preloadPath = fileURLToPath(new URL('../preload/index.cjs', import.meta.url));
const rendererDir = process.env.GWJS_RENDERER_DIR || fileURLToPath(new URL('../renderer/', import.meta.url));
const logger = pino({ base: null, level: process.env.GWJS_LOG_LEVEL ?? 'info' }, pino.destination(2));

let desktop: DesktopStation | undefined;
let pump: ActivityPump | undefined;
let window: BrowserWindow | undefined;
let quitting = false;

// Privileged before `ready`: a standard, secure scheme is a secure context (camera allowed).
protocol.registerSchemesAsPrivileged([
  { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true } },
]);
app.enableSandbox();

app.on('web-contents-created', (_event, contents) => guardContents(contents));

function createWindow(): BrowserWindow {
  const win = new BrowserWindow({
    width: 1280,
    height: 800,
    minWidth: 1024,
    minHeight: 640,
    title: 'gwjs station',
    show: false,
    webPreferences: windowWebPreferences(preloadPath),
  });
  win.once('ready-to-show', () => win.show());
  win.on('closed', () => {
    window = undefined;
  });
  void win.loadURL(APP_START_URL);
  return win;
}

async function shutdown(): Promise<void> {
  pump?.stop();
  try {
    await desktop?.close();
  } catch (e) {
    logger.error({ err: (e as Error).message }, 'shutdown failed');
  }
}

async function startApp(): Promise<void> {
  const userArgs = process.argv.slice(app.isPackaged ? 1 : 2);
  try {
    desktop = await openDesktopStation({
      argv: userArgs,
      io: {
        stdout: (t) => process.stdout.write(t),
        stderr: (t) => process.stderr.write(t),
        env: process.env,
      },
      defaultDataDir: app.getPath('userData'),
      rendererDir,
      logger,
    });
  } catch (e) {
    const message = isDomainError(e) || e instanceof Error ? e.message : String(e);
    process.stderr.write(`gwjs: the station cannot start: ${message}\n`);
    dialog.showErrorBox('gwjs station cannot start', message);
    app.exit(EXIT_STATION_FAILED);
    return;
  }
  const { server, station, ui } = desktop;
  process.stderr.write(
    `gwjs: desktop station on ${station.dataDir}; join server ${server.url} (CUPS URI ${station.cupsUri})\n` +
      (desktop.setupPassword
        ? `gwjs: browsers on ${server.url}/ need an operator: one-time setup password ${desktop.setupPassword}\n`
        : ''),
  );

  protocol.handle(APP_SCHEME, createAppProtocolHandler(createRendererFileIndex(rendererDir)));
  session.defaultSession.setPermissionRequestHandler((_wc, permission, callback, details) =>
    callback(
      allowPermissionRequest(permission, {
        mediaTypes: 'mediaTypes' in details ? details.mediaTypes : undefined,
        requestingUrl: details.requestingUrl,
      }),
    ),
  );
  session.defaultSession.setPermissionCheckHandler((_wc, permission, origin, details) =>
    allowPermissionCheck(permission, origin, { mediaType: details.mediaType }),
  );
  session.defaultSession.setDevicePermissionHandler(() => false);

  registerIpc(ipcMain, { handlers: ui.handlers, caller: desktop.caller, logger });
  Menu.setApplicationMenu(
    Menu.buildFromTemplate([
      { role: 'fileMenu' },
      { role: 'editMenu' },
      { role: 'viewMenu' },
      { role: 'windowMenu' },
    ]),
  );
  window = createWindow();
  pump = startActivityPump(
    (input) => ui.services.gateways.activity(input),
    (items) => window?.webContents.send(IPC_EVENT, { event: 'station:activity', payload: items }),
  );
  process.stdout.write(`${READY_MARKER}\n`);
}

if (!app.requestSingleInstanceLock()) {
  process.stderr.write('gwjs: the desktop station is already running; focusing it\n');
  app.exit(0);
} else {
  app.on('second-instance', () => {
    if (window) {
      if (window.isMinimized()) window.restore();
      window.focus();
    }
  });
  app.on('window-all-closed', () => app.quit());
  app.on('before-quit', (event) => {
    if (quitting) return;
    event.preventDefault();
    quitting = true;
    void shutdown().finally(() => app.exit(0));
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => app.quit());
  void app.whenReady().then(startApp);
}
