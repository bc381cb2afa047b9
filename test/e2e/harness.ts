/**
 * End-to-end harness: a real station on a temp data dir (`gwjs init` and friends run in-process
 * through the CLI's `main`), 100 000 gateways seeded straight into the store, `gwjs serve` as a
 * child process serving a freshly built renderer, and Debian Chromium driven by playwright-core
 * with a fake camera that shows a QR label.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PNG } from 'pngjs';
import QRCode from 'qrcode';
import { chromium, type Browser, type Page } from 'playwright-core';
import { main } from '../../src-main/cli/main';
import { openStation } from '../../src-main/compose/station';
import { crockford32 } from '../../src-shared/pin';

/** The repository root. */
export const ROOT = resolve(import.meta.dirname, '../..');
/** Where every e2e test leaves its screenshot. */
export const SCREENSHOTS = join(ROOT, 'test/artifacts/screenshots');
/** The HSM passphrase of test stations. */
export const PASSPHRASE = 'e2e-passphrase-0123';
/** SPEC §2 vector root key: bytes 00 01 … 1f. */
export const BRK = Uint8Array.from({ length: 32 }, (_, i) => i);

/** Claim PIN of a gateway under {@link BRK} (SPEC §2 KDF v1), computed independently of the server. */
export function pinOf(euiHex16: string): string {
  const gmk = createHmac('sha256', BRK)
    .update(Buffer.concat([Buffer.from('GWJS-GMK-v1'), Buffer.from(euiHex16, 'hex')]))
    .digest();
  const mac = createHmac('sha256', gmk).update('GWJS-PIN-v1').digest();
  return crockford32(new Uint8Array(mac.subarray(0, 5)));
}

/** CUPS token of generation `gen` (SPEC §2), the `Authorization: Bearer` value a gateway sends. */
export function cupsTokenOf(euiHex16: string, gen = 0): string {
  const gmk = createHmac('sha256', BRK)
    .update(Buffer.concat([Buffer.from('GWJS-GMK-v1'), Buffer.from(euiHex16, 'hex')]))
    .digest();
  const g = Buffer.alloc(4);
  g.writeUInt32BE(gen);
  return createHmac('sha256', gmk)
    .update(Buffer.concat([Buffer.from('GWJS-CUPS-v1'), g]))
    .digest('base64url');
}

/**
 * One CUPS session of a gateway (SPEC §3.1): `POST /update-info` over TLS trusting the station CA,
 * with the gateway's token. Returns the HTTP status.
 */
