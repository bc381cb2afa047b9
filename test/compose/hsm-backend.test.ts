/**
 * Switching a running station's HSM backend through the bridge's channels (docs/twin-hsm.md
 * "Backends"), on a real station directory and a real SoftHSM2 token: the offered modules and the
 * token list, a wrong PIN changes nothing, the right one switches live and `station.json` keeps
 * the choice but never the PIN, a pulled token shows as removed and the PIN brings it back, a
 * station whose batches the token does not hold refuses to switch, and only admins may do this.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireModule, releaseModule } from '../../src-main/adapters/hsm/pkcs11-module';
import { DESKTOP_CALLER, type BridgeCaller } from '../../src-main/bridge/caller';
import { dispatch } from '../../src-main/bridge/dispatch';
import { main } from '../../src-main/cli/main';
import { openStation, type Station } from '../../src-main/compose/station';
import { createStationUi, type StationUi } from '../../src-main/compose/station-ui';
import { makeToken, SOFTHSM_MODULE, type TestToken } from '../helpers/softhsm';
import { makeTempDir } from '../helpers/tmp-dir';

const PASSPHRASE = 'hsm-backend-passphrase-1';

async function gwjs(args: string[]): Promise<void> {
  let err = '';
  const code = await main([...args, '--json'], {
    stdout: () => undefined,
    stderr: (t) => (err += t),
    env: { ...process.env, GWJS_HSM_PASSPHRASE: PASSPHRASE },
  });
  if (code !== 0) throw new Error(`gwjs ${args.join(' ')}: ${err}`);
}

/** A bridge answer, loosely typed for assertions. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- assertions read the answers' fields
type Answer = { ok: boolean; value?: any; error?: any };

interface Opened {
  station: Station;
  ui: StationUi;
  call(channel: string, request: unknown, caller?: BridgeCaller): Promise<Answer>;
}

async function open(dataDir: string): Promise<Opened> {
  const station = await openStation({ dataDir, passphrase: PASSPHRASE });
  const ui = createStationUi({
    ...station,
    ceremony: station.core.ceremony,
    tls: { fingerprint256: 'AA', caFingerprint256: 'BB' },
  });
  return {
    station,
    ui,
    call: (channel, request, caller = DESKTOP_CALLER) =>
      dispatch(ui.handlers, caller, channel, request) as Promise<Answer>,
  };
}

let token: TestToken;
/** made before the module is loaded: SoftHSM2 sees tokens made later only after a rescan */
let other: TestToken;
let fresh: Opened;
let withBatch: Opened;
let freshDir: string;

beforeAll(async () => {
  token = makeToken('switch');
  other = makeToken('empty');
  freshDir = makeTempDir('hsm-switch');
  await gwjs(['init', '--data', freshDir]);
  const batchDir = makeTempDir('hsm-switch-batch');
  await gwjs(['init', '--data', batchDir]);
  await gwjs([
    'batch',
    'create',
    '--data',
    batchDir,
    '--first',
    '00-00-00-FF-FE-00-00-00',
    '--last',
    '00-00-00-FF-FE-00-00-FF',
  ]);
  fresh = await open(freshDir);
  withBatch = await open(batchDir);
}, 120_000);
afterAll(async () => {
  for (const o of [fresh, withBatch]) {
    await o?.ui.close();
    await o?.station.close();
  }
});

