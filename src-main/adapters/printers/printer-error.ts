/**
 * Failures of a printer transport, with a stable `code` the UI can switch on and a message that names
 * the printer and says what to check. The codes are the printer family of the shared error codes
 * (`PRINTER_ERROR_CODES` in src-shared/errors.ts), so every door answers them as they are
 * (`knownErrorOf`, HTTP 502–504) instead of `internal`.
 */
import type { PrinterErrorCode } from '../../../src-shared/errors';

/** Why a print job did not reach the printer (see `PRINTER_ERROR_CODES`). */
export type { PrinterErrorCode };

/** A print job that failed; `message` names the printer and the likely fix. */
export class PrinterError extends Error {
  override readonly name = 'PrinterError';
  constructor(
    readonly code: PrinterErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
