/**
 * Which gateway a TLS client certificate speaks for (SPEC §3.1 certificate mode). A certificate
 * names a gateway by:
 * - its subject CN: the 16-hex EUI (`000000FFFE000ABC`, the form this station issues) or
 *   `router-<id>` (the Basics Station examples' convention, `<id>` any form of SPEC §1.2);
 * - a subjectAltName (DNS or URI) holding the same forms.
 * Names that parse as no id (a host name) are ignored; a certificate naming two different gateways
 * names none (it is refused). A certificate whose extended key usage excludes clientAuth is not a
 * gateway credential (e.g. the server's own certificate under the same CA).
 */
import { X509Certificate, createHash } from 'node:crypto';
import { euiHex, parseId } from '../../../src-shared/ids';

/** OID of the clientAuth extended key usage, and of anyExtendedKeyUsage. */
const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';
const ANY_EKU = '2.5.29.37.0';

/** What a client certificate says about itself. */
export interface CertificateIdentity {
  /** SHA-256 of the DER, 64 lowercase hex: the revocation key */
  fingerprint: string;
  /** the gateway named, or undefined when none (or several different ones) is named */
  gateway: bigint | undefined;
  /** every gateway id found, as 16 hex (for messages) */
  named: string[];
  subject: string;
  serial: string;
  notAfter: string;
  /** false when an extended key usage is present without clientAuth */
  clientAuth: boolean;
}

/** SHA-256 fingerprint of a DER certificate, 64 lowercase hex. */
export function certificateFingerprint(der: Uint8Array): string {
  return createHash('sha256').update(der).digest('hex');
}

/** The id a CN or SAN value names, if any: `router-<id>` or an id form of SPEC §1.2. */
export function idOfName(value: string): bigint | undefined {
  const v = value.trim();
  const bare = /^router-/i.test(v) ? v.slice('router-'.length) : v;
  try {
    return parseId(bare).id;
  } catch {
    return undefined;
  }
}

/** Values of `CN=` in Node's multi-line subject text. */
function commonNames(subject: string): string[] {
  return subject
    .split('\n')
    .filter((l) => l.startsWith('CN='))
    .map((l) => l.slice(3));
}

/** DNS and URI values of Node's `subjectAltName` text (`DNS:a, URI:b`; quoted when escaped). */
function altNames(san: string | undefined): string[] {
  if (san === undefined || san === '') return [];
  const out: string[] = [];
  for (const m of san.matchAll(/(DNS|URI):("(?:[^"\\]|\\.)*"|[^,]*)(?:, |$)/g)) {
    const raw = m[2] ?? '';
    out.push(raw.startsWith('"') ? (JSON.parse(raw) as string) : raw);
  }
  return out;
}

/**
 * Reads the identity of a DER client certificate.
 * @throws Error when the bytes are not a certificate (the TLS layer verified it, so this is a bug).
 */
export function certificateIdentity(der: Uint8Array): CertificateIdentity {
  const cert = new X509Certificate(der);
  const ids = new Map<string, bigint>();
  for (const name of [...commonNames(cert.subject), ...altNames(cert.subjectAltName)]) {
    const id = idOfName(name);
    if (id !== undefined) ids.set(euiHex(id), id);
  }
  const eku = cert.keyUsage as string[] | undefined;
  return {
    fingerprint: certificateFingerprint(der),
    gateway: ids.size === 1 ? [...ids.values()][0] : undefined,
    named: [...ids.keys()],
    subject: cert.subject.replace(/\n/g, ', '),
    serial: cert.serialNumber.toLowerCase(),
    notAfter: new Date(cert.validTo).toISOString(),
    clientAuth: eku === undefined || eku.length === 0 || eku.includes(CLIENT_AUTH) || eku.includes(ANY_EKU),
  };
}
