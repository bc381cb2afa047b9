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
  // an Idempotency-Key sent again with another request (docs/sync.md)
  'idempotency_mismatch',
  // station / infrastructure
  'hsm_locked',
  'hsm_error',
  // the PKCS#11 token (docs/twin-hsm.md): what an operator can cause and fix
  'hsm_pin_incorrect',
  'hsm_pin_locked',
  'hsm_token_removed',
  'hsm_mechanism_unsupported',
  'hsm_token_full',
  // the key ceremony and custodian backup (docs/twin-hsm.md)
  'key_not_exportable',
  'ceremony_tampered',
  'ceremony_wrong_key',
  'kcv_mismatch',
  'share_invalid',
  'shares_insufficient',
  'store_busy',
  'store_corrupt',
  /** the disk is full: writes are refused (507), reads keep working (docs/security.md) */
  'storage_full',
  'conflict',
  'internal',
  // the station as seen from a client (the renderer's HTTP transport): no answer at all
  'station_unreachable',
  // label printers (src-main/adapters/printers): why a print job did not reach the printer
  'printer_refused',
  'printer_timeout',
  'printer_unreachable',
  'printer_unavailable',
  'printer_io',
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
  idempotency_mismatch: 422,
  hsm_locked: 503,
  hsm_error: 500,
  hsm_pin_incorrect: 403,
  hsm_pin_locked: 423,
  hsm_token_removed: 503,
  hsm_mechanism_unsupported: 501,
  hsm_token_full: 507,
  key_not_exportable: 409,
  ceremony_tampered: 400,
  ceremony_wrong_key: 400,
  kcv_mismatch: 409,
  share_invalid: 400,
  shares_insufficient: 400,
  store_busy: 503,
  store_corrupt: 500,
  storage_full: 507,
  conflict: 409,
  internal: 500,
  station_unreachable: 503,
  printer_refused: 503,
  printer_timeout: 504,
  printer_unreachable: 503,
  printer_unavailable: 503,
  printer_io: 502,
};

/** The printer family of {@link ErrorCode}: what a printer transport fails with. */
export const PRINTER_ERROR_CODES = [
  /** nothing listens at the address (printer off, wrong port) */
  'printer_refused',
  /** no answer in time (connect, or the printer stopped taking data) */
  'printer_timeout',
  /** host name unknown or network unreachable */
  'printer_unreachable',
  /** no usable printer on this transport (e.g. no USB printer-class device) */
  'printer_unavailable',
  /** the connection or transfer broke */
  'printer_io',
] as const satisfies readonly ErrorCode[];

/** One printer error code. */
export type PrinterErrorCode = (typeof PRINTER_ERROR_CODES)[number];

/** True when `code` is one of the product's error codes. */
export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && (ERROR_CODES as readonly string[]).includes(code);
}

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

/**
 * True for a printer transport failure (`PrinterError` of src-main/adapters/printers, recognized by
 * shape so shared code needs no adapter import): its `code` is one of {@link PRINTER_ERROR_CODES}.
 */
function isPrinterFailure(e: unknown): e is Error & { code: PrinterErrorCode } {
  return (
    typeof e === 'object' &&
    e !== null &&
    (e as { name?: unknown }).name === 'PrinterError' &&
    (PRINTER_ERROR_CODES as readonly unknown[]).includes((e as { code?: unknown }).code) &&
    typeof (e as { message?: unknown }).message === 'string'
  );
}

/**
 * The stable code of a thrown value a door may show its caller: a {@link DomainError}'s or a
 * printer failure's; undefined for anything else (an unexpected error: `internal` without detail).
 */
export function knownErrorOf(e: unknown): { code: ErrorCode; message: string } | undefined {
  if (isDomainError(e)) return { code: e.code, message: e.message };
  if (isPrinterFailure(e)) return { code: e.code, message: e.message };
  return undefined;
}

/** Converts any thrown value into the envelope; unknown errors become `internal` without detail. */
export function toErrorBody(e: unknown): ErrorBody {
  const known = knownErrorOf(e);
  if (known !== undefined) return { error: known.message, code: known.code };
  return { error: 'internal error', code: 'internal' };
}
