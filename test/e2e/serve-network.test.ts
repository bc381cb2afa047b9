/**
 * The URLs a real `gwjs serve` prints and shows follow the effective network settings
 * (docs/running.md "Listen address and public hosts"): flags > saved settings (Settings → Network)
 * > init defaults; a wildcard listen address is never a URL host. Saving the Network card through
 * the real HTTP bridge applies the public hosts and CUPS URI at once (the CUPS URI of new bundles),
 * the listen address at the next start — after which the listener and every printed URL follow it.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { onlyJson, runGwjs } from '../helpers/gwjs-cli';
import { spawnServe, type ServeProcess } from '../helpers/serve-process';
import { makeTempDir } from '../helpers/tmp-dir';
import { freePort } from '../../src-main/cli/free-port';
import { BRK, gwjs, PASSPHRASE } from './harness';

const ENV = { GWJS_HSM_PASSPHRASE: PASSPHRASE };
const ADMIN = { name: 'admin', password: 'admin-password-1' };

let dir: string;
let running: ServeProcess | undefined;

afterEach(async () => {
  await running?.stop();
  running = undefined;
});

beforeAll(() => {
  dir = makeTempDir('e2e-serve-network', { until: 'exit' });
});

/** A station whose init public host is `station.example` and whose saved CUPS URI is another. */
async function initStation(name: string, port: number, savedCupsUri?: string): Promise<string> {
  const data = join(dir, name);
  await gwjs(['init', '--data', data, '--public-host', 'station.example', '--port', String(port)]);
  if (savedCupsUri !== undefined) {
    const file = join(data, 'station.json');
    const settings = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    writeFileSync(file, JSON.stringify({ ...settings, cupsUri: savedCupsUri }), { mode: 0o600 });
  }
  return data;
}

/** A JSON POST to the station's HTTP bridge, as the renderer in a browser makes it. */
function bridgePost(
  base: string,
  ca: string,
  path: string,
  body: unknown,
  cookie?: string,
): Promise<{
  status: number;
  json: { ok: boolean; value?: unknown; error?: { message: string } };
  cookie?: string;
}> {
  const payload = JSON.stringify(body);
  const url = new URL(path, base);
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        ca,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(payload),
          'x-gwjs-bridge': '1',
          origin: url.origin,
          'sec-fetch-site': 'same-origin',
          ...(cookie !== undefined ? { cookie } : {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const set = res.headers['set-cookie']?.[0]?.split(';')[0];
          resolve({
            status: res.statusCode ?? 0,
            json: JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
              ok: boolean;
              value?: unknown;
            },
            ...(set !== undefined ? { cookie: set } : {}),
          });
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/** Whether a TCP connection to host:port is accepted. */
function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host, port }, () => {
      s.destroy();
      resolve(true);
    });
    s.on('error', () => resolve(false));
  });
}

describe('gwjs serve prints the effective URLs', () => {
  it('--host 0.0.0.0 --public-host 127.0.0.1: the UI URL, the CUPS URI and the --json line name 127.0.0.1', async () => {
    const port = await freePort();
    const data = await initStation('wild', port, 'https://saved.example:7443');
    running = await spawnServe({
      dir: data,
      port,
      passphrase: PASSPHRASE,
      args: ['--host', '0.0.0.0', '--public-host', '127.0.0.1'],
    });
    expect(running.listening).toMatchObject({
      event: 'listening',
      url: `https://127.0.0.1:${port}`,
      cupsUri: `https://127.0.0.1:${port}`,
    });
    await expect
      .poll(() => running!.stderr())
      .toContain(`station UI: open https://127.0.0.1:${port}/ in a browser`);
    // listening on every interface: another loopback address reaches it too
    expect(await accepts('127.0.0.2', port)).toBe(true);
    // the read-only CLI still reaches the server (its local door is on the listened address)
    const list = await runGwjs(['batch', 'list', '--data', data, '--json'], ENV);
    expect(list.code, list.stderr).toBe(0);
  }, 90_000);

  it('--host 127.0.0.1 --public-host localhost: the printed URLs use the public host, not the saved CUPS URI', async () => {
    const port = await freePort();
    const data = await initStation('named', port, 'https://saved.example:7443');
    running = await spawnServe({
      dir: data,
      port,
      passphrase: PASSPHRASE,
      args: ['--host', '127.0.0.1', '--public-host', 'localhost'],
    });
    expect(running.url).toBe(`https://localhost:${port}`);
    expect(running.cupsUri).toBe(`https://localhost:${port}`);
    await expect.poll(() => running!.stderr()).toContain(`station UI: open https://localhost:${port}/`);
    expect(await accepts('127.0.0.2', port)).toBe(false);
  }, 90_000);

  it('without flags the saved CUPS URI is printed', async () => {
    const port = await freePort();
    const data = await initStation('saved', port, 'https://saved.example:7443');
    running = await spawnServe({ dir: data, port, passphrase: PASSPHRASE });
    expect(running.url).toBe(`https://127.0.0.1:${port}`);
    expect(running.cupsUri).toBe('https://saved.example:7443');
  }, 90_000);
});

