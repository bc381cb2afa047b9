/**
 * Maps anything a route can throw to an HTTP status and the `{error, code}` envelope (SPEC §4.2:
 * never 500 for bad input). DomainErrors map through HTTP_STATUS; fastify's own transport errors
 * (body too large, unsupported media type, bad Content-Length) get stable codes; everything else
 * is `500 internal` and is logged without request data.
 */
import { httpStatusOf, isDomainError, type ErrorBody } from '../../../src-shared/errors';
import type { Logger } from '../../core/ports';

/** A failure ready to send. */
interface HttpFailure {
  status: number;
  body: ErrorBody;
}

interface FastifyLikeError {
  code?: unknown;
  statusCode?: unknown;
  message?: unknown;
}

/**
 * Converts a thrown value into a status and envelope. `limits.bodyBytes` only words the message of
 * a too-large body. Unknown errors are logged (message and stack only) and become 500.
 */
export function toHttpFailure(
  err: unknown,
  logger: Logger | undefined,
  limits: { bodyBytes: number },
): HttpFailure {
  if (isDomainError(err))
    return { status: httpStatusOf(err.code), body: { error: err.message, code: err.code } };
  const e = (typeof err === 'object' && err !== null ? err : {}) as FastifyLikeError;
  switch (e.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return {
        status: 413,
        body: { error: `body: larger than the limit of ${limits.bodyBytes} bytes`, code: 'body_too_large' },
      };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return {
        status: 415,
        body: { error: 'content-type: expected application/json', code: 'invalid_request' },
      };
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return {
        status: 400,
        body: { error: 'content-length: does not match the body received', code: 'invalid_request' },
      };
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return { status: 400, body: { error: 'body: empty, expected a JSON object', code: 'invalid_json' } };
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return { status: 400, body: { error: 'body: not valid JSON', code: 'invalid_json' } };
  }
  // Other client-side transport failures fastify flags with a 4xx (aborted bodies, bad headers).
  if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    return {
      status: e.statusCode,
      body: {
        error: `request: ${typeof e.message === 'string' ? e.message : 'rejected'}`,
        code: 'invalid_request',
      },
    };
  }
  logger?.error(
    {
      err: {
        name: err instanceof Error ? err.name : typeof err,
        message: err instanceof Error ? err.message : String(err),
        stack: err instanceof Error ? err.stack : undefined,
      },
    },
    'request failed',
  );
  return { status: 500, body: { error: 'internal error', code: 'internal' } };
}
