/**
 * The two symbols of a label (SPEC §6) as plain geometry, for the PDF and PNG renderers (ZPL lets the
 * printer encode them): the QR module matrix from `qrcode` (alphanumeric mode, error correction M)
 * and the Code 128 bar/space run lengths from `bwip-js`.
 */
import QRCode from 'qrcode';
import bwipjs from 'bwip-js/node';
import { QR_SYMBOL_MODULES } from '../../core/labels/label-template';

/** A square QR module matrix; `dark(row, col)` is true for a dark module. */
interface QrMatrix {
  size: number;
  version: number;
  dark(row: number, col: number): boolean;
}

/**
 * Encodes the QR payload in alphanumeric mode at error correction M (SPEC §6).
 * @throws Error when the payload leaves the QR alphanumeric alphabet or outgrows version 2, the size
 * every template reserves room for.
 */
export function qrMatrix(payload: string): QrMatrix {
  if (!/^[0-9A-Z $%*+\-./:]+$/.test(payload)) {
    throw new Error(`QR payload ${JSON.stringify(payload)} is not QR alphanumeric (uppercase) text`);
  }
  const qr = QRCode.create([{ data: payload, mode: 'alphanumeric' }], { errorCorrectionLevel: 'M' });
  const { size, data } = qr.modules;
  if (size > QR_SYMBOL_MODULES) {
    throw new Error(`QR payload ${JSON.stringify(payload)} needs ${size} modules, labels reserve 25`);
  }
  return { size, version: qr.version, dark: (r, c) => data[r * size + c] === 1 };
}

/** A Code 128 symbol as alternating bar/space widths in modules, starting with a bar; no quiet zones. */
interface Code128Pattern {
  runs: number[];
  totalModules: number;
}

/** Encodes `data` as Code 128 with bwip-js (it picks code sets A/B/C to keep the symbol short). */
export function code128Pattern(data: string): Code128Pattern {
  const raw = bwipjs.raw('code128', data, {});
  const first = raw[0];
  if (!first || !('sbs' in first))
    throw new Error(`bwip-js gave no Code 128 bars for ${JSON.stringify(data)}`);
  const runs = first.sbs.slice();
  return { runs, totalModules: runs.reduce((a, b) => a + b, 0) };
}
