/**
 * What a scanned code means for claiming (SPEC §6): a station label `GWJS:1:<16 hex EUI>:<PIN>`
 * gives the gateway and its PIN; a TTIGPRO1 code (`https://ttig.pro/c/<16 hex>/<token>`) names a
 * gateway but carries a The Things Network claim token, not our PIN — explained, not claimed;
 * anything else is explained too, so the installer knows what was read.
 */
import { parseScannedCode } from '../../src-shared/qr-payload';
import { euiHex, formatEui64, formatId6 } from '../../src-shared/ids';
import { formatPin } from '../../src-shared/pin';

/** A scanned code, interpreted for the claim screen. */
export type ScanOutcome =
  | {
      kind: 'gwjs';
      text: string;
      gateway: string;
      id6: string;
      eui64: string;
      pin: string;
      pinDisplay: string;
    }
  | { kind: 'ttig'; text: string; id6: string; eui64: string; explanation: string }
  | { kind: 'unknown'; text: string; explanation: string };

/** Interprets scanned text; never throws. */
export function scanToClaim(text: string): ScanOutcome {
  const code = parseScannedCode(text);
  switch (code.kind) {
    case 'gwjs': {
      const hex = euiHex(code.id);
      return {
        kind: 'gwjs',
        text,
        gateway: hex,
        id6: formatId6(code.id),
        eui64: formatEui64(code.id),
        pin: code.pin,
        pinDisplay: formatPin(code.pin),
      };
    }
    case 'ttig':
      return {
        kind: 'ttig',
        text,
        id6: formatId6(code.id),
        eui64: formatEui64(code.id),
        explanation: code.explanation,
      };
    default:
      return { kind: 'unknown', text, explanation: code.explanation };
  }
}
