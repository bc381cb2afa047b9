/**
 * Renderer bootstrap: mounts the app. The app (screens, stores) reaches main only through
 * `./api` (IPC or HTTP bridge, picked there).
 */
import './api/zod-config';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/App';

const container = document.getElementById('root');
if (!container) throw new Error('index.html lacks #root');
createRoot(container).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
