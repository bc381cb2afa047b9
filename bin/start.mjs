#!/usr/bin/env node
// `npm start`: `gwjs serve` on $GWJS_DATA or the platform app-data folder, running `gwjs init` first
// when that folder holds no station yet (see src-main/cli/start.ts for the first-run passphrase).
import { register } from 'tsx/esm/api';

register();
const { start } = await import('../src-main/cli/start.ts');
process.exitCode = await start(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
});
