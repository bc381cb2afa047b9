#!/usr/bin/env node
// `npm start`: builds when needed and opens the desktop station in Electron; when Electron cannot
// start (binary missing, no display) it says why and falls back to the headless `gwjs serve` on
// $GWJS_DATA or the platform app-data folder (running `gwjs init` first when that folder holds no
// station yet — see src-main/cli/start.ts for the first-run passphrase). `--headless` skips Electron.
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';

register();
const root = fileURLToPath(new URL('..', import.meta.url));
const { launch } = await import('../src-main/app/launch.ts');
const { start } = await import('../src-main/cli/start.ts');
process.exitCode = await launch(
  root,
  process.argv.slice(2),
  {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    env: process.env,
  },
  start,
);
