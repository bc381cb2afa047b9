/**
 * `gwjs serve --lan ADDRESS` through the real bin (docs/sync.md "The LAN CUPS door"): the CUPS door
 * (and Owner API) also listens on the chosen address with a server certificate of the station's CA
 * naming the address as IP and DNS SAN; the printed CUPS URI follows the door; an address that is
 * not this machine's exits 2 naming --lan.
 */
import { spawn } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { connect } from 'node:tls';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort } from '../../src-main/cli/free-port';
import { GWJS_BIN, onlyJson, runGwjs } from '../helpers/gwjs-cli';
import { makeTempDir } from '../helpers/tmp-dir';

const PASS = { GWJS_HSM_PASSPHRASE: 'a long enough test passphrase' };

describe('gwjs serve --lan', () => {
  it('opens the CUPS door on the LAN address with its own certificate and prints its URI', async () => {
    const data = path.join(makeTempDir('serve-lan', { until: 'exit' }), 'station');
    const init = await runGwjs(['init', '--data', data, '--json'], PASS);
    expect(init.code, init.stderr).toBe(0);
    const caCert = onlyJson(init).caCert as string;

    const bad = await runGwjs(
      ['serve', '--data', data, '--port', '0', '--lan', '192.0.2.77', '--json'],
      PASS,
    );
    expect(bad.code).toBe(2);
    expect(bad.stdout + bad.stderr).toContain('--lan');

    const lanPort = await freePort();
    const child = spawn(
      process.execPath,
      [
        GWJS_BIN,
        'serve',
        '--data',
        data,
        '--port',
        '0',
        '--lan',
        '127.0.0.1',
        '--lan-port',
        String(lanPort),
        '--json',
      ],
      { env: { ...process.env, GWJS_DATA: '', ...PASS, GWJS_LOG_LEVEL: 'warn' }, stdio: 'pipe' },
    );
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    try {
      const line = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', (d: Buffer) => {
          stdout += d.toString();
          if (stdout.includes('\n')) resolve(stdout.split('\n')[0]!);
        });
        child.on('close', () => reject(new Error(`serve exited: ${stderr}`)));
      });
      const listening = JSON.parse(line) as {
        url: string;
        cupsUri: string;
        lan: { address: string; port: number; cupsUri: string; certFingerprint: string };
      };
      expect(listening.cupsUri).toBe(`https://127.0.0.1:${lanPort}`);
      expect(listening.lan).toMatchObject({
        address: '127.0.0.1',
        port: lanPort,
        cupsUri: listening.cupsUri,
      });
      expect(listening.url).not.toBe(listening.cupsUri);

      // the door's certificate: issued by the station's CA, for the address as IP and DNS SAN
      const ca = readFileSync(caCert, 'utf8');
      const peer = await new Promise<X509Certificate>((resolve, reject) => {
        const s = connect({ host: '127.0.0.1', port: lanPort, ca }, () => {
          const c = new X509Certificate(s.getPeerX509Certificate()!.raw);
          s.destroy();
          resolve(c);
        });
        s.on('error', reject);
      });
      expect(peer.checkIssued(new X509Certificate(ca))).toBe(true);
      expect(peer.subjectAltName).toBe('IP Address:127.0.0.1, DNS:127.0.0.1');
      expect(peer.fingerprint256).toBe(listening.lan.certFingerprint);
      // the Owner API answers there too; the UI does not
      const status = (p: string) =>
        new Promise<number>((resolve, reject) => {
          request(`${listening.cupsUri}${p}`, { ca }, (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          })
            .on('error', reject)
            .end();
        });
      expect(await status('/healthz')).toBe(200);
      expect(await status('/')).toBe(404);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  });
});
