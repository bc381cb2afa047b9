import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import type { LookupFunction } from 'node:net';
import { mkdtemp, readFile, rm, stat, unlink, writeFile } from 'node:fs/promises';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ensureServerTls,
  issueCertificate,
  loadOperatorTls,
  loadOrCreateCa,
} from '../../../src-main/adapters/tls/local-ca';
import {
  assertKeyMatchesCertificate,
  parseCertificateInput,
  parsePrivateKeyInput,
} from '../../../src-main/core/credentials';
import { DomainError } from '../../../src-shared/errors';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'gwjs-tls-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const tls = (name: string): string => path.join(dir, 'tls', name);
const sansOf = (pem: string): string[] => (new X509Certificate(pem).subjectAltName ?? '').split(', ');

/** Resolves every name to 127.0.0.1, so `https://localhost:PORT` reaches the IPv4 listener. */
const toLoopback: LookupFunction = (_host, options, callback) => {
  if (options.all) callback(null, [{ address: '127.0.0.1', family: 4 }]);
  else callback(null, '127.0.0.1', 4);
};

async function withServer<T>(certPem: string, keyPem: string, fn: (port: number) => Promise<T>): Promise<T> {
  const server = https.createServer({ cert: certPem, key: keyPem }, (_req, res) => res.end('hello over tls'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    return await fn((server.address() as AddressInfo).port);
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

function get(url: string, options: https.RequestOptions): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = https.get(url, { ...options, agent: false, lookup: toLoopback }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve(body));
    });
    req.on('error', reject);
  });
}

function opensslVerify(...args: string[]): string {
  return execFileSync('openssl', ['verify', ...args], {
    cwd: path.join(dir, 'tls'),
    stdio: 'pipe',
  }).toString();
}