describe('Settings → Network saved through the HTTP bridge', () => {
  it('applies the CUPS URI to new bundles at once and the listen address after a restart', async () => {
    const port = await freePort();
    const data = await initStation('card', port);
    const brk = join(dir, 'brk.bin');
    writeFileSync(brk, BRK);
    await gwjs([
      'batch',
      'import',
      '--data',
      data,
      '--first',
      'B8:27:EB:00:00:00',
      '--last',
      'B8:27:EB:00:00:FF',
      '--root-key-file',
      brk,
    ]);
    running = await spawnServe({ dir: data, port, passphrase: PASSPHRASE });
    expect(running.cupsUri).toBe(`https://station.example:${port}`);
    const ca = readFileSync(String(running.listening.caCert), 'utf8');
    await expect.poll(() => running!.stderr()).toMatch(/setup password: \S+/);
    const setupPassword = /setup password: (\S+)/.exec(running.stderr())?.[1];
    const setup = await bridgePost(running.url, ca, '/bridge/setup', { setupPassword, ...ADMIN });
    expect(setup.json.ok, JSON.stringify(setup.json)).toBe(true);
    const cookie = setup.cookie!;

    const before = await bridgePost(running.url, ca, '/bridge/factory:batches', {}, cookie);
    expect((before.json.value as Array<{ cupsUri: string }>)[0]!.cupsUri).toBe(
      `https://station.example:${port}`,
    );

    const bad = await bridgePost(
      running.url,
      ca,
      '/bridge/network:save',
      { host: '192.0.2.77', publicHosts: ['127.0.0.1'], cupsUri: null },
      cookie,
    );
    expect(bad.status).toBe(400);
    expect(bad.json.error?.message).toMatch(/^host: "192\.0\.2\.77" is not an address of this machine/);

    const saved = await bridgePost(
      running.url,
      ca,
      '/bridge/network:save',
      { host: '0.0.0.0', publicHosts: ['127.0.0.1', 'gw.example'], cupsUri: null },
      cookie,
    );
    expect(saved.json.ok, JSON.stringify(saved.json)).toBe(true);
    expect(saved.json.value).toMatchObject({
      saved: { host: '0.0.0.0', publicHosts: ['127.0.0.1', 'gw.example'] },
      effectiveCupsUri: `https://127.0.0.1:${port}`,
      // the CUPS URI at once, the listen address pending until the next start
      running: { host: '127.0.0.1', cupsUri: `https://127.0.0.1:${port}` },
      restartNeeded: true,
    });
    // a new bundle of a batch without its own CUPS URI carries the new one, no restart
    const after = await bridgePost(running.url, ca, '/bridge/factory:batches', {}, cookie);
    expect((after.json.value as Array<{ cupsUri: string }>)[0]!.cupsUri).toBe(`https://127.0.0.1:${port}`);
    expect(await accepts('127.0.0.2', port)).toBe(false);

    await running.stop();
    running = await spawnServe({ dir: data, port, passphrase: PASSPHRASE });
    // on every interface now; the printed URLs name the first saved public host
    expect(running.listening).toMatchObject({
      url: `https://127.0.0.1:${port}`,
      cupsUri: `https://127.0.0.1:${port}`,
    });
    await expect.poll(() => running!.stderr()).toContain(`station UI: open https://127.0.0.1:${port}/`);
    expect(await accepts('127.0.0.2', port)).toBe(true);
    const login = await bridgePost(running.url, ca, '/bridge/login', ADMIN);
    expect(login.json.ok).toBe(true);
    const view = await bridgePost(running.url, ca, '/bridge/network:get', {}, login.cookie);
    expect(view.json.value).toMatchObject({
      running: { host: '0.0.0.0', cupsUri: `https://127.0.0.1:${port}` },
      restartNeeded: false,
    });
    await running.stop();
    running = undefined;

    // a bundle made offline carries the same CUPS URI
    const out = join(dir, 'bundle');
    const bundle = await runGwjs(
      ['personalize', '--data', data, '--gateway', 'B8:27:EB:00:00:05', '--out', out, '--json'],
      ENV,
    );
    expect(bundle.code, bundle.stderr).toBe(0);
    const made = onlyJson(bundle);
    expect(made).toMatchObject({ cupsUri: `https://127.0.0.1:${port}` });
    expect(readFileSync(join(String(made.bundle), 'cups.uri'), 'utf8').trim()).toBe(
      `https://127.0.0.1:${port}`,
    );
  }, 180_000);
});
