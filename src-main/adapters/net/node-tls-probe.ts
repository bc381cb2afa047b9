/**
 * {@link TlsProbe} over node:net / node:tls: connects, verifies the chain against the given trust
 * only (no system roots when a trust is given — the station knows nothing else), reports the peer
 * certificate, and always closes the socket. Host name checks are left to the core, which applies
 * the station's rule (DNS names only).
 */
import { connect as netConnect, isIP, type Socket } from 'node:net';
import {
  connect as tlsConnect,
  rootCertificates,
  type PeerCertificate as NodePeer,
  type TLSSocket,
} from 'node:tls';
import type { PeerCertificate, TlsProbe, TlsProbeResult } from '../../core/station/reachability';

function classify(err: NodeJS.ErrnoException): { reason: 'dns' | 'refused' | 'tls'; detail: string } {
  const code = err.code ?? '';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NONAME')
    return { reason: 'dns', detail: code };
  if (code === 'ECONNREFUSED' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH' || code === 'ECONNRESET') {
    return { reason: 'refused', detail: code };
  }
  return { reason: 'tls', detail: code || err.message };
}

function dnsNamesOf(cert: NodePeer): string[] {
  const names = (cert.subjectaltname ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.startsWith('DNS:'))
    .map((s) => s.slice(4));
  const cn = cert.subject?.CN;
  if (names.length === 0 && typeof cn === 'string') names.push(cn);
  return names;
}

function dn(o: Record<string, string | string[] | undefined> | undefined): string {
  if (!o) return '';
  return Object.entries(o)
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('+') : (v ?? '')}`)
    .join(', ');
}

function peerOf(socket: TLSSocket): PeerCertificate | null {
  const cert = socket.getPeerCertificate(false);
  if (!cert || Object.keys(cert).length === 0) return null;
  return {
    subject: dn(cert.subject as unknown as Record<string, string>),
    issuer: dn(cert.issuer as unknown as Record<string, string>),
    fingerprint: cert.fingerprint256,
    validTo: cert.valid_to,
    dnsNames: dnsNamesOf(cert),
  };
}

/** Creates the node:tls probe. */
export function createNodeTlsProbe(): TlsProbe {
  return {
    probe({ host, port, tls, timeoutMs }) {
      return new Promise<TlsProbeResult>((resolve) => {
        let socket: Socket | TLSSocket;
        let settled = false;
        const finish = (r: TlsProbeResult) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          socket.destroy();
          resolve(r);
        };
        const timer = setTimeout(
          () => finish({ kind: 'failed', reason: 'timeout', detail: `${timeoutMs} ms` }),
          timeoutMs,
        );
        if (tls === false) {
          socket = netConnect({ host, port });
          socket.once('connect', () => finish({ kind: 'connected' }));
        } else {
          const s = tlsConnect({
            host,
            port,
            ...(isIP(host) ? {} : { servername: host }),
            ca: tls.trustPem ?? [...rootCertificates],
            // verified below: the probe reports an untrusted chain instead of failing on it
            rejectUnauthorized: false,
            checkServerIdentity: () => undefined,
          });
          socket = s;
          s.once('secureConnect', () =>
            finish({
              kind: 'handshake',
              trusted: s.authorized,
              verifyError: s.authorizationError ? String(s.authorizationError) : null,
              peer: peerOf(s),
            }),
          );
        }
        socket.once('error', (err: NodeJS.ErrnoException) => finish({ kind: 'failed', ...classify(err) }));
      });
    },
  };
}
