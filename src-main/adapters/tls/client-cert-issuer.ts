/**
 * The {@link CertificateAuthority} port over the station's local CA (`<data>/tls/ca.pem` +
 * `ca.key`, see `local-ca.ts`): issues gateway TLS client certificates (EC P-256, clientAuth) and
 * hands the key back as SEC1 DER, the form the station's credential parser reads (SPEC §3.3).
 * Node only.
 */
import { X509Certificate, createPrivateKey } from 'node:crypto';
import type { CertificateAuthority, IssuedClientCertificate } from '../../core/ports';
import { issueCertificate, type LocalCa } from './local-ca';

/** Gateway client certificates signed by a {@link LocalCa}. */
export class LocalCaIssuer implements CertificateAuthority {
  readonly #caDer: Uint8Array;

  constructor(private readonly ca: LocalCa) {
    this.#caDer = new Uint8Array(new X509Certificate(ca.certPem).raw);
  }

  /** {@inheritDoc CertificateAuthority.caCertificate} */
  caCertificate(): Uint8Array {
    return this.#caDer;
  }

  /** {@inheritDoc CertificateAuthority.issueClientCertificate} */
  async issueClientCertificate(subject: {
    commonName: string;
    dnsNames: readonly string[];
    days: number;
  }): Promise<IssuedClientCertificate> {
    const issued = await issueCertificate(this.ca, {
      commonName: subject.commonName,
      sans: [...subject.dnsNames],
      usage: 'client',
      days: subject.days,
    });
    const key = createPrivateKey(issued.keyPem);
    const keyDer = new Uint8Array(key.export({ type: 'sec1', format: 'der' }));
    const cert = new X509Certificate(issued.certPem);
    return {
      certDer: issued.certDer,
      keyDer,
      serial: cert.serialNumber.toLowerCase(),
      notAfter: issued.notAfter.toISOString(),
    };
  }
}
