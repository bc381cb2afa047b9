/**
 * TLS on first run: a local certificate authority and the HTTPS server certificate it signs, kept
 * in `<data>/tls/` (`ca.pem`, `ca.key`, `server.pem`, `server.key`; keys mode 0600, PKCS#8 PEM).
 * Token-mode CUPS needs HTTPS whose chain the gateway trusts (SPEC §3.1); `ca.pem` is what the
 * factory bundle writes into `cups.trust` (SPEC §5). Runs in Node only.
 *
 * Certificates use EC P-256 / ECDSA-SHA256, which every Basics Station build (mbedTLS) verifies.
 * mbedTLS in the station does not match IP SANs, so an IP host is put in as both an IP and a DNS
 * SAN (STACK.md).
 *
 * Longer than ~400 lines on purpose: the CA, the server and LAN certificates and the operator's own
 * certificate share one set of file, key-form and validity rules.
 */
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import {
  X509Certificate as NodeX509Certificate,
  createPrivateKey,
  randomBytes,
  type KeyObject,
} from 'node:crypto';
import { isIP } from 'node:net';
import { mkdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { DomainError } from '../../../src-shared/errors';
import { writeFileAtomic } from '../atomic-file';

x509.cryptoProvider.set(globalThis.crypto);

const EC_ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGNING_ALGORITHM = { name: 'ECDSA', hash: 'SHA-256' } as const;
const DAY_MS = 86_400_000;

/** Validity of a new local CA. */
const CA_VALIDITY_DAYS = 3650;
/** Validity of a new server certificate (≈ 2 years). */
const SERVER_VALIDITY_DAYS = 730;
/** A server certificate expiring within this many days is re-issued. */
const RENEW_BEFORE_DAYS = 30;
/** Hosts every server certificate covers besides the configured public hosts. */
const DEFAULT_SERVER_HOSTS: readonly string[] = ['localhost', '127.0.0.1'];

/** A loaded local CA: its certificate and signing key (a non-extractable WebCrypto key). */
export interface LocalCa {
  certPem: string;
  certPath: string;
  cert: x509.X509Certificate;
  signingKey: CryptoKey;
}

/** A certificate issued by {@link issueCertificate}, with its fresh EC P-256 key. */
interface IssuedCertificate {
  certPem: string;
  certDer: Uint8Array;
  /** PKCS#8 PEM (convert with `parsePrivateKeyInput` for a station blob: SEC1) */
  keyPem: string;
  /** SHA-256 fingerprint, `AA:BB:…` as Node prints it */
  fingerprint256: string;
  notAfter: Date;
}

/** Result of {@link ensureServerTls}. */
export interface ServerTls {
  /** the local CA, loaded once: it also issues gateway client certificates (SPEC §3.1) */
  ca: LocalCa;
  caCertPem: string;
  caCertPath: string;
  certPem: string;
  keyPem: string;
  /** SHA-256 fingerprint of the server certificate */
  fingerprint256: string;
  /** SHA-256 fingerprint of the CA certificate (what an operator compares with `cups.trust`) */
  caFingerprint256: string;
  /** true when the server certificate was issued by this call */
  created: boolean;
  /** true when the CA was created by this call */
  caCreated: boolean;
}

/** Result of {@link loadOperatorTls}. */
interface OperatorTls {
  /** the certificate file as given (leaf first, then any intermediates) */
  certPem: string;
  keyPem: string;
  fingerprint256: string;
  /** SANs of the leaf as Node prints them, e.g. `DNS:js.example.com` */
  subjectAltNames: string[];
  notAfter: Date;
}

/**
 * Makes sure `dir/tls/` holds a local CA and a server certificate covering `publicHosts` plus
 * `localhost` and `127.0.0.1`. Existing files are reused when they still cover every host and are
 * not about to expire; otherwise the server certificate is re-issued under the same CA. An
 * unusable existing CA is an error (replacing it silently would break every gateway trusting it).
 * @throws DomainError('invalid_request') for a malformed host; ('internal') for damaged CA files.
 */
export async function ensureServerTls(dir: string, options: { publicHosts: string[] }): Promise<ServerTls> {
  const hosts = normalizeHosts([...options.publicHosts, ...DEFAULT_SERVER_HOSTS]);
  const tlsDir = path.join(dir, 'tls');
  const { ca, created: caCreated } = await loadOrCreateCa(dir);
  const caNode = new NodeX509Certificate(ca.certPem);
  const certPath = path.join(tlsDir, 'server.pem');
  const keyPath = path.join(tlsDir, 'server.key');

  const existing = await readExistingServer(certPath, keyPath);
  if (existing !== undefined && serverIsUsable(existing.cert, existing.key, caNode, hosts)) {
    return {
      ca,
      caCertPem: ca.certPem,
      caCertPath: ca.certPath,
      certPem: existing.certPem,
      keyPem: existing.keyPem,
      fingerprint256: existing.cert.fingerprint256,
      caFingerprint256: caNode.fingerprint256,
      created: false,
      caCreated,
    };
  }
  const issued = await issueCertificate(ca, {
    commonName: hosts[0]!,
    sans: hosts,
    usage: 'server',
    days: SERVER_VALIDITY_DAYS,
  });
  // key first: a crash between the two writes leaves a mismatch that the next start re-issues
  await writeFileAtomic(keyPath, issued.keyPem, 0o600);
  await writeFileAtomic(certPath, issued.certPem, 0o644);
  return {
    ca,
    caCertPem: ca.certPem,
    caCertPath: ca.certPath,
    certPem: issued.certPem,
    keyPem: issued.keyPem,
    fingerprint256: issued.fingerprint256,
    caFingerprint256: caNode.fingerprint256,
    created: true,
    caCreated,
  };
}

/**
 * The server certificate of the LAN CUPS door (docs/sync.md "The LAN CUPS door"): issued by the
 * station's CA for exactly one LAN address, as IP SAN **and** DNS SAN (mbedTLS in the Basics
 * Station matches DNS names only, STACK "Basics Station wire details"), kept in
 * `dir/tls/lan-<address>.pem` + `.key` and re-issued when it no longer covers the address or is
 * about to expire.
 * @throws DomainError('invalid_request') when `address` is not an IP address.
 */
export async function ensureLanTls(
  dir: string,
  address: string,
): Promise<{ certPem: string; keyPem: string; fingerprint256: string; caCertPem: string; created: boolean }> {
  const [host] = normalizeHosts([address]);
  if (host === undefined || isIP(host) === 0) {
    throw new DomainError('invalid_request', `lan: ${JSON.stringify(address)} is not an IP address`, {
      field: 'address',
    });
  }
  const { ca } = await loadOrCreateCa(dir);
  const caNode = new NodeX509Certificate(ca.certPem);
  const base = path.join(dir, 'tls', `lan-${host.replace(/[^0-9a-f.]/g, '_')}`);
  const existing = await readExistingServer(`${base}.pem`, `${base}.key`);
  if (existing !== undefined && serverIsUsable(existing.cert, existing.key, caNode, [host])) {
    return {
      certPem: existing.certPem,
      keyPem: existing.keyPem,
      fingerprint256: existing.cert.fingerprint256,
      caCertPem: ca.certPem,
      created: false,
    };
  }
  const issued = await issueCertificate(ca, {
    commonName: host,
    sans: [host],
    usage: 'server',
    days: SERVER_VALIDITY_DAYS,
  });
  await writeFileAtomic(`${base}.key`, issued.keyPem, 0o600);
  await writeFileAtomic(`${base}.pem`, issued.certPem, 0o644);
  return {
    certPem: issued.certPem,
    keyPem: issued.keyPem,
    fingerprint256: issued.fingerprint256,
    caCertPem: ca.certPem,
    created: true,
  };
}

/**
 * Loads the local CA from `dir/tls/ca.pem` + `ca.key`, creating it (EC P-256, 10 years,
 * CN "gwjs-station local CA <random>") when neither file exists.
 * @throws DomainError('internal') when only one file exists, they do not match, or the CA expired.
 */
export async function loadOrCreateCa(dir: string): Promise<{ ca: LocalCa; created: boolean }> {
  const tlsDir = path.join(dir, 'tls');
  await mkdir(tlsDir, { recursive: true, mode: 0o700 });
  const certPath = path.join(tlsDir, 'ca.pem');
  const keyPath = path.join(tlsDir, 'ca.key');
  const [hasCert, hasKey] = await Promise.all([exists(certPath), exists(keyPath)]);
  if (hasCert && hasKey) return { ca: await loadCa(certPath, keyPath), created: false };
  if (hasCert || hasKey) {
    throw new DomainError(
      'internal',
      `local CA in ${JSON.stringify(tlsDir)} is incomplete (${hasCert ? 'ca.key' : 'ca.pem'} missing); ` +
        'restore it, or remove ca.pem and ca.key to create a new CA (gateways trusting the old one must be re-provisioned)',
    );
  }
  const keys = await crypto.subtle.generateKey(EC_ALGORITHM, true, ['sign', 'verify']);
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(),
    name: [{ CN: [`gwjs-station local CA ${randomBytes(4).toString('hex')}`] }],
    notBefore: new Date(now - DAY_MS),
    notAfter: new Date(now + CA_VALIDITY_DAYS * DAY_MS),
    keys,
    signingAlgorithm: SIGNING_ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  const keyPem = x509.PemConverter.encode(
    await crypto.subtle.exportKey('pkcs8', keys.privateKey),
    'PRIVATE KEY',
  );
  const certPem = cert.toString('pem') + '\n';
  await writeFileAtomic(keyPath, keyPem, 0o600);
  await writeFileAtomic(certPath, certPem, 0o644);
  return { ca: await loadCa(certPath, keyPath), created: true };
}

/**
 * Issues a certificate under `ca` with a fresh EC P-256 key: `sans` become DNS SANs, IPs become IP
 * **and** DNS SANs (mbedTLS matches only DNS names); `usage` sets the extended key usage
 * (serverAuth or clientAuth). Validity starts one hour back to tolerate clock skew.
 * @throws DomainError('invalid_request') for an empty or malformed SAN, or `days` out of 1…3650.
 */
export async function issueCertificate(
  ca: LocalCa,
  options: { commonName: string; sans: string[]; usage: 'server' | 'client'; days: number },
): Promise<IssuedCertificate> {
  const { commonName, usage, days } = options;
  if (typeof commonName !== 'string' || commonName.length === 0 || commonName.length > 64) {
    throw new DomainError(
      'invalid_request',
      `commonName: must be 1–64 characters, got ${JSON.stringify(commonName)}`,
    );
  }
  if (!Number.isInteger(days) || days < 1 || days > CA_VALIDITY_DAYS) {
    throw new DomainError(
      'invalid_request',
      `days: must be an integer from 1 to ${CA_VALIDITY_DAYS}, got ${days}`,
    );
  }
  const sans = normalizeHosts(options.sans);
  const names: x509.JsonGeneralName[] = [];
  for (const host of sans) {
    if (isIP(host) !== 0) names.push({ type: 'ip', value: host });
    names.push({ type: 'dns', value: host });
  }
  const keys = await crypto.subtle.generateKey(EC_ALGORITHM, true, ['sign', 'verify']);
  const now = Date.now();
  const caNotAfter = ca.cert.notAfter.getTime();
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject: [{ CN: [commonName] }],
    issuer: ca.cert.subjectName,
    notBefore: new Date(now - 3_600_000),
    notAfter: new Date(Math.min(now + days * DAY_MS, caNotAfter)),
    publicKey: keys.publicKey,
    signingKey: ca.signingKey,
    signingAlgorithm: SIGNING_ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension(
        [usage === 'server' ? x509.ExtendedKeyUsage.serverAuth : x509.ExtendedKeyUsage.clientAuth],
        false,
      ),
      ...(names.length > 0 ? [new x509.SubjectAlternativeNameExtension(names, false)] : []),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(ca.cert.publicKey),
    ],
  });
  const certPem = cert.toString('pem') + '\n';
  const keyPem = x509.PemConverter.encode(
    await crypto.subtle.exportKey('pkcs8', keys.privateKey),
    'PRIVATE KEY',
  );
  const node = new NodeX509Certificate(certPem);
  return {
    certPem,
    certDer: new Uint8Array(cert.rawData),
    keyPem,
    fingerprint256: node.fingerprint256,
    notAfter: new Date(node.validTo),
  };
}

