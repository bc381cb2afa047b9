/**
 * CUPS door (SPEC §3.1, §3.6): `POST /update-info` as a LoRa Basics Station sends it — any or no
 * Content-Type, a space-padded Content-Length, body ≤ 99 999 bytes. A plain node `(req, res)`
 * handler the HTTPS server calls before fastify (see `server.ts`): the poll is the hot path, and
 * fastify's routing and hooks cost more than the core's answer. 200 answers carry the binary
 * update-info response; failures carry the reason as the HTTP reason phrase (what the station logs)
 * and as a short text body, 429 with Retry-After. Never 500 on bad input; never throws.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { Core, CupsAnswer, CupsAuth } from '../../core/api';
import type { Logger } from '../../core/ports';
import {
  MAX_UPDATE_INFO_BYTES,
  parseUpdateInfoBody,
  type UpdateInfoRequest,
} from '../../../src-shared/cups-wire';
import { isDomainError } from '../../../src-shared/errors';
import { toHttpFailure } from './http-errors';

/** The CUPS path (SPEC §3.1). */
const CUPS_PATH = '/update-info';

/** Retry-After of a 429 whose answer names none (a station retries after 1 min anyway, SPEC §3.5). */
const DEFAULT_RETRY_AFTER_S = 60;

/** What the CUPS door needs. */
interface CupsDoorOptions {
  core: Core;
  logger?: Logger | undefined;
}

/** Whether the door serves `req`: `POST /update-info` (query ignored); everything else is fastify's. */
export function isCupsRequest(req: IncomingMessage): boolean {
  const url = req.url ?? '';
  return (
    req.method === 'POST' &&
    url.startsWith(CUPS_PATH) &&
    (url.length === CUPS_PATH.length || url[CUPS_PATH.length] === '?')
  );
}

/**
 * A reason phrase node accepts and a station can log: printable ASCII only, one line, ≤ 120 chars.
 */
export function reasonPhrase(reason: string): string {
  const clean = reason.replace(/[^\x20-\x7e]/g, '?').trim();
  return (clean.length > 120 ? `${clean.slice(0, 117)}...` : clean) || 'Error';
}

/** Sends a CUPS failure: status, reason phrase, short text body, Retry-After on 429. */
function sendFailure(res: ServerResponse, status: number, reason: string, retryAfter?: number): void {
  const phrase = reasonPhrase(reason);
  const body = `${phrase}\n`;
  res.statusCode = status;
  res.statusMessage = phrase;
  res.setHeader('content-type', 'text/plain; charset=utf-8');
  res.setHeader('content-length', Buffer.byteLength(body));
  if (retryAfter !== undefined) res.setHeader('retry-after', String(retryAfter));
  res.end(body);
}

/**
 * The TLS client certificate a station presented (SPEC §3.1 certificate mode): its DER when the TLS
 * layer verified it against the server's client CAs, else why it did not verify (and its DER, for
 * the site pack's door, which verifies it against the pack's CAs: docs/sync.md).
 */
function clientCertOf(
  socket: TLSSocket,
): Pick<CupsAuth, 'clientCertificate' | 'clientCertificateRejected' | 'clientCertificateUnverified'> {
  if (typeof socket.getPeerCertificate !== 'function') return {};
  const cert = socket.getPeerCertificate();
  if (cert === null || cert.raw === undefined) return {};
  if (socket.authorized) return { clientCertificate: new Uint8Array(cert.raw) };
  // the handshake proved the key is held; the site pack's door checks it against the pack's CAs
  return {
    clientCertificateRejected: String(socket.authorizationError ?? 'not verified'),
    clientCertificateUnverified: new Uint8Array(cert.raw),
  };
}

const TOO_LARGE = Symbol('too large');
const ABORTED = Symbol('aborted');

/** Reads the body up to {@link MAX_UPDATE_INFO_BYTES}; a declared or streamed excess stops early. */
function readBody(req: IncomingMessage): Promise<Buffer | typeof TOO_LARGE | typeof ABORTED> {
  if (Number(req.headers['content-length']) > MAX_UPDATE_INFO_BYTES) return Promise.resolve(TOO_LARGE);
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_UPDATE_INFO_BYTES) {
        req.removeListener('data', onData);
        resolve(TOO_LARGE);
      } else chunks.push(chunk);
    };
    req.on('data', onData);
    req.on('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size)));
    req.on('error', () => resolve(ABORTED));
  });
}

async function serve(req: IncomingMessage, res: ServerResponse, core: Core): Promise<void> {
  const raw = await readBody(req);
  if (raw === ABORTED) return; // the station hung up: nobody to answer
  if (raw === TOO_LARGE) {
    res.setHeader('connection', 'close');
    req.resume();
    return sendFailure(res, 413, `body: larger than the limit of ${MAX_UPDATE_INFO_BYTES} bytes`);
  }
  const socket = req.socket as TLSSocket;
  const address = socket.remoteAddress ?? 'unknown';
  let request: UpdateInfoRequest | undefined;
  let reason = '';
  try {
    request = parseUpdateInfoBody(raw);
  } catch (e) {
    if (!isDomainError(e)) throw e;
    reason = e.message; // the codec names the field (SPEC §3.6: 400, reason says which field)
  }
  const answer: CupsAnswer =
    request === undefined
      ? core.cups.badRequest(reason, address) // counted; may be 429 instead
      : await core.cups.updateInfo(
          request,
          {
            secure: socket.encrypted === true,
            authorization: req.headers.authorization,
            ...clientCertOf(socket),
          },
          address,
        );
  if (answer.status === 200) {
    res.writeHead(200, {
      'content-type': 'application/octet-stream',
      'content-length': answer.body.byteLength,
    });
    res.end(answer.body);
    return;
  }
  const retryAfter = answer.status === 429 ? (answer.retryAfter ?? DEFAULT_RETRY_AFTER_S) : undefined;
  sendFailure(res, answer.status, answer.reason, retryAfter);
}

/**
 * Builds the door's `(req, res)` handler for requests {@link isCupsRequest} accepts. Every error is
 * caught: a DomainError keeps its status, anything else is logged (no request data) and answers
 * 500 "Internal error".
 */
export function createCupsDoor(opts: CupsDoorOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const { core, logger } = opts;
  return (req, res) => {
    serve(req, res, core).catch((err: unknown) => {
      const f = toHttpFailure(err, logger, { bodyBytes: MAX_UPDATE_INFO_BYTES });
      if (res.headersSent) res.destroy();
      else sendFailure(res, f.status, f.status === 500 ? 'Internal error' : f.body.error);
    });
  };
}
