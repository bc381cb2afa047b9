import { describe, expect, it } from 'vitest';
import {
  APP_START_URL,
  allowPermissionCheck,
  allowPermissionRequest,
  guardContents,
  isAppUrl,
  windowWebPreferences,
} from '../../src-main/app/security';

describe('window security', () => {
  it('isolates and sandboxes the window, with no Node anywhere', () => {
    expect(windowWebPreferences('/p/index.cjs')).toMatchObject({
      preload: '/p/index.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    });
  });

  it('knows its own origin and nothing else', () => {
    expect(isAppUrl(APP_START_URL)).toBe(true);
    expect(isAppUrl('app://station/assets/x.js')).toBe(true);
    for (const url of [
      'app://evil/',
      'https://station/',
      'file:///etc/passwd',
      'javascript:alert(1)',
      '',
      undefined,
    ]) {
      expect(isAppUrl(url)).toBe(false);
    }
  });

  it('grants only the camera, only to the app page', () => {
    const page = { requestingUrl: 'app://station/' };
    expect(allowPermissionRequest('media', { ...page, mediaTypes: ['video'] })).toBe(true);
    expect(allowPermissionRequest('media', { ...page, mediaTypes: ['audio'] })).toBe(false);
    expect(allowPermissionRequest('media', { ...page, mediaTypes: ['video', 'audio'] })).toBe(false);
    expect(allowPermissionRequest('media', { ...page, mediaTypes: [] })).toBe(false);
    expect(
      allowPermissionRequest('media', { requestingUrl: 'https://evil.example/', mediaTypes: ['video'] }),
    ).toBe(false);
    for (const p of [
      'geolocation',
      'notifications',
      'clipboard-read',
      'hid',
      'serial',
      'usb',
      'openExternal',
    ]) {
      expect(allowPermissionRequest(p, { ...page, mediaTypes: ['video'] })).toBe(false);
    }
    expect(allowPermissionCheck('media', 'app://station', { mediaType: 'video' })).toBe(true);
    expect(allowPermissionCheck('media', 'app://station', { mediaType: 'audio' })).toBe(false);
    expect(allowPermissionCheck('media', 'https://evil.example', { mediaType: 'video' })).toBe(false);
  });

  it('blocks navigation, redirects, webviews and new windows', () => {
    const listeners = new Map<string, (e: { preventDefault(): void }) => void>();
    let openHandler: ((d: { url: string }) => { action: 'deny' }) | undefined;
    guardContents({
      on: (event, l) => listeners.set(event, l),
      setWindowOpenHandler: (h) => (openHandler = h),
    });
    for (const event of ['will-navigate', 'will-redirect', 'will-attach-webview']) {
      let prevented = false;
      listeners.get(event)!({ preventDefault: () => (prevented = true) });
      expect(prevented).toBe(true);
    }
    expect(openHandler!({ url: 'https://example.com' })).toEqual({ action: 'deny' });
  });
});