/**
 * Loads an operator-supplied certificate (PEM, leaf first, intermediates may follow) and private
 * key (PEM, unencrypted) for the HTTPS server, checking that they parse and belong together.
 * @throws DomainError('invalid_credential') naming the file and the problem.
 */
export async function loadOperatorTls(certFile: string, keyFile: string): Promise<OperatorTls> {
  const certPem = await readText(certFile, '--tls-cert');
  const keyPem = await readText(keyFile, '--tls-key');
  let leaf: NodeX509Certificate;
  try {
    leaf = new NodeX509Certificate(certPem);
  } catch {
    throw new DomainError(
      'invalid_credential',
      `--tls-cert: ${JSON.stringify(certFile)} holds no PEM certificate`,
    );
  }
  if (/ENCRYPTED/.test(keyPem)) {
    throw new DomainError(
      'invalid_credential',
      `--tls-key: ${JSON.stringify(keyFile)} is encrypted; supply it unencrypted`,
    );
  }
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: keyPem, format: 'pem', passphrase: '' });
  } catch {
    throw new DomainError(
      'invalid_credential',
      `--tls-key: ${JSON.stringify(keyFile)} holds no usable private key`,
    );
  }
  if (!leaf.checkPrivateKey(key)) {
    throw new DomainError(
      'invalid_credential',
      `--tls-key: ${JSON.stringify(keyFile)} does not match the certificate in ${JSON.stringify(certFile)}`,
    );
  }
  return {
    certPem,
    keyPem,
    fingerprint256: leaf.fingerprint256,
    subjectAltNames: (leaf.subjectAltName ?? '').split(', ').filter((s) => s.length > 0),
    notAfter: new Date(leaf.validTo),
  };
}

