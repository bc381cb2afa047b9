/**
 * Label QR payload (SPEC §6): `GWJS:1:<16 hex EUI>:<8-char PIN>`, uppercase so it fits the QR
 * alphanumeric mode, and the reader behind the claim screen's scanner, which also recognizes
 * TTIGPRO1 codes and explains anything it cannot use.
 */

import { euiFromHex, euiHex, formatEui64, formatId6, parseId } from './ids';
import { assertCanonicalPin, normalizePin } from './pin';

/** Prefix and format version of our payload. */
const QR_PREFIX = 'GWJS';
const QR_VERSION = 1;

/** What a scanned code turned out to be; `explanation` is a sentence for the user. */
type ScannedCode =
  | { kind: 'gwjs'; id: bigint; pin: string }
  | { kind: 'ttig'; id: bigint; token: string; explanation: string }
  | { kind: 'unknown'; explanation: string };

/**
 * The QR payload of a label: `GWJS:1:<16 uppercase hex EUI>:<PIN>`, e.g.
 * `GWJS:1:000000FFFE000ABC:6CVHEQSA`. Only characters of the QR alphanumeric set.
 * @throws DomainError('bad_claim') when `pin8` is not a canonical 8-symbol PIN.
 */
export function encodeQrPayload(id: bigint, pin8: string): string {
  assertCanonicalPin(pin8);
  return `${QR_PREFIX}:${QR_VERSION}:${euiHex(id)}:${pin8}`;
}

const GWJS = /^GWJS:([^:]*):(.*)$/i;
const GWJS_V1 = /^([0-9A-Fa-f]{16}):([^:]+)$/;
const TTIG = /^https?:\/\/ttig\.pro\/c\/([0-9A-Fa-f]{16})\/([A-Za-z0-9._~%+=-]+)\/?$/i;
const LORAWAN_DEVICE = /^LW:D0:/i;
const URL_LIKE = /^[a-z][a-z0-9+.-]*:\/\/([^/?#\s]*)/i;

function preview(text: string): string {
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text);
}

/**
 * Reads what a scanner returned (surrounding whitespace, as scanners add CR/LF, is ignored):
 * - `GWJS:1:<EUI>:<PIN>` → `gwjs` with the id and the canonical PIN (typed-PIN rules of §2 apply);
 * - `https://ttig.pro/c/<16 hex>/<token>` (TTIGPRO1) → `ttig`: the gateway id and a TTN claim
 *   token, which is not a GWJS PIN;
 * - anything else → `unknown`, with a sentence saying what it looks like and what to do.
 */
export function parseScannedCode(text: string): ScannedCode {
  const t = typeof text === 'string' ? text.trim() : '';
  if (t === '') return { kind: 'unknown', explanation: 'The code is empty.' };

  const g = GWJS.exec(t);
  if (g !== null) {
    if (g[1] !== String(QR_VERSION)) {
      return {
        kind: 'unknown',
        explanation:
          `This is a GWJS label of format ${preview(g[1]!)}; this station reads format ${QR_VERSION}. ` +
          'Type the gateway EUI and the claim PIN printed on the label.',
      };
    }
    const v1 = GWJS_V1.exec(g[2]!);
    if (v1 !== null) {
      try {
        return { kind: 'gwjs', id: euiFromHex(v1[1]!), pin: normalizePin(v1[2]!) };
      } catch {
        // falls through to the explanation below
      }
    }
    return {
      kind: 'unknown',
      explanation:
        `This looks like a GWJS label but ${preview(t)} is damaged (expected GWJS:1:<16 hex EUI>:<8-character PIN>). ` +
        'Type the gateway EUI and the claim PIN printed on the label.',
    };
  }

  const ttig = TTIG.exec(t);
  if (ttig !== null) {
    const id = euiFromHex(ttig[1]!);
    return {
      kind: 'ttig',
      id,
      token: ttig[2]!,
      explanation:
        `This is a TTIG Pro (TTIGPRO1) code for gateway ${formatId6(id)} (${formatEui64(id)}). ` +
        'It carries a claim token for The Things Network, not a GWJS claim PIN: claim the gateway in ' +
        'the TTN console with it, or type the GWJS PIN if the gateway has one.',
    };
  }

  if (LORAWAN_DEVICE.test(t)) {
    return {
      kind: 'unknown',
      explanation: 'This is a LoRaWAN end-device code (LoRa Alliance TR005), not a gateway claim code.',
    };
  }

  try {
    const { id, fromMac } = parseId(t);
    return {
      kind: 'unknown',
      explanation:
        `This is only a gateway ${fromMac ? 'MAC' : 'identifier'} (${formatEui64(id)}), without a claim PIN. ` +
        "Scan the label's QR code or type the PIN (XXXX-XXXX).",
    };
  } catch {
    // not an id either
  }

  const url = URL_LIKE.exec(t);
  if (url !== null) {
    return {
      kind: 'unknown',
      explanation: `This is a link to ${preview(url[1]!)}, not a gateway claim code.`,
    };
  }

  return {
    kind: 'unknown',
    explanation: `${preview(t)} is not a gateway claim code (expected GWJS:1:<EUI>:<PIN> from a GWJS label).`,
  };
}
