/**
 * `gwjs batch create` and `gwjs batch import` (SPEC §2, §7): a range of gateway EUIs sharing one
 * root key, generated inside the HSM or imported from its twin (raw 32 bytes, binary or hex).
 */
import type { BatchRow } from '../../core/api';
import { DomainError } from '../../../src-shared/errors';
import {
  optionalString,
  requireString,
  type Command,
  type CommandArgs,
  type CommandResult,
} from '../command';
import { readInputFile } from '../read-input';

const RANGE_OPTIONS = {
  first: { type: 'string' },
  last: { type: 'string' },
  flavor: { type: 'string' },
  'cups-uri': { type: 'string' },
} as const;

const RANGE_HELP = [
  '  --first ID                 first gateway EUI of the range (any id form)',
  '  --last ID                  last gateway EUI of the range (inclusive)',
  '  --flavor F                 gateway flavor recorded with the batch',
  '  --cups-uri URI             CUPS URI bundles of this batch carry (default: this server)',
];

function rangeInput(args: CommandArgs) {
  const flavor = optionalString(args, 'flavor');
  const cupsUri = optionalString(args, 'cups-uri');
  return {
    first: requireString(args, 'first'),
    last: requireString(args, 'last'),
    ...(flavor !== undefined ? { flavor } : {}),
    ...(cupsUri !== undefined ? { cupsUri } : {}),
  };
}

function result(b: BatchRow, verb: string): CommandResult {
  return {
    json: {
      batch: b.id,
      kcv: b.kcv,
      first: b.firstEui,
      last: b.lastEui,
      flavor: b.flavor,
      cupsUri: b.cupsUri,
    },
    text: `Batch ${b.id} ${verb}: ${b.firstEui} … ${b.lastEui}, KCV ${b.kcv}`,
  };
}

/**
 * Reads a raw root key file: exactly 32 bytes, or 64 hex digits (surrounding whitespace allowed).
 * @throws DomainError('invalid_request') naming the flag.
 */
function readRootKey(file: string): Uint8Array {
  const raw = readInputFile(file, '--root-key-file');
  try {
    if (raw.length === 32) return new Uint8Array(raw);
    const text = raw.toString('latin1').trim();
    if (/^[0-9A-Fa-f]{64}$/.test(text)) return new Uint8Array(Buffer.from(text, 'hex'));
  } finally {
    raw.fill(0);
  }
  throw new DomainError(
    'invalid_request',
    `--root-key-file: ${JSON.stringify(file)} holds ${raw.length} bytes; expected 32 raw bytes or 64 hex digits`,
  );
}

export const batchCreateCommand: Command = {
  name: 'batch create',
  summary: 'create a batch: a new root key generated inside the HSM',
  usage: '--first ID --last ID [--flavor F] [--cups-uri URI]',
  help: RANGE_HELP,
  options: RANGE_OPTIONS,
  positionals: { min: 0, max: 0 },
  access: 'write',
  async run(args, io) {
    const input = rangeInput(args);
    const { withStation } = await import('../open');
    return withStation(args, io, async (s) =>
      result(await s.core.batches.create(s.cliContext, input), 'created'),
    );
  },
};

export const batchImportCommand: Command = {
  name: 'batch import',
  summary: 'import a batch root key (raw 32 bytes, binary or hex) into the software HSM',
  usage: '--first ID --last ID --root-key-file F [--flavor F] [--cups-uri URI]',
  help: [...RANGE_HELP, '  --root-key-file F          the root key: 32 raw bytes or 64 hex digits'],
  options: { ...RANGE_OPTIONS, 'root-key-file': { type: 'string' } },
  positionals: { min: 0, max: 0 },
  access: 'write',
  async run(args, io) {
    const input = rangeInput(args);
    const key = readRootKey(requireString(args, 'root-key-file'));
    const { withStation } = await import('../open');
    try {
      return await withStation(args, io, async (s) =>
        result(await s.core.batches.import(s.cliContext, input, key), 'imported'),
      );
    } finally {
      key.fill(0);
    }
  },
};
