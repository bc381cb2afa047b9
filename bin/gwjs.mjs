#!/usr/bin/env node
// `gwjs` (SPEC §7): runs the TypeScript CLI through tsx's ESM loader, so `npx gwjs …` works right
// after `npm install` without a build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src-main/cli/main.ts');
const code = await main(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
});
process.exitCode = code;
