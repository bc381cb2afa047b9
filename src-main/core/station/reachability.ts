/**
 * Reachability check before a setup is saved (the Setup screen): does the target CUPS/LNS server
 * complete a TLS handshake against the trust the gateway will get, and would the station accept
 * its certificate for that host name? The network part sits behind the {@link TlsProbe} port (the
 * adapter in `adapters/net/` speaks node:tls); this module validates input the way `setup` does
 * (SPEC §4.2: URI form, exactly one trust certificate) and explains the outcome.
 *
 * The check makes the server open a connection where an installer says, so it is kept to what a
 * setup needs (docs/security.md): only the host and port of a CUPS/LNS URI of setup form, a TLS
 * handshake only (an `http`/`ws` URI has nothing to verify, so nothing is connected), a timeout of
 * at most {@link MAX_PROBE_TIMEOUT_MS}, and a per-caller rate limit.
 */
import { DomainError, isDomainError } from '../../../src-shared/errors';
import type { Reachability } from '../../../src-shared/ipc';
import { parseEndpointUri } from '../../../src-shared/uri';
import type { Clock } from '../ports';
import { derToPem, parseCertificateInput } from '../credentials';
import type { RateLimitRule } from '../config';
import { RateLimiter } from '../rate-limit';

/** Longest wait for a probe, whatever the request asks: the handshake of a reachable server takes well under a second. */
const MAX_PROBE_TIMEOUT_MS = 5000;
/** Default probe timeout. */
const DEFAULT_PROBE_TIMEOUT_MS = 3000;
/** Checks per caller: a setup checks two URIs, a few retries are fine, a scan is not. */
const DEFAULT_PROBE_RATE_LIMIT: RateLimitRule = { ratePerSecond: 1 / 6, burst: 10 };

/** What the server showed in the handshake. */
export interface PeerCertificate {
  subject: string;
  issuer: string;
  /** SHA-256, `AB:CD:…` */
  fingerprint: string;
  validTo: string;
  /** DNS names of the subjectAltName (and the CN when there are none) */
  dnsNames: string[];
}

/** Result of one probe. */
export type TlsProbeResult =
  | {
      kind: 'handshake';
      /** chain verified against the given trust */
      trusted: boolean;
      /** OpenSSL's reason when not trusted (e.g. `SELF_SIGNED_CERT_IN_CHAIN`) */
      verifyError: string | null;
      peer: PeerCertificate | null;
    }
  | { kind: 'connected' }
  | { kind: 'failed'; reason: 'dns' | 'refused' | 'timeout' | 'tls'; detail: string };

/** Port: opens a TCP (optionally TLS) connection and reports what happened; never throws. */
export interface TlsProbe {
  probe(input: {
    host: string;
    port: number;
    /** TLS with this trust (PEM); `tls: false` = plain TCP connect only */
    tls: false | { trustPem: string | null };
    timeoutMs: number;
  }): Promise<TlsProbeResult>;
}

/**
 * True when a Basics Station (mbedTLS) would accept `dnsNames` for `host`: it compares the host
 * text with DNS names (and the CN) only — an IP SAN does not count (STACK.md), `*.` matches one label.
 */
export function stationAcceptsHost(host: string, dnsNames: readonly string[]): boolean {
  const h = host.toLowerCase();
  return dnsNames.some((n) => {
    const name = n.toLowerCase();
    if (name === h) return true;
    if (name.startsWith('*.')) {
      const dot = h.indexOf('.');
      return dot > 0 && h.slice(dot + 1) === name.slice(2);
    }
    return false;
  });
}

/** The check behind `setup:checkReachability`. */
export interface ReachabilityService {
  check(input: {
    uri: string;
    trust?: string | undefined;
    timeoutMs?: number | undefined;
    /** who asks (operator name with its door), for the rate limit; absent = one shared bucket */
    caller?: string | undefined;
  }): Promise<Reachability>;
}

/**
 * Creates the reachability service over a probe.
 * @throws (from `check`) DomainError('rate_limited') beyond `rateLimit` per caller.
 */
export function createReachabilityService(deps: {
  probe: TlsProbe;
  clock: Clock;
  rateLimit?: RateLimitRule | undefined;
}): ReachabilityService {
  const { probe, clock } = deps;
  const limiter = new RateLimiter(deps.rateLimit ?? DEFAULT_PROBE_RATE_LIMIT, () => clock.now(), 10_000);
  return {
    async check(input) {
      const wait = limiter.take(input.caller ?? '');
      if (wait > 0) {
        throw new DomainError('rate_limited', `uri: too many reachability checks, retry after ${wait} s`, {
          retryAfterSeconds: wait,
        });
      }
      const started = clock.now();
      const answer = (ok: boolean, reason: string, message: string, peer: Reachability['peer'] = null) => ({
        ok,
        reason,
        message,
        peer,
        elapsedMs: clock.now() - started,
      });
      const scheme = input.uri.slice(0, input.uri.indexOf(':')).toLowerCase();
      const kind = scheme === 'ws' || scheme === 'wss' ? 'lns' : 'cups';
      let trustPem: string | null = null;
      let endpoint;
      try {
        endpoint = parseEndpointUri(input.uri, kind, 'uri');
        if (input.trust !== undefined)
          trustPem = derToPem(parseCertificateInput(input.trust, 'trust'), 'CERTIFICATE');
      } catch (e) {
        if (isDomainError(e))
          return answer(false, e.code === 'invalid_uri' ? 'invalid_uri' : 'invalid_trust', e.message);
        throw e;
      }
      const where = `${endpoint.host}:${endpoint.port}`;
      if (!endpoint.secure) {
        return answer(
          true,
          'plain',
          `${endpoint.scheme}:// has no TLS, so there is nothing to verify; ${where} was not contacted`,
        );
      }
      const result = await probe.probe({
        host: endpoint.host,
        port: endpoint.port,
        tls: { trustPem },
        timeoutMs: Math.min(input.timeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS, MAX_PROBE_TIMEOUT_MS),
      });
      switch (result.kind) {
        case 'failed': {
          const what = {
            dns: `the host name ${JSON.stringify(endpoint.host)} does not resolve`,
            refused: `nothing listens on ${where} (connection refused)`,
            timeout: `no answer from ${where} in time`,
            tls: `the TLS handshake with ${where} failed`,
          }[result.reason];
          return answer(false, result.reason, `${what}: ${result.detail}`);
        }
        case 'connected': // only a plain probe answers this; TLS targets always handshake
          return answer(false, 'tls', `the TLS handshake with ${where} did not happen`);
        case 'handshake': {
          const peer = result.peer
            ? {
                subject: result.peer.subject,
                issuer: result.peer.issuer,
                fingerprint: result.peer.fingerprint,
                validTo: result.peer.validTo,
              }
            : null;
          if (!result.trusted) {
            const trustText = trustPem ? 'the given trust' : 'the system roots (no trust given)';
            return answer(
              false,
              'untrusted',
              `${where} presented a certificate that ${trustText} does not verify (${result.verifyError ?? 'unknown reason'})`,
              peer,
            );
          }
          if (!result.peer || !stationAcceptsHost(endpoint.host, result.peer.dnsNames)) {
            const names = result.peer?.dnsNames.join(', ') || 'none';
            return answer(
              false,
              'hostname',
              `the certificate of ${where} is trusted but not issued for ${JSON.stringify(endpoint.host)} (DNS names: ${names}); the station matches DNS names only`,
              peer,
            );
          }
          return answer(true, 'ok', `${where} completed a TLS handshake against the given trust`, peer);
        }
      }
    },
  };
}
