/**
 * The Printer port (DESIGN §1): how the core hands finished label bytes (ZPL for Zebra printers) to a
 * transport. Adapters: raw TCP 9100 and USB printer class (src-main/adapters/printers); the Electron
 * OS printer lives in the app layer.
 */

/** Which transport a printer is reached through. */
type PrinterKind = 'tcp9100' | 'usb' | 'os';

/**
 * Whether a printer can take a job now. `reason` is short and stable enough to show as a state (USB:
 * `'no USB printer'`); `detail` says why, for the operator.
 */
export type PrinterAvailability =
  { available: true; detail: string } | { available: false; reason: string; detail?: string };

/** What a successful send reports. */
export interface PrintResult {
  bytesSent: number;
}

/** A printer the core can send raw label bytes to. */
export interface PrinterTransport {
  readonly kind: PrinterKind;
  /** checks reachability without printing; never throws */
  availability(): Promise<PrinterAvailability>;
  /** sends the bytes as one job; rejects with a clear error when the printer cannot take them */
  send(data: Uint8Array): Promise<PrintResult>;
}
