/**
 * `gwjs firmware upload` (SPEC §7, §3.4): stores an update image with its signatures, as the
 * `/api/v1/firmware/upload` endpoint does; every signature is verified before anything is stored.
 */
import { requireString, optionalString, stringList, UsageError, type Command } from '../command';
import { readInputFile } from '../read-input';

export const firmwareUploadCommand: Command = {
  name: 'firmware upload',
  summary: 'upload a firmware image with its signatures (each verified)',
  usage: '--owner ID --file F --sig KEYFILE:SIGFILE… [--version V] [--station-sign]',
  help: [
    '  --owner ID                 owner the image belongs to',
    '  --file F                   the update image (at most 12 MiB)',
    '  --sig KEYFILE:SIGFILE      a signer’s public key (64-byte sig-N.key, or PEM/DER) and its DER',
    '                             signature (`openssl dgst -sha512 -sign key.pem F`); repeatable',
    '  --version V                what version.txt says after the update',
    '  --station-sign             also sign with the station’s own update-signing key (its sig-0.key,',
    '                             `gwjs firmware key create`); then --sig is optional',
  ],
  options: {
    owner: { type: 'string' },
    file: { type: 'string' },
    sig: { type: 'string', multiple: true },
    version: { type: 'string' },
    'station-sign': { type: 'boolean', default: false },
  },
  positionals: { min: 0, max: 0 },
  access: 'write',
  async run(args, io) {
    const owner = requireString(args, 'owner');
    const image = new Uint8Array(readInputFile(requireString(args, 'file'), '--file'));
    const sigs = stringList(args, 'sig');
    const stationSign = args.values['station-sign'] === true;
    if (sigs.length === 0 && !stationSign) {
      throw new UsageError('--sig KEYFILE:SIGFILE is required (at least one signature), or --station-sign');
    }
    const signatures = sigs.map((pair) => {
      const i = pair.lastIndexOf(':');
      if (i <= 0 || i === pair.length - 1) throw new UsageError(`--sig: "${pair}" is not KEYFILE:SIGFILE`);
      return {
        key: new Uint8Array(readInputFile(pair.slice(0, i), '--sig key file')),
        signature: new Uint8Array(readInputFile(pair.slice(i + 1), '--sig signature file')),
      };
    });
    const version = optionalString(args, 'version');
    const { withStation } = await import('../open');
    return withStation(args, io, async (s) => {
      const r = await s.core.firmware.upload(s.cliContext, owner, {
        image,
        version,
        signatures,
        signWithStationKey: stationSign,
      });
      const hex = (n: number) => `0x${n.toString(16).padStart(8, '0')}`;
      return {
        json: { ...r },
        text: [
          `Firmware ${hex(r.fwcrc)} (${r.size} bytes${r.version !== null ? `, version ${r.version}` : ''}) ${r.created ? 'stored' : 'already stored; signatures merged'}.`,
          `Verifies with station keys: ${r.keys.map(hex).join(', ')}`,
          `Use it in a setup with "fwcrc": ${r.fwcrc}`,
        ].join('\n'),
      };
    });
  },
};
