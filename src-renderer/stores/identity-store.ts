/**
 * Identity checker (SPEC §1, and the §1.3 note for users): any id form in, ID6 / EUI-64 / MAC side
 * by side out, with warnings for locally administered MACs and for the FFFE/`euiprefix` pitfall of
 * Basics Station. The same analysis drives the live check under every gateway id field.
 */
import { create } from 'zustand';
import {
  formatEui64,
  formatId6,
  isLocallyAdministered,
  macFromEui,
  parseId,
  stationReportedId,
} from '../../src-shared/ids';

/** A warning about an id that parses but may not be what the operator means. */
interface IdWarning {
  kind: 'locally-administered' | 'fffe-pitfall' | 'from-mac';
  text: string;
}

/** Result of {@link analyzeId}. */
export type IdAnalysis =
  | { ok: false; empty: boolean; error: string }
  | {
      ok: true;
      id6: string;
      eui64: string;
      /** the MAC-48 the EUI-64 was built from (FF FE in the middle), or null */
      mac: string | null;
      /** the input was a MAC-48 and FF FE was inserted */
      fromMac: boolean;
      warnings: IdWarning[];
    };

/** Plain-language reasons for a rejected id (SPEC §1.2), checked in order. */
function whyInvalid(text: string): string {
  if (text !== text.trim()) return 'Remove the spaces before or after the id.';
  if (/^0x/i.test(text)) return 'Write the id without "0x": e.g. 0000000000000abc or ::abc.';
  if (/^[0-9]+$/.test(text) && text.length !== 16) return 'Decimal numbers are not ids; use hex.';
  if (text === '::') return '"::" alone is not an id; write ::0 for zero.';
  if (/[-:]/.test(text) && /-/.test(text) && /:/.test(text)) return 'Do not mix "-" and ":" in one id.';
  if (/^[0-9a-f]{2}([-:][0-9a-f]{2})*$/i.test(text)) {
    const n = text.split(/[-:]/).length;
    return `${n} bytes: an EUI-64 has 8 bytes and a MAC has 6.`;
  }
  if (/[^0-9a-f:-]/i.test(text)) return 'Only hex digits (0-9, a-f) and ":" or "-" belong in an id.';
  if (/^[0-9a-f]+$/i.test(text)) return `${text.length} hex digits: a plain EUI has exactly 16.`;
  return 'Not an ID6 (4 groups, at most one "::"), EUI-64 or MAC-48.';
}

/** Analyses one typed id; never throws. */
export function analyzeId(text: string): IdAnalysis {
  if (text === '') return { ok: false, empty: true, error: '' };
  let parsed: { id: bigint; fromMac: boolean };
  try {
    parsed = parseId(text);
  } catch {
    return { ok: false, empty: false, error: whyInvalid(text) };
  }
  const { id, fromMac } = parsed;
  const warnings: IdWarning[] = [];
  if (isLocallyAdministered(id)) {
    warnings.push({
      kind: 'locally-administered',
      text:
        'Locally administered address (bit 0x02 of the first byte is set): typical of random Wi-Fi MACs. ' +
        'Check that this is really the gateway’s factory identity.',
    });
  }
  const reported = stationReportedId(id);
  if (reported !== id) {
    warnings.push({
      kind: 'fffe-pitfall',
      text:
        `The top 16 bits are zero. A Basics Station configured with routerid ${formatId6(id)} treats it as a MAC ` +
        `and reports ${formatId6(reported)} (${formatEui64(reported)}) instead — unless its station.conf sets ` +
        `"euiprefix": "::0".`,
    });
  }
  if (fromMac) {
    warnings.push({
      kind: 'from-mac',
      text: 'Typed as a MAC-48: FF FE was inserted between the OUI and the NIC (no bit flip).',
    });
  }
  return {
    ok: true,
    id6: formatId6(id),
    eui64: formatEui64(id),
    mac: macFromEui(id) ?? null,
    fromMac,
    warnings,
  };
}

/** State and actions of the identity checker store. */
interface IdentityState {
  input: string;
  analysis: IdAnalysis;
  /** the last ids checked, newest first (so an installer can compare labels) */
  history: { input: string; id6: string }[];
  setInput(text: string): void;
  /** puts the current valid id on top of the history */
  keep(): void;
}

/** The identity checker store. */
export const useIdentity = create<IdentityState>()((set, get) => ({
  input: '',
  analysis: analyzeId(''),
  history: [],
  setInput(text) {
    set({ input: text, analysis: analyzeId(text) });
  },
  keep() {
    const { input, analysis, history } = get();
    if (!analysis.ok) return;
    const rest = history.filter((h) => h.id6 !== analysis.id6);
    set({ history: [{ input, id6: analysis.id6 }, ...rest].slice(0, 20) });
  },
}));
