import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanJournal } from '../../src-main/adapters/store/journal';
import { openDesktopStation } from '../../src-main/app/desktop-station';
import { dispatch } from '../../src-main/bridge/dispatch';
import { freePort } from '../../src-main/cli/free-port';
import { makeTempDir } from '../helpers/tmp-dir';

function get(url: string, ca: string): Promise<{ status: number; csp: string | undefined; body: string }> {
  return new Promise((resolve, reject) => {
    request(url, { ca }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, csp: String(res.headers['content-security-policy']), body }),
      );
    })
      .on('error', reject)
      .end();
  });
}

describe('desktop station (Electron composition root without Electron)', () => {
  it('creates the station on first start, serves, and shuts down cleanly', async () => {
    const dataDir = join(makeTempDir('desktop'), 'station');
    const err: string[] = [];
    const io = { stdout: () => undefined, stderr: (t: string) => void err.push(t), env: {} };
    const rendererDir = join(makeTempDir('desktop-renderer'), 'missing');
    const desktop = await openDesktopStation({ argv: [], io, defaultDataDir: dataDir, rendererDir, port: 0 });
    try {
      expect(desktop.station.dataDir).toBe(dataDir);
      expect(err.join('')).toContain('first start');
      expect(existsSync(join(dataDir, 'station.json'))).toBe(true);
      expect(desktop.setupPassword).toMatch(/^[0-9A-Z-]{29}$/);
      const status = await dispatch(desktop.ui.handlers, desktop.caller, 'station:status', {});
      expect(status).toMatchObject({
        ok: true,
        value: {
          urls: [desktop.server.url],
          hsm: { locked: false },
          tlsFingerprint: desktop.station.tls.fingerprint256,
        },
      });
      const page = await get(`${desktop.server.url}/`, desktop.station.tls.caCertPem);
      expect(page.status).toBe(200);
      expect(page.csp).toContain("default-src 'none'");
      expect(page.body).toContain('npm run build');
    } finally {
      await desktop.close();
    }
    // closed cleanly: the store lock is released, the journal checkpointed into station.db
    const db = join(dataDir, 'db');
    expect(existsSync(join(db, 'store.lock'))).toBe(false);
    expect(statSync(join(db, 'station.db')).size).toBeGreaterThan(0);
    const journal = join(db, 'journal.log');
    expect(existsSync(journal) ? scanJournal(readFileSync(journal)).records.length : 0).toBe(0);
    // and a second start opens the same station without init
    const again = await openDesktopStation({ argv: [], io, defaultDataDir: dataDir, rendererDir, port: 0 });
    expect(again.setupPassword).toMatch(/^[0-9A-Z-]{29}$/);
    await again.close();
  });

  it('reopens the LAN door the switch saved; a saved address gone from the machine is shown, not fatal', async () => {
    const dataDir = join(makeTempDir('desktop-lan'), 'station');
    const io = { stdout: () => undefined, stderr: () => undefined, env: {} };
    const rendererDir = makeTempDir('desktop-renderer');
    const first = await openDesktopStation({ argv: ['--data', dataDir], io, rendererDir, port: 0 });
    const lanPort = await freePort();
    try {
      const open = await dispatch(first.ui.handlers, first.caller, 'station:setLanDoor', {
        address: '127.0.0.1',
        port: lanPort,
      });
      expect(open).toMatchObject({ ok: true, value: { active: { port: lanPort }, openedBy: 'switch' } });
    } finally {
      await first.close();
    }
    const second = await openDesktopStation({ argv: ['--data', dataDir], io, rendererDir, port: 0 });
    try {
      const view = await dispatch(second.ui.handlers, second.caller, 'station:lanDoor', {});
      expect(view).toMatchObject({
        ok: true,
        value: { active: { address: '127.0.0.1', port: lanPort }, openedBy: 'saved', startError: null },
      });
    } finally {
      await second.close();
    }
    const file = join(dataDir, 'station.json');
    const settings = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    writeFileSync(
      file,
      JSON.stringify({ ...settings, lanDoor: { address: '192.0.2.9', port: lanPort, open: true } }),
    );
    const third = await openDesktopStation({ argv: ['--data', dataDir], io, rendererDir, port: 0 });
    try {
      const view = await dispatch(third.ui.handlers, third.caller, 'station:lanDoor', {});
      expect(view).toMatchObject({ ok: true, value: { active: null } });
      expect((view as { value: { startError: string } }).value.startError).toContain(
        'the saved LAN door 192.0.2.9:',
      );
    } finally {
      await third.close();
    }
  });

  it('refuses to open a data directory another process serves', async () => {
    const dataDir = join(makeTempDir('desktop-busy'), 'station');
    const io = { stdout: () => undefined, stderr: () => undefined, env: {} };
    const rendererDir = makeTempDir('desktop-renderer');
    const first = await openDesktopStation({ argv: ['--data', dataDir], io, rendererDir, port: 0 });
    try {
      await expect(
        openDesktopStation({ argv: ['--data', dataDir], io, rendererDir, port: 0 }),
      ).rejects.toMatchObject({
        code: 'store_busy',
      });
    } finally {
      await first.close();
    }
  });
});