/** Lower-cases, de-duplicates and checks host names / IP literals (no scheme, port or path). */
function normalizeHosts(input: readonly string[]): string[] {
  const out: string[] = [];
  for (const raw of input) {
    const host =
      typeof raw === 'string'
        ? raw
            .trim()
            .toLowerCase()
            .replace(/^\[(.*)\]$/, '$1')
        : '';
    const ok =
      isIP(host) !== 0 ||
      (host.length > 0 &&
        host.length <= 253 &&
        host.split('.').every((l) => /^(?:\*|[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?)$/.test(l)));
    if (!ok)
      throw new DomainError(
        'invalid_request',
        `publicHosts: ${JSON.stringify(raw)} is not a host name or IP address`,
      );
    if (!out.includes(host)) out.push(host);
  }
  return out;
}

/** True when the server certificate chains to `ca`, matches its key, covers `hosts`, and is not expiring. */
function serverIsUsable(
  cert: NodeX509Certificate,
  key: KeyObject,
  ca: NodeX509Certificate,
  hosts: readonly string[],
): boolean {
  if (!cert.checkIssued(ca) || !cert.verify(ca.publicKey) || !cert.checkPrivateKey(key)) return false;
  if (Date.parse(cert.validTo) - Date.now() < RENEW_BEFORE_DAYS * DAY_MS) return false;
  const sans = new Set((cert.subjectAltName ?? '').split(', ').map((s) => s.toLowerCase()));
  return hosts.every(
    (h) =>
      sans.has(`dns:${h}`) && (isIP(h) === 0 || sans.has(`ip address:${isIP(h) === 6 ? expandIpv6(h) : h}`)),
  );
}

/** Node prints IPv6 SANs fully expanded, upper-case: `IP Address:0:0:0:0:0:0:0:1`. Lower-cased here. */
function expandIpv6(ip: string): string {
  const [head = '', tail] = ip.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const fill = tail === undefined ? [] : Array<string>(8 - left.length - right.length).fill('0');
  return [...left, ...fill, ...right].map((g) => g.replace(/^0+(?=.)/, '')).join(':');
}

async function readExistingServer(
  certPath: string,
  keyPath: string,
): Promise<{ certPem: string; keyPem: string; cert: NodeX509Certificate; key: KeyObject } | undefined> {
  try {
    const [certPem, keyPem] = await Promise.all([readFile(certPath, 'utf8'), readFile(keyPath, 'utf8')]);
    return { certPem, keyPem, cert: new NodeX509Certificate(certPem), key: createPrivateKey(keyPem) };
  } catch {
    return undefined; // absent or damaged: issue a new one
  }
}

async function loadCa(certPath: string, keyPath: string): Promise<LocalCa> {
  const damaged = (why: string): DomainError =>
    new DomainError(
      'internal',
      `local CA ${JSON.stringify(certPath)}: ${why}; restore the files, or remove ca.pem and ca.key to create a new CA`,
    );
  const [certPem, keyPem] = await Promise.all([readFile(certPath, 'utf8'), readFile(keyPath, 'utf8')]);
  let cert: x509.X509Certificate;
  let nodeCert: NodeX509Certificate;
  let signingKey: CryptoKey;
  try {
    cert = new x509.X509Certificate(certPem);
    nodeCert = new NodeX509Certificate(certPem);
    const der = createPrivateKey(keyPem).export({ type: 'pkcs8', format: 'der' });
    signingKey = await crypto.subtle.importKey('pkcs8', der, EC_ALGORITHM, false, ['sign']);
    if (!nodeCert.checkPrivateKey(createPrivateKey(keyPem))) throw new Error('mismatch');
  } catch {
    throw damaged('ca.pem and ca.key are unreadable or do not belong together');
  }
  if (!nodeCert.ca) throw damaged('ca.pem is not a CA certificate');
  if (Date.parse(nodeCert.validTo) <= Date.now()) throw damaged(`the CA expired on ${nodeCert.validTo}`);
  return { certPem, certPath, cert, signingKey };
}

/** Positive 16-byte serial number as hex (top bit clear, never zero). */
function randomSerial(): string {
  const b = randomBytes(16);
  b[0] = (b[0]! & 0x7f) | 0x01;
  return b.toString('hex');
}

async function exists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch {
    return false;
  }
}

async function readText(file: string, option: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'error';
    throw new DomainError('invalid_credential', `${option}: cannot read ${JSON.stringify(file)} (${code})`);
  }
}