describe('switching the HSM backend from Settings', () => {
  it('offers the SoftHSM2 module and lists its tokens with label and serial', async () => {
    const backend = await fresh.call('hsm:backend', {});
    expect(backend.value.current).toEqual({ backend: 'software' });
    expect(backend.value.modules).toContainEqual({ name: 'SoftHSM2', path: SOFTHSM_MODULE });
    const tokens = await fresh.call('hsm:tokens', { module: SOFTHSM_MODULE });
    const mine = (tokens.value as { label: string; serial: string }[]).find((t) => t.label === token.label);
    expect(mine).toMatchObject({ label: token.label, pinInitialized: true, pinLocked: false });
    expect(mine!.serial).toMatch(/^[0-9a-f]{16}$/);
    const other = await fresh.call('hsm:tokens', { module: '/tmp/evil.so' });
    expect(other.error).toMatchObject({ code: 'invalid_request' });
    expect(other.error.message).toContain('module');
  });

  it('refuses a wrong PIN and changes nothing', async () => {
    const before = readFileSync(join(freshDir, 'station.json'), 'utf8');
    const wrong = await fresh.call('hsm:use', {
      backend: 'pkcs11',
      module: SOFTHSM_MODULE,
      tokenLabel: token.label,
      pin: `${token.pin}x`,
    });
    expect(wrong.error).toMatchObject({ code: 'hsm_pin_incorrect' });
    expect((await fresh.call('hsm:state', {})).value).toMatchObject({ kind: 'software', locked: false });
    expect(readFileSync(join(freshDir, 'station.json'), 'utf8')).toBe(before);
  });

  it('switches live with the right PIN, remembers the token but never the PIN', async () => {
    const used = await fresh.call('hsm:use', {
      backend: 'pkcs11',
      module: SOFTHSM_MODULE,
      tokenLabel: token.label,
      pin: token.pin,
    });
    expect(used.value).toMatchObject({ kind: 'pkcs11', locked: false, keyCount: 0 });
    const saved = readFileSync(join(freshDir, 'station.json'), 'utf8');
    expect(JSON.parse(saved).hsm).toEqual({
      backend: 'pkcs11',
      module: SOFTHSM_MODULE,
      tokenLabel: token.label,
    });
    expect(saved).not.toContain(token.pin);
    // the core now derives on the token: a new batch's root key lives there
    await fresh.station.core.batches.create(fresh.station.cliContext, {
      first: '00-00-00-FF-FE-10-00-00',
      last: '00-00-00-FF-FE-10-00-FF',
    });
    const keys = (await fresh.call('hsm:keys', {})).value as { handle: string; kind: string; kcv: string }[];
    const root = keys.find((k) => k.kind === 'root')!;
    expect(root.handle).toMatch(/^p11-brk-/);
    expect(root.kcv).toBe(await fresh.station.hsm.kcv(root.handle));
    expect((await fresh.call('hsm:backend', {})).value.current).toEqual({
      backend: 'pkcs11',
      module: SOFTHSM_MODULE,
      tokenLabel: token.label,
      tokenSerial: null,
    });
  });

  it('shows a pulled token as removed; the PIN brings it back without a restart', async () => {
    const m = acquireModule(token.module);
    const slot = m.C_GetSlotList(true).find((s) => m.C_GetTokenInfo(s).label.trim() === token.label)!;
    m.C_CloseAllSessions(slot);
    releaseModule(token.module);
    await new Promise((r) => setTimeout(r, 250)); // the session probe runs at most every 200 ms
    expect((await fresh.call('hsm:state', {})).value).toMatchObject({ locked: true, tokenRemoved: true });
    expect((await fresh.call('hsm:keys', {})).error).toMatchObject({ code: 'hsm_token_removed' });
    const again = await fresh.call('hsm:unlock', { passphrase: token.pin });
    expect(again.value).toMatchObject({ kind: 'pkcs11', locked: false, tokenRemoved: false, keyCount: 1 });
  });

  it('refuses a token that lacks the station’s batch keys, and keeps the old backend', async () => {
    const refused = await withBatch.call('hsm:use', {
      backend: 'pkcs11',
      module: SOFTHSM_MODULE,
      tokenLabel: other.label,
      pin: other.pin,
    });
    expect(refused.error).toMatchObject({ code: 'conflict' });
    expect(refused.error.message).toContain('does not hold the root key of 1 batch');
    expect((await withBatch.call('hsm:state', {})).value).toMatchObject({ kind: 'software', locked: false });
    const installer: BridgeCaller = { name: 'ina', role: 'installer', ownerId: null, transport: 'http' };
    expect((await withBatch.call('hsm:keys', {}, installer)).error).toMatchObject({ code: 'forbidden' });
    expect(
      (await withBatch.call('hsm:use', { backend: 'software', passphrase: 'x' }, installer)).error,
    ).toMatchObject({
      code: 'forbidden',
    });
    expect((await withBatch.call('hsm:state', {}, installer)).ok).toBe(true);
  });
});
