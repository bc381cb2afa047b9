/**
 * Transport limits of the HTTPS server (docs/cups.md "Connections"): how long a connection may take
 * to finish its TLS handshake, how many connections are held at once, and the `{error, code}`
 * envelope (SPEC §4.2) on the answers node's HTTP parser gives before any route runs (a malformed
 * Content-Length, a NUL in a header, oversized headers, a request that never completes).
 *
 * Defaults are sized for a fleet-wide power cut: every gateway reconnects within a minute or so,
 * each with one short TLS connection (SPEC §3.5), so thousands arrive together. A connection that
 * has not completed its handshake after 10 s is not a station in a hurry (a Basics Station on a slow
 * uplink needs well under a second of server time) and is closed; 10 000 connections at once leave
 * room for that storm and stay well inside a raised file descriptor limit. A connection refused at
 * the cap is closed at once; the station retries a minute later (SPEC §3.5), so a storm is spread
 * out rather than queued.
 */
import type { Socket } from 'node:net';
import type { Server } from 'node:https';
import type { Logger } from '../../core/ports';

/** Limits of {@link applyTransportLimits}. */
export interface TransportLimits {
  /** a connection whose TLS handshake has not finished after this many ms is closed */
  tlsHandshakeTimeoutMs: number;
  /** connections held at once; further ones are closed on arrival */
  maxConnections: number;
}

/** The defaults (see the module comment). */
const DEFAULT_TRANSPORT_LIMITS: TransportLimits = {
  tlsHandshakeTimeoutMs: 10_000,
  maxConnections: 10_000,
};

/** How often a refused connection is logged at most (a storm must not flood the log). */
const DROP_LOG_INTERVAL_MS = 10_000;

/**
 * Applies the limits to a node:https server (created with `handshakeTimeout` from
 * {@link tlsServerOptions}) and logs refused connections, at most once per 10 s with their count.
 */
export function applyTransportLimits(server: Server, limits: TransportLimits, logger?: Logger): void {
  server.maxConnections = limits.maxConnections;
  // a failed or timed-out handshake (ERR_TLS_HANDSHAKE_TIMEOUT) must free the connection: with the
  // server's options node reports the timeout but would keep the socket open
  server.on('tlsClientError', (_err, socket) => socket.destroy());
  let dropped = 0;
  let loggedAt = 0;
  server.on('drop', () => {
    dropped++;
    const now = Date.now();
    if (now - loggedAt < DROP_LOG_INTERVAL_MS) return;
    loggedAt = now;
    logger?.warn(
      { dropped, maxConnections: limits.maxConnections },
      'connection limit reached: connections refused',
    );
    dropped = 0;
  });
}

/** The tls.Server options the limits need. */
export function tlsServerOptions(limits: TransportLimits): { handshakeTimeout: number } {
  return { handshakeTimeout: limits.tlsHandshakeTimeoutMs };
}

/** Checks configured limits. @throws RangeError naming the bad one */
export function resolveTransportLimits(input: Partial<TransportLimits> | undefined): TransportLimits {
  const limits = { ...DEFAULT_TRANSPORT_LIMITS, ...input };
  for (const [name, v] of Object.entries(limits)) {
    if (!Number.isSafeInteger(v) || v < 1) {
      throw new RangeError(`transport ${name}: ${String(v)} is not a positive whole number`);
    }
  }
  return limits;
}

/** Status, error code and message of a parser error node reports before any route runs. */
function classify(err: Error & { code?: string }): { status: number; code: string; error: string } {
  switch (err.code) {
    case 'HPE_HEADER_OVERFLOW':
      return { status: 431, code: 'invalid_request', error: 'headers: larger than the server accepts' };
    case 'HPE_INVALID_CONTENT_LENGTH':
    case 'HPE_UNEXPECTED_CONTENT_LENGTH':
      return { status: 400, code: 'invalid_request', error: 'Content-Length: not a valid length' };
    case 'HPE_INVALID_TRANSFER_ENCODING':
      return { status: 400, code: 'invalid_request', error: 'Transfer-Encoding: not valid' };
    case 'HPE_INVALID_HEADER_TOKEN':
      return {
        status: 400,
        code: 'invalid_request',
        error: 'headers: a header name or value holds a character HTTP forbids',
      };
    case 'HPE_INVALID_METHOD':
      return { status: 400, code: 'invalid_request', error: 'request line: unknown method' };
    case 'HPE_INVALID_URL':
      return { status: 400, code: 'invalid_request', error: 'request line: invalid path' };
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return { status: 408, code: 'invalid_request', error: 'request: not complete in time' };
    default:
      return { status: 400, code: 'invalid_request', error: 'request: not valid HTTP/1.1' };
  }
}

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  408: 'Request Timeout',
  431: 'Request Header Fields Too Large',
};

/**
 * Answers a parser error (node's `clientError`) with the `{error, code}` envelope and closes the
 * connection; a connection already gone or reset is just destroyed.
 */
export function answerClientError(err: Error & { code?: string }, socket: Socket): void {
  if (err.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const { status, code, error } = classify(err);
  const body = JSON.stringify({ error, code });
  socket.end(
    `HTTP/1.1 ${status} ${REASONS[status] ?? 'Bad Request'}\r\n` +
      'Content-Type: application/json; charset=utf-8\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      'Connection: close\r\n\r\n' +
      body,
  );
}
