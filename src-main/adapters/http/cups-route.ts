/**
 * CUPS door (SPEC §3): `POST /update-info` as a LoRa Basics Station sends it — any or no
 * Content-Type, a space-padded Content-Length, body ≤ 99 999 bytes. 200 answers carry the binary
 * update-info response; failures carry the reason as the HTTP reason phrase (what the station logs)
 * and as a short text body. Never 500 on bad input.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { TLSSocket } from 'node:tls';
import type { Core, CupsAnswer, CupsAuth } from '../../core/api';
import {
  MAX_UPDATE_INFO_BYTES,
  parseUpdateInfoBody,
  type UpdateInfoRequest,
} from '../../../src-shared/cups-wire';
import { isDomainError } from '../../../src-shared/errors';
import type { Logger } from '../../core/ports';
import { toHttpFailure } from './http-errors';

/** Retry-After of a 429 whose answer names none (a station retries after 1 min anyway, SPEC §3.5). */
const DEFAULT_RETRY_AFTER_S = 60;

/** What the CUPS door needs. */
export interface CupsRouteOptions {
  core: Core;
  logger?: Logger | undefined;
}

/**
 * A reason phrase node accepts and a station can log: printable ASCII only, one line, ≤ 120 chars.
 */
export function reasonPhrase(reason: string): string {
  const clean = reason.replace(/[^\x20-\x7e]/g, '?').trim();
  return (clean.length > 120 ? `${clean.slice(0, 117)}...` : clean) || 'Error';
}

/** Sends a CUPS failure: status, reason phrase, short text body, Retry-After on 429. */
export function sendCupsFailure(reply: FastifyReply, status: number, reason: string, retryAfter?: number) {
  const phrase = reasonPhrase(reason);
  reply.code(status);
  reply.raw.statusMessage = phrase;
  if (retryAfter !== undefined) reply.header('retry-after', String(retryAfter));
  return reply.type('text/plain; charset=utf-8').send(`${phrase}\n`);
}

const EMPTY = new Uint8Array(0);

/**
 * The TLS client certificate a station presented (SPEC §3.1 certificate mode): its DER when the TLS
 * layer verified it against the server's client CAs, else why it did not verify.
 */
function clientCertOf(socket: TLSSocket): Pick<CupsAuth, 'clientCertificate' | 'clientCertificateRejected'> {
  if (typeof socket.getPeerCertificate !== 'function') return {};
  const cert = socket.getPeerCertificate();
  if (cert === null || cert.raw === undefined) return {};
  if (socket.authorized) return { clientCertificate: new Uint8Array(cert.raw) };
  return { clientCertificateRejected: String(socket.authorizationError ?? 'not verified') };
}

/** Registers `POST /update-info` on a fastify scope of its own (raw body parser for any type). */
export async function cupsRoutes(app: FastifyInstance, opts: CupsRouteOptions): Promise<void> {
  const { core, logger } = opts;

  // A missing, wrong or even malformed Content-Type is accepted (stations before 2.0.4 send none):
  // dropping the header makes fastify use the catch-all parser below for every request. A
  // callback hook: no promise per request on the hot path.
  app.addHook('onRequest', (req, _reply, done) => {
    delete req.raw.headers['content-type'];
    done();
  });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: MAX_UPDATE_INFO_BYTES }, (_req, body, done) =>
    done(null, body),
  );

  app.setErrorHandler((err, _req, reply) => {
    const f = toHttpFailure(err, logger, { bodyBytes: MAX_UPDATE_INFO_BYTES });
    return sendCupsFailure(reply, f.status, f.status === 500 ? 'Internal error' : f.body.error);
  });

  app.post('/update-info', async (req, reply) => {
    const raw = req.body instanceof Uint8Array ? req.body : EMPTY;
    const address = req.socket.remoteAddress ?? 'unknown';
    let request: UpdateInfoRequest | undefined;
    let reason = '';
    try {
      request = parseUpdateInfoBody(raw);
    } catch (e) {
      if (!isDomainError(e)) throw e;
      reason = e.message; // the codec names the field (SPEC §3.6: 400, reason says which field)
    }
    const socket = req.socket as TLSSocket;
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
      const b = answer.body;
      return reply
        .code(200)
        .type('application/octet-stream')
        .send(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
    }
    const retryAfter = answer.status === 429 ? (answer.retryAfter ?? DEFAULT_RETRY_AFTER_S) : undefined;
    return sendCupsFailure(reply, answer.status, answer.reason, retryAfter);
  });
}
