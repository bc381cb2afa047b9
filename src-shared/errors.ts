/**
 * Domain errors as data (CONVENTIONS "Errors"): a stable snake_case `code`, a human message that
 * names the offending field, and optional attributes. Every door maps a `DomainError` to its
 * transport with {@link httpStatusOf}; the UI switches on `code`, never on the message.
 */

/** Every error code the product can answer with. SPEC §4.2 lists the required minimum. */
export const ERROR_CODES = [
  // SPEC §4.2 per-item codes
  'invalid_id',
  'not_found',
  'not_claimed',
  'claimed_by_other',
  'bad_claim',
  'claim_locked',
  'invalid_uri',
  'trust_required',
  'invalid_credential',
  'add_limit',
  'batch_conflict',
  'already_exists',
  'unknown_firmware',
  'duplicate_in_request',
  // whole-request / transport problems
  'invalid_request',
  'invalid_json',
  'body_too_large',
  'too_many_items',
  'unauthorized',
  'forbidden',
  'rate_limited',
  'not_configured',
  // station / infrastructure
  'hsm_locked',
  'hsm_error',
  'store_busy',
  'store_corrupt',
  'conflict',
  'internal',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** HTTP status for each code; exhaustive so a new code cannot be forgotten. */
export const HTTP_STATUS: Record<ErrorCode, number> = {
  invalid_id: 400,
  not_found: 404,
  not_claimed: 409,
  claimed_by_other: 409,
  bad_claim: 403,
  claim_locked: 429,
  invalid_uri: 400,
  trust_required: 400,
  invalid_credential: 400,
  add_limit: 409,
  batch_conflict: 409,
  already_exists: 409,
  unknown_firmware: 400,
  duplicate_in_request: 400,
  invalid_request: 400,
  invalid_json: 400,
  body_too_large: 413,
  too_many_items: 400,
  unauthorized: 401,
  forbidden: 403,
  rate_limited: 429,
  not_configured: 404,
  hsm_locked: 503,
  hsm_error: 500,
  store_busy: 503,
  store_corrupt: 500,
  conflict: 409,
  internal: 500,
};

/** A failure the caller can act on. `message` names the field and quotes bad input. */
export class DomainError extends Error {
  override readonly name = 'DomainError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly attributes: Readonly<Record<string, unknown>> = {},
  ) {
    super(message);
  }
}

/** HTTP status of an error code. */
export const httpStatusOf = (code: ErrorCode): number => HTTP_STATUS[code];

/** True for a {@link DomainError} (also across module copies, by shape). */
export function isDomainError(e: unknown): e is DomainError {
  return (
    e instanceof DomainError ||
    (typeof e === 'object' &&
      e !== null &&
      (e as { name?: unknown }).name === 'DomainError' &&
      typeof (e as { code?: unknown }).code === 'string')
  );
}

/** The `{error, code}` envelope every door answers failures with. */
export interface ErrorBody {
  error: string;
  code: ErrorCode;
}

/** Converts any thrown value into the envelope; unknown errors become `internal` without detail. */
export function toErrorBody(e: unknown): ErrorBody {
  if (isDomainError(e)) return { error: e.message, code: e.code };
  return { error: 'internal error', code: 'internal' };
}
