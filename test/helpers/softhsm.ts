/**
 * Real SoftHSM2 tokens for tests (STACK.md "pkcs11js + SoftHSM2"). One temp `SOFTHSM2_CONF` per
 * test process (the library reads it once, at C_Initialize), set in `process.env` so children
 * spawned with the environment (the gwjs CLI) see the same tokens; every token gets a unique label.
 *
 * There is no skip: when SoftHSM2 is not installed these helpers throw, so PKCS#11 tests FAIL —
 * CI (`.ci/run`) installs softhsm2 and opensc.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { makeTempDir } from './tmp-dir';

/** The SoftHSM2 module on Debian. */
export const SOFTHSM_MODULE = '/usr/lib/softhsm/libsofthsm2.so';

/** A token made for a test. */
export interface TestToken {
  module: string;
  label: string;
  pin: string;
  soPin: string;
  /** the SOFTHSM2_CONF it lives under */
  conf: string;
}

let conf: string | undefined;

/** The process-wide SoftHSM2 configuration (created on first use, exported as SOFTHSM2_CONF). */
export function softhsmConf(): string {
  if (conf !== undefined) return conf;
  if (!existsSync(SOFTHSM_MODULE)) {
    throw new Error(
      `SoftHSM2 is not installed (${SOFTHSM_MODULE} missing): apt-get install softhsm2 opensc — PKCS#11 tests never skip`,
    );
  }
  const dir = makeTempDir('softhsm', { until: 'exit' });
  const tokens = join(dir, 'tokens');
  mkdirSync(tokens);
  conf = join(dir, 'softhsm2.conf');
  writeFileSync(conf, `directories.tokendir = ${tokens}\nobjectstore.backend = file\nlog.level = ERROR\n`);
  process.env.SOFTHSM2_CONF = conf;
  return conf;
}

/** Initializes a fresh token (`softhsm2-util --init-token --free`) and answers its label and PINs. */
export function makeToken(prefix = 'gwjs'): TestToken {
  const c = softhsmConf();
  const label = `${prefix}-${randomBytes(4).toString('hex')}`;
  const pin = `${randomBytes(3).toString('hex')}`;
  const soPin = `${randomBytes(4).toString('hex')}`;
  execFileSync(
    'softhsm2-util',
    ['--init-token', '--free', '--label', label, '--pin', pin, '--so-pin', soPin],
    {
      env: { ...process.env, SOFTHSM2_CONF: c },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  return { module: SOFTHSM_MODULE, label, pin, soPin, conf: c };
}
