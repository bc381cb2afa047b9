/**
 * The shape of a `gwjs` command (SPEC §7) and the pieces every command shares: global options,
 * usage errors (exit 2), output (`--json` = exactly one JSON object on stdout, messages on stderr).
 */
import type { StationIo } from '../compose/io';
import type { ParseArgsConfig } from 'node:util';
import { httpStatusOf, isDomainError } from '../../src-shared/errors';

/** Options every command takes. */
export const GLOBAL_OPTIONS = {
  data: { type: 'string' },
  db: { type: 'string' },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
  'hsm-passphrase-file': { type: 'string' },
  'pin-file': { type: 'string' },
} as const satisfies NonNullable<ParseArgsConfig['options']>;

/** Help lines of the global options. */
export const GLOBAL_HELP = [
  '  --data DIR                 data directory (default $GWJS_DATA, else the platform app-data folder)',
  '  --db postgres://…          PostgreSQL store (server mode, docs/server-mode.md; else $GWJS_DB, else DIR/db)',
  '  --hsm-passphrase-file F    software HSM passphrase file (else $GWJS_HSM_PASSPHRASE, else DIR/hsm-passphrase)',
  '  --pin-file F               PKCS#11 token user PIN file (else $GWJS_HSM_PIN); never a plain argument',
  '  --json                     print exactly one JSON object on stdout (messages go to stderr)',
  '  -h, --help                 show this help',
];

/** Where a command writes; injectable so tests and the Electron shell can capture it. */
export type CliIo = StationIo;

/** Parsed arguments handed to a command. */
export interface CommandArgs {
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
  json: boolean;
}

/** What a finished command reports: the `--json` object and the human text. */
export interface CommandResult {
  json: Record<string, unknown>;
  text: string;
}

/** One `gwjs` command. */
export interface Command {
  /** e.g. `owner create` */
  name: string;
  summary: string;
  /** usage line after `gwjs <name>` */
  usage: string;
  /** help lines of the command's own options */
  help: string[];
  options: NonNullable<ParseArgsConfig['options']>;
  /** accepted positional count */
  positionals: { min: number; max: number };
  /**
   * What the command does to the station (docs/cli.md "While the server runs"): `read` changes no
   * state and, while `gwjs serve` holds the data directory, goes through the server's local door
   * (a command of `compose/local-door-commands.ts`); `write` is refused while a server holds it;
   * `none` opens no data directory.
   */
  access: 'read' | 'write' | 'none';
  /** runs the command; `undefined` = the command printed everything itself (serve) */
  run(args: CommandArgs, io: CliIo): Promise<CommandResult | undefined>;
}

/** The usage, help, options and positionals of a command that takes no argument at all. */
export const NO_ARGUMENTS: Pick<Command, 'usage' | 'help' | 'options' | 'positionals'> = {
  usage: '',
  help: [],
  options: {},
  positionals: { min: 0, max: 0 },
};

/** Bad usage or bad input: exit 2, the message names the problem. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** A string option's value, or a UsageError naming the missing flag. */
export function requireString(args: CommandArgs, name: string): string {
  const v = args.values[name];
  if (typeof v !== 'string' || v === '') throw new UsageError(`--${name} is required`);
  return v;
}

/** An optional string option. */
export function optionalString(args: CommandArgs, name: string): string | undefined {
  const v = args.values[name];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** A repeatable string option (always an array). */
export function stringList(args: CommandArgs, name: string): string[] {
  const v = args.values[name];
  return Array.isArray(v) ? v : typeof v === 'string' ? [v] : [];
}

/** Error codes that mean "the caller gave something wrong or missing" → exit 2. */
const INPUT_CODES = new Set(['hsm_locked', 'hsm_pin_incorrect']);

/** Exit status of a failure: 2 for bad usage or input, 1 otherwise (SPEC §7). */
export function exitCodeOf(err: unknown): 1 | 2 {
  if (err instanceof UsageError) return 2;
  if (isDomainError(err)) {
    const status = httpStatusOf(err.code);
    if (INPUT_CODES.has(err.code) || status === 400 || status === 404 || status === 413) return 2;
  }
  return 1;
}