describe('ensureServerTls', () => {
  it('creates a CA and a server certificate on first run, with private keys mode 0600', async () => {
    const r = await ensureServerTls(dir, { publicHosts: ['js.example.com'] });
    expect(r).toMatchObject({ created: true, caCreated: true, caCertPath: tls('ca.pem') });
    expect(await readFile(tls('ca.pem'), 'utf8')).toBe(r.caCertPem);
    expect(await readFile(tls('server.pem'), 'utf8')).toBe(r.certPem);
    expect(await readFile(tls('server.key'), 'utf8')).toBe(r.keyPem);
    expect((await stat(tls('ca.key'))).mode & 0o777).toBe(0o600);
    expect((await stat(tls('server.key'))).mode & 0o777).toBe(0o600);
    const ca = new X509Certificate(r.caCertPem);
    expect(ca.ca).toBe(true);
    expect(ca.subject).toMatch(/^CN=gwjs-station local CA [0-9a-f]{8}$/);
    expect(ca.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    const years = (Date.parse(ca.validTo) - Date.now()) / (365.25 * 86_400_000);
    expect(years).toBeGreaterThan(9.9);
    const server = new X509Certificate(r.certPem);
    expect(server.fingerprint256).toBe(r.fingerprint256);
    expect(ca.fingerprint256).toBe(r.caFingerprint256);
    expect(server.checkIssued(ca)).toBe(true);
    const days = (Date.parse(server.validTo) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(700);
    expect(days).toBeLessThan(740);
  });

  it('covers every public host plus localhost and 127.0.0.1, each IP also as a DNS SAN', async () => {
    const r = await ensureServerTls(dir, { publicHosts: ['JS.Example.com', '192.0.2.10'] });
    expect(sansOf(r.certPem).sort()).toEqual(
      [
        'DNS:js.example.com',
        'DNS:192.0.2.10',
        'IP Address:192.0.2.10',
        'DNS:localhost',
        'DNS:127.0.0.1',
        'IP Address:127.0.0.1',
      ].sort(),
    );
  });

  it('serves HTTPS that a client trusting only ca.pem accepts at 127.0.0.1 and localhost', async () => {
    const r = await ensureServerTls(dir, { publicHosts: [] });
    const ca = await readFile(r.caCertPath, 'utf8');
    await withServer(r.certPem, r.keyPem, async (port) => {
      expect(await get(`https://127.0.0.1:${port}/`, { ca })).toBe('hello over tls');
      expect(await get(`https://localhost:${port}/`, { ca })).toBe('hello over tls');
      // without the CA the chain is untrusted; with another CA too
      await expect(get(`https://127.0.0.1:${port}/`, {})).rejects.toThrow(
        /self.signed|unable to verify|local issuer/i,
      );
      const other = await ensureServerTls(path.join(dir, 'other'), { publicHosts: [] });
      await expect(get(`https://127.0.0.1:${port}/`, { ca: other.caCertPem })).rejects.toThrow();
      // and a name it does not cover is refused
      await expect(get(`https://elsewhere.example:${port}/`, { ca })).rejects.toThrow(/altnames|Hostname/i);
    });
  });

  it('passes openssl verify against ca.pem as an SSL server certificate', async () => {
    await ensureServerTls(dir, { publicHosts: ['js.example.com'] });
    expect(opensslVerify('-CAfile', 'ca.pem', 'server.pem')).toBe('server.pem: OK\n');
    expect(
      opensslVerify(
        '-CAfile',
        'ca.pem',
        '-purpose',
        'sslserver',
        '-verify_hostname',
        'js.example.com',
        'server.pem',
      ),
    ).toBe('server.pem: OK\n');
    expect(
      opensslVerify('-CAfile', 'ca.pem', '-purpose', 'sslserver', '-verify_ip', '127.0.0.1', 'server.pem'),
    ).toBe('server.pem: OK\n');
  });

  it('reuses existing files when they cover every requested host', async () => {
    const first = await ensureServerTls(dir, { publicHosts: ['js.example.com', '10.0.0.5'] });
    const second = await ensureServerTls(dir, { publicHosts: ['10.0.0.5'] });
    expect(second.created).toBe(false);
    expect(second.caCreated).toBe(false);
    expect(second.fingerprint256).toBe(first.fingerprint256);
    expect(second.keyPem).toBe(first.keyPem);
  });

  it('re-issues the server certificate under the same CA when a host is not covered', async () => {
    const first = await ensureServerTls(dir, { publicHosts: ['js.example.com'] });
    const second = await ensureServerTls(dir, { publicHosts: ['js.example.com', 'lns.example.org'] });
    expect(second.created).toBe(true);
    expect(second.caCreated).toBe(false);
    expect(second.caFingerprint256).toBe(first.caFingerprint256);
    expect(second.fingerprint256).not.toBe(first.fingerprint256);
    expect(sansOf(second.certPem)).toContain('DNS:lns.example.org');
    expect(opensslVerify('-CAfile', 'ca.pem', 'server.pem')).toBe('server.pem: OK\n');
  });

  it('re-issues when the server key no longer matches its certificate', async () => {
    const first = await ensureServerTls(dir, { publicHosts: [] });
    const other = await ensureServerTls(path.join(dir, 'other'), { publicHosts: [] });
    await writeFile(tls('server.key'), other.keyPem);
    const again = await ensureServerTls(dir, { publicHosts: [] });
    expect(again.created).toBe(true);
    expect(again.caFingerprint256).toBe(first.caFingerprint256);
    expect(
      new X509Certificate(again.certPem).checkPrivateKey(
        (await import('node:crypto')).createPrivateKey(again.keyPem),
      ),
    ).toBe(true);
  });

  it('refuses to replace a CA whose key is missing or damaged', async () => {
    await ensureServerTls(dir, { publicHosts: [] });
    await writeFile(tls('ca.key'), 'garbage');
    await expect(ensureServerTls(dir, { publicHosts: [] })).rejects.toMatchObject({
      code: 'internal',
      message: expect.stringMatching(/do not belong together/),
    });
    await unlink(tls('ca.key'));
    await expect(ensureServerTls(dir, { publicHosts: [] })).rejects.toMatchObject({
      code: 'internal',
      message: expect.stringMatching(/ca\.key missing/),
    });
  });

  it('rejects a host that is not a host name or IP address', async () => {
    for (const bad of ['https://js.example.com', 'js.example.com:443', 'a b', '']) {
      const e = await ensureServerTls(dir, { publicHosts: [bad] }).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(DomainError);
      expect((e as DomainError).code).toBe('invalid_request');
    }
  });

  it('accepts an IPv6 host, as IP and DNS SAN, and reuses the certificate for it', async () => {
    const r = await ensureServerTls(dir, { publicHosts: ['[::1]'] });
    expect(sansOf(r.certPem)).toEqual(expect.arrayContaining(['DNS:::1', 'IP Address:0:0:0:0:0:0:0:1']));
    expect((await ensureServerTls(dir, { publicHosts: ['::1'] })).created).toBe(false);
  });
});

describe('issueCertificate', () => {
  it('issues a client certificate (clientAuth) whose key converts to the station form and matches', async () => {
    const { ca } = await loadOrCreateCa(dir);
    const issued = await issueCertificate(ca, {
      commonName: '58A0:CBFF:FE80:102',
      sans: [],
      usage: 'client',
      days: 365,
    });
    await writeFile(path.join(dir, 'tls', 'client.pem'), issued.certPem);
    expect(opensslVerify('-CAfile', 'ca.pem', '-purpose', 'sslclient', 'client.pem')).toBe(
      'client.pem: OK\n',
    );
    expect(() => opensslVerify('-CAfile', 'ca.pem', '-purpose', 'sslserver', 'client.pem')).toThrow();
    const cert = new X509Certificate(issued.certPem);
    expect(cert.subject).toBe('CN=58A0:CBFF:FE80:102');
    expect(cert.subjectAltName).toBeUndefined();
    const certDer = parseCertificateInput(issued.certPem, 'cupsCrt');
    expect(Buffer.from(certDer)).toEqual(Buffer.from(issued.certDer));
    const key = parsePrivateKeyInput(issued.keyPem, 'cupsKey');
    expect(key.der.subarray(0, 2)).toEqual(Uint8Array.of(0x30, 0x77));
    expect(() => assertKeyMatchesCertificate(certDer, key.der, 'cupsKey')).not.toThrow();
  });

  it('keeps the validity inside the CA and rejects bad parameters', async () => {
    const { ca } = await loadOrCreateCa(dir);
    await expect(
      issueCertificate(ca, { commonName: '', sans: [], usage: 'server', days: 1 }),
    ).rejects.toMatchObject({
      code: 'invalid_request',
    });
    await expect(
      issueCertificate(ca, { commonName: 'x', sans: [], usage: 'server', days: 0 }),
    ).rejects.toMatchObject({
      code: 'invalid_request',
    });
    const long = await issueCertificate(ca, {
      commonName: 'x',
      sans: ['x.example'],
      usage: 'server',
      days: 3650,
    });
    expect(long.notAfter.getTime()).toBeLessThanOrEqual(ca.cert.notAfter.getTime());
  });
});

describe('loadOperatorTls', () => {
  it('loads a matching certificate and key pair made by openssl', async () => {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-subj',
        '/CN=js.example.com',
        '-addext',
        'subjectAltName=DNS:js.example.com',
        '-days',
        '30',
        '-keyout',
        'op.key',
        '-out',
        'op.pem',
      ],
      { cwd: dir, stdio: 'pipe' },
    );
    const r = await loadOperatorTls(path.join(dir, 'op.pem'), path.join(dir, 'op.key'));
    expect(r.subjectAltNames).toEqual(['DNS:js.example.com']);
    expect(r.fingerprint256).toBe(new X509Certificate(r.certPem).fingerprint256);
    await withServer(r.certPem, r.keyPem, async (port) => {
      expect(await get(`https://js.example.com:${port}/`, { ca: r.certPem })).toBe('hello over tls');
    });
  });

  it('rejects a key of another certificate, an encrypted key and missing files', async () => {
    const a = await ensureServerTls(path.join(dir, 'a'), { publicHosts: [] });
    const b = await ensureServerTls(path.join(dir, 'b'), { publicHosts: [] });
    await writeFile(path.join(dir, 'cert.pem'), a.certPem);
    await writeFile(path.join(dir, 'wrong.key'), b.keyPem);
    await expect(
      loadOperatorTls(path.join(dir, 'cert.pem'), path.join(dir, 'wrong.key')),
    ).rejects.toMatchObject({
      code: 'invalid_credential',
      message: expect.stringMatching(/^--tls-key: .* does not match the certificate/),
    });
    execFileSync(
      'openssl',
      ['pkcs8', '-topk8', '-v2', 'aes-256-cbc', '-passout', 'pass:x', '-out', 'enc.key'],
      {
        cwd: dir,
        input: a.keyPem,
        stdio: ['pipe', 'pipe', 'pipe'],
      },
    );
    await expect(
      loadOperatorTls(path.join(dir, 'cert.pem'), path.join(dir, 'enc.key')),
    ).rejects.toMatchObject({
      code: 'invalid_credential',
      message: expect.stringMatching(/encrypted/),
    });
    await expect(
      loadOperatorTls(path.join(dir, 'nope.pem'), path.join(dir, 'wrong.key')),
    ).rejects.toMatchObject({
      code: 'invalid_credential',
      message: expect.stringMatching(/^--tls-cert: cannot read .*ENOENT/),
    });
  });
});
