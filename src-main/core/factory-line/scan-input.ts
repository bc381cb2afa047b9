/**
 * What a keyboard-wedge scanner (or a person) typed into the line's one field (docs/factory-line.md):
 * an EUI-64, a MAC-48 (→ EUI-64 by inserting FF FE, SPEC §1.2), an ID6, 16 plain hex digits (the
 * label's Code 128) or a GWJS label QR (SPEC §6). Scanners add CR/LF or spaces around the code;
 * those are dropped.
 */
import { DomainError } from '../../../src-shared/errors';
import { parseId } from '../../../src-shared/ids';
import { parseScannedCode } from '../../../src-shared/qr-payload';

/** A parsed scan: the gateway and whether it came from a MAC (the label then shows the MAC). */
export interface ScannedGateway {
  id: bigint;
  fromMac: boolean;
}

/**
 * Reads the gateway out of a scan.
 * @throws DomainError('invalid_id') naming `scan` and quoting the (shortened) input.
 */
export function parseScanInput(raw: string): ScannedGateway {
  const text = typeof raw === 'string' ? raw.trim() : '';
  if (/^GWJS:/i.test(text)) {
    const code = parseScannedCode(text);
    if (code.kind === 'gwjs') return { id: code.id, fromMac: false };
    throw new DomainError('invalid_id', `scan: ${code.explanation}`, { field: 'scan' });
  }
  try {
    return parseId(text);
  } catch {
    const shown = JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text);
    throw new DomainError(
      'invalid_id',
      `scan: ${shown} is not a gateway id (EUI-64, MAC-48, ID6, 16 hex digits or a GWJS label)`,
      { field: 'scan' },
    );
  }
}
