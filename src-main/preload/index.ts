/**
 * Electron preload (sandboxed, contextIsolation): exposes `window.station` — `invoke` for
 * allow-listed channels and `on` for live events — and nothing else (DESIGN §2).
 */
import { contextBridge, ipcRenderer } from 'electron';
import { createStationBridge } from './bridge';

contextBridge.exposeInMainWorld('station', createStationBridge(ipcRenderer));
