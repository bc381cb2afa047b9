/**
 * electron-vite build of the three targets (STACK.md "electron-vite with our folders"):
 * - main    src-main/app/main.ts     → out/main/main.js   (ESM; node_modules stay external)
 * - preload src-main/preload/index.ts → out/preload/index.cjs (CJS, self-contained: sandboxed
 *   preloads can neither load ESM nor require node_modules, so zod is bundled in)
 * - renderer src-renderer/index.html → out/renderer (served by Electron's app:// protocol and by
 *   `gwjs serve` at `/`)
 * `electron-vite build` needs no Electron binary. It runs on every `npm start` whose sources changed,
 * so it logs warnings and errors only (`logLevel: 'warn'`): the user should see the lines that
 * matter, not chunk tables.
 */
import { cpSync } from 'node:fs';
import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import type { Plugin } from 'vite';
import react from '@vitejs/plugin-react';

const root = import.meta.dirname;
/** Build output folder: `out/` (what Electron and `gwjs serve` load); `$GWJS_OUT_DIR` for build tests. */
const out = process.env.GWJS_OUT_DIR ? resolve(process.env.GWJS_OUT_DIR) : resolve(root, 'out');

/**
 * The store finds its migrations next to its module (`new URL('./migrations/', import.meta.url)`);
 * bundled, that module is out/main/main.js, so the .sql files go to out/main/migrations.
 */
function copyMigrations(): Plugin {
  return {
    name: 'gwjs-copy-migrations',
    apply: 'build',
    closeBundle() {
      cpSync(resolve(root, 'src-main/adapters/store/migrations'), resolve(out, 'main/migrations'), {
        recursive: true,
      });
    },
  };
}

/** Only warnings and errors: `npm start` shows the build's output to the user. */
const logLevel = 'warn';

export default defineConfig({
  main: {
    logLevel,
    plugins: [copyMigrations()],
    build: {
      outDir: resolve(out, 'main'),
      lib: { entry: resolve(root, 'src-main/app/main.ts'), formats: ['es'], fileName: () => 'main.js' },
      externalizeDeps: true,
      // The CLI imports its heavy modules lazily (`await import(…)`) so `gwjs id` or `--help` start
      // fast under tsx; in this one bundle the same modules are also imported statically (by the
      // desktop shell), so splitting them out would gain nothing — not a problem worth a warning.
      rolldownOptions: { checks: { ineffectiveDynamicImport: false } },
    },
  },
  preload: {
    logLevel,
    build: {
      outDir: resolve(out, 'preload'),
      lib: {
        entry: resolve(root, 'src-main/preload/index.ts'),
        formats: ['cjs'],
        fileName: () => 'index.cjs',
      },
      externalizeDeps: false,
      rolldownOptions: { output: { entryFileNames: 'index.cjs' } },
    },
  },
  renderer: {
    logLevel,
    root: resolve(root, 'src-renderer'),
    plugins: [react()],
    build: {
      outDir: resolve(out, 'renderer'),
      rolldownOptions: { input: resolve(root, 'src-renderer/index.html') },
      // The renderer must not need inline scripts or eval (strict CSP).
      modulePreload: { polyfill: false },
      assetsInlineLimit: 0,
    },
  },
});
