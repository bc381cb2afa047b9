/**
 * Disk full, for real (docs/security.md "Disk full"): the station's data directory on a small
 * tmpfs, the real HTTPS server over the real core and sql.js store. Once the tmpfs is full, Owner
 * API writes answer 507 `storage_full` without any path, reads and a CUPS poll that needs no write
 * keep working, `/healthz` says degraded; once space is freed the next write succeeds without a
 * restart, `/healthz` is ok again, and after a reopen every acknowledged write is there.
 * Needs root to mount the tmpfs (CI runs as root).
 */
import { execFileSync } from 'node:child_process';
import { request as httpsRequest } from 'node:https';
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../../src-main/adapters/http/server';
import {
  DEFAULT_MIGRATIONS_DIR,
  loadMigrations,
  openSqljsStore,
  type SqljsStore,
} from '../../../src-main/adapters/store/sqljs-store';
import {
  EXTENT_BYTES,
  JOURNAL_HEADER_BYTES,
  JournalFile,
  frameRecord,
  scanJournal,
} from '../../../src-main/adapters/store/journal';
import { ensureServerTls } from '../../../src-main/adapters/tls/local-ca';
import { createCoreFixture, KDF_VECTORS, type CoreFixture } from '../../helpers/core-fixture';
import { makeTempDir } from '../../helpers/tmp-dir';

const { gw1, gw2 } = KDF_VECTORS;

interface Answer {
  status: number;
  text: string;
  json: unknown;
}