export async function cupsUpdateInfo(
  url: string,
  caPem: string,
  euiHex16: string,
  router: string,
): Promise<number> {
  const { request } = await import('node:https');
  const body = JSON.stringify({
    router,
    cupsUri: null,
    tcUri: null,
    cupsCredCrc: 2077607535,
    tcCredCrc: 2077607535,
    station: '2.0.6(corecell/std) 2022-01-20 12:00:00',
    model: 'corecell',
    package: '1.0.0',
    keys: [],
  });
  const target = new URL('/update-info', url);
  return new Promise((resolveStatus, reject) => {
    const req = request(
      target,
      {
        method: 'POST',
        ca: caPem,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          authorization: `Bearer ${cupsTokenOf(euiHex16)}`,
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolveStatus(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Runs one `gwjs` command in-process; returns its JSON answer. */
export async function gwjs(args: string[]): Promise<Record<string, unknown>> {
  let out = '';
  let err = '';
  const code = await main([...args, '--json'], {
    stdout: (t) => (out += t),
    stderr: (t) => (err += t),
    env: { ...process.env, GWJS_HSM_PASSPHRASE: PASSPHRASE },
  });
  if (code !== 0) throw new Error(`gwjs ${args.join(' ')} exited ${code}: ${err}`);
  return JSON.parse(out) as Record<string, unknown>;
}

/** Builds the renderer with vite into `outDir` (same options as electron.vite.config.ts). */
export async function buildRenderer(outDir: string): Promise<void> {
  const { build } = await import('vite');
  const react = (await import('@vitejs/plugin-react')).default;
  await build({
    root: join(ROOT, 'src-renderer'),
    base: './',
    configFile: false,
    logLevel: 'error',
    plugins: [react()],
    build: {
      outDir,
      emptyOutDir: true,
      modulePreload: { polyfill: false },
      assetsInlineLimit: 0,
      chunkSizeWarningLimit: 2000,
    },
  });
}

/** How many gateways the big owner holds. */
export const BIG_OWNER_ROWS = 100_000;
/** First EUI of the seeded rows (inside the second imported batch). */
export const SEED_BASE = 0x58a0cbfffe000000n;

/**
 * Creates the station: init, two batches under the vector root key, owners `1::1` (Acme, the
 * installer's) and `2::2` (Bulk Corp, 100 000 claimed gateways seeded directly through the store
 * with some CUPS contacts).
 */
export async function createStation(dataDir: string): Promise<void> {
  await gwjs(['init', '--data', dataDir]);
  const brkFile = join(dataDir, 'brk.bin');
  writeFileSync(brkFile, BRK);
  await gwjs([
    'batch',
    'import',
    '--data',
    dataDir,
    '--first',
    '00-00-00-FF-FE-00-00-00',
    '--last',
    '00-00-00-FF-FE-FF-FF-FF',
    '--root-key-file',
    brkFile,
  ]);
  await gwjs([
    'batch',
    'import',
    '--data',
    dataDir,
    '--first',
    '58-A0-CB-FF-FE-00-00-00',
    '--last',
    '58-A0-CB-FF-FE-FF-FF-FF',
    '--root-key-file',
    brkFile,
  ]);
  await gwjs(['owner', 'create', '--data', dataDir, '--id', '1::1', '--name', 'Acme']);
  await gwjs(['owner', 'create', '--data', dataDir, '--id', '2::2', '--name', 'Bulk Corp']);
  const station = await openStation({ dataDir, passphrase: PASSPHRASE });
  try {
    const batch = await station.store.read((tx) =>
      tx.get<{ id: string }>("SELECT id FROM batches WHERE first_eui = '58A0CBFFFE000000'"),
    );
    const now = new Date().toISOString();
    const earlier = new Date(Date.now() - 3_600_000).toISOString();
    const base = Number(SEED_BASE >> 24n); // upper 40 bits, exact in a double
    await station.store.transaction(async (tx) => {
      // One statement each, so the journal record stays small: sqlite's printf builds the 16-hex EUIs.
      await tx.run(
        `WITH RECURSIVE seq(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM seq WHERE i < ?)
         INSERT INTO gateways (eui, origin, batch_id, owner_id, claimed_at, token_generation, token_target, created_at)
         SELECT printf('%010X%06X', ?, i), 'batch', ?, '0002000000000002', ?, 0, 0, ? FROM seq`,
        [BIG_OWNER_ROWS - 1, base, batch!.id, earlier, earlier],
      );
      await tx.run(
        `WITH RECURSIVE seq(i) AS (SELECT 0 UNION ALL SELECT i + 7 FROM seq WHERE i + 7 < ?)
         INSERT INTO cups_contacts (eui, at, address, outcome, station, model, package, cups_uri, tc_uri, cups_cred_crc, tc_cred_crc, keys)
         SELECT printf('%010X%06X', ?, i), ?, '10.1.0.' || (i % 250), CASE WHEN i % 3 = 0 THEN 'not_configured' ELSE 'ok' END,
                '2.0.6(corecell/std) 2022-01-20 12:00:00', 'corecell', '1.0.' || (i % 5), NULL, NULL, 2077607535, 2077607535, '[]'
         FROM seq`,
        [BIG_OWNER_ROWS, base, now],
      );
    });
  } finally {
    await station.close();
  }
}

/** A running `gwjs serve`. */
export interface Server {
  url: string;
  caCert: string;
  setupPassword: string | null;
  stderr: () => string;
  stop(): Promise<void>;
}

/** Starts `gwjs serve --port 0` on `dataDir`, serving the renderer built in `rendererDir`. */
export async function startServer(dataDir: string, rendererDir: string): Promise<Server> {
  const child: ChildProcess = spawn(
    process.execPath,
    [join(ROOT, 'bin/gwjs.mjs'), 'serve', '--data', dataDir, '--port', '0', '--json'],
    {
      cwd: ROOT,
      env: {
        ...process.env,
        GWJS_HSM_PASSPHRASE: PASSPHRASE,
        GWJS_RENDERER_DIR: rendererDir,
        GWJS_LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const listening = await new Promise<{ url: string; caCert: string }>((resolveListening, reject) => {
    const timer = setTimeout(() => reject(new Error(`gwjs serve did not start in 30 s:\n${err}`)), 30_000);
    const check = () => {
      const line = out.split('\n').find((l) => l.includes('"listening"'));
      if (line) {
        clearTimeout(timer);
        resolveListening(JSON.parse(line) as { url: string; caCert: string });
      }
    };
    child.stdout!.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`gwjs serve exited ${code}:\n${err}`));
    });
  });
  // The setup password line follows the listening line on stderr.
  for (let i = 0; i < 50 && !/setup password: (\S+)/.test(err); i++)
    await new Promise((r) => setTimeout(r, 50));
  const setupPassword = /setup password: (\S+)/.exec(err)?.[1] ?? null;
  return {
    ...listening,
    setupPassword,
    stderr: () => err,
    stop: () =>
      new Promise<void>((done) => {
        if (child.exitCode !== null) return done();
        const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
        child.once('exit', () => {
          clearTimeout(kill);
          done();
        });
        child.kill('SIGTERM');
      }),
  };
}

/**
 * Writes a Y4M video (the format Chromium's fake capture device reads) showing the QR code of
 * `text` centred on white, so getUserMedia delivers a camera picture of a label.
 */
export async function writeQrVideo(file: string, text: string, width = 640, height = 480): Promise<void> {
  const png = PNG.sync.read(await QRCode.toBuffer(text, { margin: 4, scale: 8, errorCorrectionLevel: 'M' }));
  const y = new Uint8Array(width * height).fill(235);
  const ox = Math.floor((width - png.width) / 2);
  const oy = Math.floor((height - png.height) / 2);
  for (let r = 0; r < png.height; r++) {
    for (let c = 0; c < png.width; c++) {
      const i = (r * png.width + c) * 4;
      const luma = 0.299 * png.data[i]! + 0.587 * png.data[i + 1]! + 0.114 * png.data[i + 2]!;
      y[(oy + r) * width + ox + c] = Math.round(16 + (luma * 219) / 255);
    }
  }
  const chroma = new Uint8Array((width / 2) * (height / 2) * 2).fill(128);
  const header = Buffer.from(`YUV4MPEG2 W${width} H${height} F10:1 Ip A1:1 C420jpeg\n`);
  const frame = Buffer.concat([Buffer.from('FRAME\n'), y, chroma]);
  writeFileSync(file, Buffer.concat([header, frame, frame]));
}

/** Chromium flags of STACK.md, plus a fake camera showing `videoFile`. */
export function chromiumArgs(videoFile: string): string[] {
  return [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-dev-shm-usage',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--disable-default-apps',
    '--use-fake-ui-for-media-stream',
    '--use-fake-device-for-media-stream',
    `--use-file-for-fake-video-capture=${videoFile}`,
  ];
}

/** Launches Debian Chromium, headless. */
export function launchBrowser(videoFile: string): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: chromiumArgs(videoFile),
  });
}

/**
 * Problems the pages reported: uncaught errors and console errors such as CSP violations. Failed
 * requests the UI handles (401 on a wrong password, 403 on a refused channel) are not problems.
 */
export const pageProblems: string[] = [];

/**
 * A new page on `url`, 1280×800 unless `viewport` says otherwise (a phone: 390×844, touch); the
 * local CA is not in Chromium's store: its errors are ignored.
 */
export async function newPage(
  browser: Browser,
  url: string,
  viewport: { width: number; height: number; touch?: boolean } = { width: 1280, height: 800 },
): Promise<Page> {
  const context = await browser.newContext({
    ignoreHTTPSErrors: true,
    viewport: { width: viewport.width, height: viewport.height },
    hasTouch: viewport.touch ?? false,
    isMobile: viewport.touch ?? false,
    permissions: ['camera'],
  });
  const page = await context.newPage();
  page.on('pageerror', (e) => pageProblems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) pageProblems.push(m.text());
  });
  await page.goto(url);
  return page;
}

/** Saves a screenshot of the page as test/artifacts/screenshots/<name>.png. */
export async function shot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const file = join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path: file });
  return file;
}
