/**
 * Failures of a printer transport, with a stable `code` the UI can switch on and a message that names
 * the printer and says what to check. (The shared ErrorCode list has no printer code yet; doors map
 * a PrinterError to `503` with this code.)
 */

/** Why a print job did not reach the printer. */
export type PrinterErrorCode =
  /** nothing listens at the address (printer off, wrong port) */
  | 'printer_refused'
  /** no answer in time (connect, or the printer stopped taking data) */
  | 'printer_timeout'
  /** host name unknown or network unreachable */
  | 'printer_unreachable'
  /** no usable printer on this transport (e.g. no USB printer-class device) */
  | 'printer_unavailable'
  /** the connection or transfer broke */
  | 'printer_io';

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

/** True for a {@link PrinterError} (also across module copies, by shape). */
export function isPrinterError(e: unknown): e is PrinterError {
  return (
    e instanceof PrinterError ||
    (typeof e === 'object' && e !== null && (e as { name?: unknown }).name === 'PrinterError')
  );
}