describe('disk full on a real tmpfs', () => {
  let mnt = '';
  let fx: CoreFixture;
  let server: RunningServer;
  let ca = '';
  const filler = () => join(mnt, 'filler');

  const post = (path: string, body: string, headers: Record<string, string>): Promise<Answer> =>
    new Promise((resolve, reject) => {
      const req = httpsRequest(
        {
          host: '127.0.0.1',
          port: server.port,
          method: path === '/healthz' ? 'GET' : 'POST',
          path,
          ca,
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
            ...headers,
          },
        },
        (res) => {
          let text = '';
          res.on('data', (c: Buffer) => (text += c.toString('latin1')));
          res.on('end', () => {
            let json: unknown;
            try {
              json = JSON.parse(text);
            } catch {
              json = undefined;
            }
            resolve({ status: res.statusCode ?? 0, text, json });
          });
        },
      );
      req.on('error', reject);
      req.end(path === '/healthz' ? undefined : body);
    });
  const api = (op: string, key: string, body: unknown) =>
    post(`/api/v1/gateway/${op}`, JSON.stringify(body), { authorization: `Bearer ${key}` });

  /**
   * Pads the journal with one record so that its data ends on a page boundary: the next append
   * then needs a page of its own, which the full tmpfs does not have (without this, a small record
   * may still fit in the page the previous one began, and be accepted — rightly).
   */
  async function padJournalToPage(store: SqljsStore): Promise<void> {
    const page = 4096;
    const end = () => JOURNAL_HEADER_BYTES + store.stats().journalBytes;
    const pad = (n: number) =>
      store.transaction((tx) =>
        tx.run('INSERT OR REPLACE INTO station_settings (key, value) VALUES (?, ?)', [
          'disk-full-test-pad',
          'x'.repeat(n),
        ]),
      );
    const before = end();
    await pad(0);
    const overhead = end() - before;
    let gap = page - (end() % page);
    if (gap < overhead) gap += page;
    await pad(gap - overhead);
    expect(end() % page).toBe(0);
  }

  /** Writes zeros until the file system refuses (ENOSPC). */
  function fillUp(): void {
    const fd = openSync(filler(), 'a');
    const chunk = Buffer.alloc(16 * 1024);
    try {
      for (;;) writeSync(fd, chunk);
    } catch (e) {
      expect((e as NodeJS.ErrnoException).code).toBe('ENOSPC');
    } finally {
      closeSync(fd);
    }
  }

  beforeAll(async () => {
    mnt = makeTempDir('tmpfs-mount', { until: 'exit' });
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=6m', 'tmpfs', mnt]);
    fx = await createCoreFixture({ dir: join(mnt, 'station'), store: 'sqljs' });
    const tls = await ensureServerTls(makeTempDir('disk-full-tls', { until: 'exit' }), { publicHosts: [] });
    ca = tls.caCertPem;
    server = await startServer({
      core: fx.core,
      tls: { certPem: tls.certPem, keyPem: tls.keyPem, caCertPem: tls.caCertPem },
      rateLimits: false,
    });
  });
  afterAll(async () => {
    await server?.close();
    try {
      await fx?.close();
    } catch {
      // the close checkpoint is checked in the test
    }
    if (mnt) execFileSync('umount', ['-l', mnt]);
  });

  it('refuses writes with 507, serves reads and CUPS, says degraded, and recovers without a restart', async () => {
    const first = await api('claim', fx.ownerA.apiKey, { ownerid: 'a::1', gateway: gw1.id6, claim: gw1.pin });
    expect(first.json).toEqual([{ gateway: gw1.id6 }]);
    expect((await post('/healthz', '', {})).json).toEqual({ status: 'ok' });

    await padJournalToPage(fx.store as SqljsStore);
    fillUp();
    const refused = await api('claim', fx.ownerB.apiKey, {
      ownerid: 'b::2',
      gateway: gw2.id6,
      claim: gw2.pin,
    });
    expect(refused.status).toBe(507);
    expect(refused.json).toMatchObject({ code: 'storage_full' });
    expect(refused.text).not.toContain(mnt);
    expect(refused.text).not.toMatch(/journal|\/tmp\//);
    // a second write is refused the same way (no 500 after the first ENOSPC)
    const again = await api('claim', fx.ownerB.apiKey, { ownerid: 'b::2', gateway: gw2.id6, claim: gw2.pin });
    expect(again.status).toBe(507);

    // reads keep working
    const info = await api('info', fx.ownerA.apiKey, { ownerid: 'a::1', gateway: gw1.id6 });
    expect(info.status).toBe(200);
    expect((info.json as { info?: { owner: string } }[])[0]?.info?.owner).toBe('a::1');
    // a CUPS poll that needs no write: the claimed gateway is not set up yet → 404 not configured
    const cups = await post(
      '/update-info',
      JSON.stringify({
        router: gw1.eui,
        cupsUri: 'https://js.example.com:6041',
        tcUri: '',
        cupsCredCrc: 0,
        tcCredCrc: 0,
        station: '2.0.6(rpi/std)',
        model: 'rpi',
        package: '1.0.0',
        keys: [],
      }),
      { authorization: `Bearer ${gw1.token0}` },
    );
    expect(cups.status).toBe(404);
    const health = await post('/healthz', '', {});
    expect(health.status).toBe(503);
    expect(health.json).toMatchObject({
      status: 'degraded',
      store: { state: 'degraded', reason: 'storage_full' },
    });
    expect(health.text).not.toContain(mnt);

    // space comes back: the next write succeeds, no restart
    rmSync(filler());
    const later = await api('claim', fx.ownerB.apiKey, { ownerid: 'b::2', gateway: gw2.id6, claim: gw2.pin });
    expect(later.status).toBe(200);
    expect(later.json).toEqual([{ gateway: gw2.id6 }]);
    expect((await post('/healthz', '', {})).json).toEqual({ status: 'ok' });
    // the refused appends left the journal whole extents of records and zero fill
    const journalPath = join(mnt, 'station', 'db', 'journal.log');
    expect(statSync(journalPath).size % EXTENT_BYTES).toBe(0);
    expect(scanJournal(readFileSync(journalPath)).damage).toBeUndefined();

    // nothing acknowledged is lost: reopen the data directory from disk
    await server.close();
    await fx.close();
    const store = await openSqljsStore({
      dir: join(mnt, 'station', 'db'),
      migrations: loadMigrations(DEFAULT_MIGRATIONS_DIR),
    });
    try {
      const rows = await store.read((tx) =>
        tx.all<{ eui: string; owner_id: string }>('SELECT eui, owner_id FROM gateways ORDER BY eui'),
      );
      expect(rows.map((r) => r.eui)).toEqual([gw1.hex, gw2.hex]);
      expect(rows.every((r) => r.owner_id !== null)).toBe(true);
    } finally {
      await store.close();
    }
  }, 60_000);

  it('a record refused part-way into a sparse extent is zeroed again; the next append lands cleanly', () => {
    const dir = join(mnt, 'journal-only');
    mkdirSync(dir);
    const path = join(dir, 'journal.log');
    const j = JournalFile.create(path);
    try {
      fillUp();
      // the first page (the header's) is allocated, the rest of the extent is a hole: the write
      // fills that page, then the file system refuses the next one
      const big = frameRecord(Buffer.from(JSON.stringify({ g: 0, pad: 'p'.repeat(64 * 1024) })));
      let refused: unknown;
      try {
        j.append(big);
      } catch (e) {
        refused = e;
      }
      expect((refused as NodeJS.ErrnoException | undefined)?.code).toBe('ENOSPC');
      expect(j.failure).toBeUndefined();
      expect(j.size).toBe(0);
      const after = readFileSync(path);
      expect(after.length).toBe(EXTENT_BYTES);
      expect(after.subarray(JOURNAL_HEADER_BYTES).every((b) => b === 0)).toBe(true);

      rmSync(filler());
      const small = frameRecord(Buffer.from(JSON.stringify({ g: 0, s: 'after' })));
      expect(j.append(small)).toBe(JOURNAL_HEADER_BYTES + small.length);
    } finally {
      j.close();
      rmSync(filler(), { force: true });
    }
    const scan = scanJournal(readFileSync(path));
    expect(scan.damage).toBeUndefined();
    expect(scan.records).toHaveLength(1);
  });
});
