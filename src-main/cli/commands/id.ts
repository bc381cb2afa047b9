/**
 * `gwjs id VALUE` — the identity checker (SPEC §1, §7): parses any accepted form and shows the
 * canonical ID6, the EUI-64, the MAC it came from, and the warnings of SPEC §1.3's note.
 */
import {
  formatEui64,
  formatId6,
  isLocallyAdministered,
  macFromEui,
  parseId,
  stationReportedId,
} from '../../../src-shared/ids';
import { DomainError, isDomainError } from '../../../src-shared/errors';
import type { Command } from '../command';

export const idCommand: Command = {
  name: 'id',
  summary: 'identity checker: parse an ID6, EUI-64, MAC-48 or 16-hex id',
  usage: 'VALUE',
  help: [],
  options: {},
  positionals: { min: 1, max: 1 },
  access: 'none',
  async run(args) {
    const input = args.positionals[0]!;
    let parsed;
    try {
      parsed = parseId(input);
    } catch (e) {
      if (isDomainError(e)) throw new DomainError('invalid_id', `id: ${e.message}`);
      throw e;
    }
    const { id, fromMac } = parsed;
    const id6 = formatId6(id);
    const eui64 = formatEui64(id);
    const mac = macFromEui(id) ?? null;
    const locallyAdministered = isLocallyAdministered(id);
    const reported = stationReportedId(id);
    const stationReports = reported === id ? null : formatId6(reported);
    const notes: string[] = [];
    if (fromMac) notes.push(`typed as a MAC-48: FF FE inserted after the OUI (no bit flip)`);
    if (locallyAdministered) {
      notes.push(
        'locally administered (bit 0x02 of the first byte): often a random Wi-Fi MAC, suspicious as a gateway id',
      );
    }
    if (stationReports !== null) {
      notes.push(
        `a Basics Station with this routerid reports ${stationReports} unless its euiprefix is ::0 (top 16 bits are zero)`,
      );
    }
    return {
      json: { id6, eui64, fromMac, mac, locallyAdministered, stationReports },
      text: [
        `ID6     ${id6}`,
        `EUI-64  ${eui64}`,
        ...(mac !== null ? [`MAC     ${mac}`] : []),
        ...notes.map((n) => `note: ${n}`),
      ].join('\n'),
    };
  },
};
