/**
 * The Electron window's security decisions as plain functions (DESIGN §2), so they are tested
 * without Electron: the app's own origin, the web preferences, which permission requests pass
 * (only the camera, for QR scanning, and only for the app's own page), and the navigation guards.
 */

/** Scheme, host and start URL of the renderer inside Electron (served from out/renderer). */
export const APP_SCHEME = 'app';
export const APP_HOST = 'station';
export const APP_START_URL = `${APP_SCHEME}://${APP_HOST}/`;

/** True for a URL of the app's own page (`app://station/…`). */
export function isAppUrl(url: string | undefined | null): boolean {
  if (!url) return false;
  try {
    const u = new URL(url);
    return u.protocol === `${APP_SCHEME}:` && u.host === APP_HOST;
  } catch {
    return false;
  }
}

/** Web preferences of the main window: isolated, sandboxed, no Node in any page or worker. */
export function windowWebPreferences(preloadPath: string) {
  return {
    preload: preloadPath,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    experimentalFeatures: false,
    navigateOnDragDrop: false,
    safeDialogs: true,
    spellcheck: false,
  } as const;
}

/**
 * `session.setPermissionRequestHandler`: grants only `media` requests for video alone (the QR
 * scanner's camera) from the app's page; everything else (microphone, notifications, geolocation,
 * clipboard, HID/serial/USB, …) is denied.
 */
export function allowPermissionRequest(
  permission: string,
  details: { mediaTypes?: readonly string[] | undefined; requestingUrl?: string | undefined },
): boolean {
  if (permission !== 'media' || !isAppUrl(details.requestingUrl)) return false;
  const types = details.mediaTypes ?? [];
  return types.length > 0 && types.every((t) => t === 'video');
}

/** `session.setPermissionCheckHandler`: the synchronous twin — camera checks from the app only. */
export function allowPermissionCheck(
  permission: string,
  requestingOrigin: string,
  details: { mediaType?: string | undefined },
): boolean {
  return permission === 'media' && isAppUrl(requestingOrigin) && details.mediaType === 'video';
}

/** The parts of Electron's WebContents the guards use. */
interface GuardableContents {
  on(
    event: 'will-navigate' | 'will-redirect' | 'will-attach-webview',
    listener: (e: { preventDefault(): void }) => void,
  ): unknown;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void;
}

/**
 * Blocks every navigation away from the loaded page, every redirect, `<webview>` and
 * `window.open` (links to the outside are not followed inside the app).
 */
export function guardContents(contents: GuardableContents): void {
  const block = (e: { preventDefault(): void }) => e.preventDefault();
  contents.on('will-navigate', block);
  contents.on('will-redirect', block);
  contents.on('will-attach-webview', block);
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
}
