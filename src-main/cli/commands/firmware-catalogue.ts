/**
 * `gwjs firmware list | delete | sign | key create | key export` (SPEC §3.4, §7): the firmware
 * catalogue and the station's own update-signing key, from the command line. The CLI acts as the
 * station operator (admin): without `--owner`, `list` shows every image and `delete`/`sign` act on
 * any image.
 */
import { chmod, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { optionalString, requireString, type Command } from '../command';

const hex = (n: number): string => `0x${n.toString(16).padStart(8, '0')}`;

export const firmwareListCommand: Command = {
  name: 'firmware list',
  summary: 'list firmware images (an owner’s and the shared ones, or all)',
  usage: '[--owner ID]',
  help: ['  --owner ID                 only this owner’s images and the shared ones (default: all)'],
  options: { owner: { type: 'string' } },
  positionals: { min: 0, max: 0 },
  access: 'read',
  async run(args, io) {
    const owner = optionalString(args, 'owner') ?? null;
    const { askStation } = await import('../open');
    // read-only: while `gwjs serve` holds the store, the server answers (docs/cli.md)
    const { firmware } = await askStation(args, io, 'firmware', { owner });
    return {
      json: { firmware },
      text:
        firmware.length === 0
          ? 'No firmware images.'
          : firmware
              .map(
                (f) =>
                  `${f.fwcrcHex}  ${String(f.size).padStart(9)} B  ${(f.version ?? '-').padEnd(12)}  owner ${f.owner ?? 'shared'}  keys ${f.keys.map(hex).join(',')}`,
              )
              .join('\n'),
    };
  },
};

export const firmwareDeleteCommand: Command = {
  name: 'firmware delete',
  summary: 'delete a firmware image no setup still waits for',
  usage: '--fwcrc CRC [--owner ID]',
  help: [
    '  --fwcrc CRC                the image (decimal or 0x-hex CRC-32)',
    '  --owner ID                 the owner holding it (default: any; shared images need no owner)',
  ],
  options: { fwcrc: { type: 'string' }, owner: { type: 'string' } },
  positionals: { min: 0, max: 0 },
  access: 'write',
  async run(args, io) {
    const fwcrc = requireString(args, 'fwcrc');
    const owner = optionalString(args, 'owner') ?? null;
    const { withStation } = await import('../open');
    return withStation(args, io, async (s) => {
      const r = await s.core.firmware.delete(s.cliContext, owner, fwcrc);
      return { json: r, text: `Firmware ${hex(r.fwcrc)} deleted.` };
    });
  },
};

export const firmwareSignCommand: Command = {
  name: 'firmware sign',
  summary: 'sign a stored firmware image with the station’s update-signing key',
  usage: '--fwcrc CRC',
  help: ['  --fwcrc CRC                the image (decimal or 0x-hex CRC-32)'],
  options: { fwcrc: { type: 'string' } },
  positionals: { min: 0, max: 0 },
  access: 'write',
  async run(args, io) {
    const fwcrc = requireString(args, 'fwcrc');
    const { withStation } = await import('../open');
    return withStation(args, io, async (s) => {
      const r = await s.core.firmware.signWithStationKey(s.cliContext, null, fwcrc);
      return {
        json: { fwcrc: r.fwcrc, keys: r.keys },
        text: `Firmware ${hex(r.fwcrc)} verifies with station keys: ${r.keys.map(hex).join(', ')}`,
      };
    });
  },
};

/** Writes the 64-byte sig-0.key file (public: mode 0644). */
async function writeKeyFile(file: string, raw: Uint8Array): Promise<string> {
  const target = path.resolve(file);
  await writeFile(target, raw, { mode: 0o644 });
  await chmod(target, 0o644);
  return target;
}

export const firmwareKeyCreateCommand: Command = {
  name: 'firmware key create',
  summary: 'create the station’s update-signing key (ECDSA P-256, inside the HSM)',
  usage: '[--label L] [--out FILE]',
  help: [
    '  --label L                  label of the key in the HSM',
    '  --out FILE                 also write its public key as the gateway’s sig-0.key file (64 bytes)',
  ],
  options: { label: { type: 'string' }, out: { type: 'string' } },
  positionals: { min: 0, max: 0 },
  access: 'write',
  async run(args, io) {
    const label = optionalString(args, 'label');
    const out = optionalString(args, 'out');
    const { withStation } = await import('../open');
    return withStation(args, io, async (s) => {
      const key = await s.core.signingKeys.create(s.cliContext, ...(label !== undefined ? [label] : []));
      const file = out === undefined ? null : await writeKeyFile(out, key.publicKey);
      return {
        json: { handle: key.handle, keyCrc: key.keyCrc, label: key.label, file },
        text: [
          `Update-signing key ${key.handle} created (key CRC ${hex(key.keyCrc)}); it is now the active one.`,
          'Personalization bundles carry its public key as sig-0.key from now on.',
          ...(file !== null ? [`sig-0.key written to ${file}`] : []),
        ].join('\n'),
      };
    });
  },
};

export const firmwareKeyExportCommand: Command = {
  name: 'firmware key export',
  summary: 'write the station’s update-signing public key as a sig-0.key file',
  usage: '--out FILE',
  help: ['  --out FILE                 where to write the 64-byte sig-0.key (X ‖ Y of the public key)'],
  options: { out: { type: 'string' } },
  positionals: { min: 0, max: 0 },
  access: 'read',
  async run(args, io) {
    const out = requireString(args, 'out');
    const [{ askStation }, { base64ToBytes }] = await Promise.all([
      import('../open'),
      import('../../../src-shared/bytes'),
    ]);
    // read-only: while `gwjs serve` holds the store, the server answers (docs/cli.md)
    const key = await askStation(args, io, 'signing-key', {});
    const file = await writeKeyFile(out, base64ToBytes(key.keyFile));
    return {
      json: { keyCrc: key.keyCrc, file },
      text: `sig-0.key written to ${file} (key CRC ${key.keyCrc === null ? '?' : hex(key.keyCrc)})`,
    };
  },
};
