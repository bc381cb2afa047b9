/**
 * `gwjs` — the scriptable surface of the station (SPEC §7). Parses the command line with
 * node:util parseArgs, runs one command, prints its result (`--json`: exactly one JSON object on
 * stdout) and returns the exit status: 0 success, 2 bad usage or input, 1 any other failure.
 */
import { parseArgs } from 'node:util';
import { isDomainError } from '../../src-shared/errors';
import { exitCodeOf, GLOBAL_HELP, GLOBAL_OPTIONS, UsageError, type CliIo, type Command } from './command';
import { batchCreateCommand, batchImportCommand } from './commands/batch';
import { certIssueCommand, certListCommand, certRevokeCommand } from './commands/cert';
import { firmwareUploadCommand } from './commands/firmware';
import {
  firmwareDeleteCommand,
  firmwareKeyCreateCommand,
  firmwareKeyExportCommand,
  firmwareListCommand,
  firmwareSignCommand,
} from './commands/firmware-catalogue';
import { labelCommand } from './commands/label';
import {
  batchConfigureCommand,
  batchListCommand,
  claimManifestCommand,
  manifestExportCommand,
  pregenerateCommand,
} from './commands/factory';
import { HSM_COMMANDS } from './commands/hsm';
import { dbRecoverCommand } from './commands/db-recover';
import { dbExportCommand, dbImportCommand, dbMigrateCommand } from './commands/db';
import { idCommand } from './commands/id';
import { initCommand } from './commands/init';
import { keyCreateCommand, ownerCreateCommand } from './commands/owner';
import { personalizeCommand } from './commands/personalize';
import { serveCommand } from './commands/serve';
import {
  syncLinkCommand,
  syncNowCommand,
  syncPullCommand,
  syncPushCommand,
  syncSitePackFetchCommand,
  syncSitePackStatusCommand,
  syncStatusCommand,
  syncUnlinkCommand,
} from './commands/sync';

/** Every command, in help order. */
export const COMMANDS: readonly Command[] = [
  initCommand,
  serveCommand,
  ownerCreateCommand,
  keyCreateCommand,
  batchCreateCommand,
  batchImportCommand,
  batchListCommand,
  batchConfigureCommand,
  personalizeCommand,
  pregenerateCommand,
  manifestExportCommand,
  claimManifestCommand,
  idCommand,
  labelCommand,
  firmwareUploadCommand,
  firmwareListCommand,
  firmwareDeleteCommand,
  firmwareSignCommand,
  firmwareKeyCreateCommand,
  firmwareKeyExportCommand,
  certIssueCommand,
  certListCommand,
  certRevokeCommand,
  ...HSM_COMMANDS,
  syncLinkCommand,
  syncUnlinkCommand,
  syncStatusCommand,
  syncNowCommand,
  syncPullCommand,
  syncPushCommand,
  syncSitePackFetchCommand,
  syncSitePackStatusCommand,
  dbRecoverCommand,
  dbMigrateCommand,
  dbExportCommand,
  dbImportCommand,
];

function overview(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'gwjs — gateway join server and provisioning station (LoRa Basics Station CUPS + Owner API)',
    '',
    'Usage: gwjs <command> [options]',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Options of every command:',
    ...GLOBAL_HELP,
    '',
    'Exit status: 0 success, 2 bad usage or input, 1 other failure. `gwjs <command> --help` for details.',
  ].join('\n');
}

function commandHelp(c: Command): string {
  return [
    `gwjs ${c.name} — ${c.summary}`,
    '',
    `Usage: gwjs ${c.name} ${c.usage}`.trimEnd(),
    ...(c.help.length > 0 ? ['', 'Options:', ...c.help] : []),
    '',
    'Options of every command:',
    ...GLOBAL_HELP,
  ].join('\n');
}

/** Finds the command named by the leading words of `argv`; returns it and the remaining args. */
function findCommand(argv: readonly string[]): { command: Command; rest: string[] } | undefined {
  for (const c of COMMANDS) {
    const words = c.name.split(' ');
    if (words.every((w, i) => argv[i] === w)) return { command: c, rest: argv.slice(words.length) };
  }
  return undefined;
}

/** Runs `gwjs` with `argv` (without node and script). Resolves to the exit status. */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const wantsJson = argv.includes('--json');
  const fail = (err: unknown): number => {
    const code = exitCodeOf(err);
    const message = err instanceof Error ? err.message : String(err);
    io.stderr(`gwjs: ${message}\n`);
    if (code === 2 && !(isDomainError(err) || err instanceof UsageError)) io.stderr('Try `gwjs --help`.\n');
    if (wantsJson) {
      const errCode = isDomainError(err) ? err.code : code === 2 ? 'invalid_request' : 'internal';
      io.stdout(`${JSON.stringify({ error: message, code: errCode })}\n`);
    }
    return code;
  };

  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    if (argv.length === 0) {
      io.stderr(`${overview()}\n`);
      return 2;
    }
    io.stdout(`${overview()}\n`);
    return 0;
  }
  const found = findCommand(argv);
  if (found === undefined) {
    const group = COMMANDS.filter((c) => c.name.startsWith(`${argv[0]} `)).map((c) => `gwjs ${c.name}`);
    return fail(
      new UsageError(
        group.length > 0
          ? `"${argv.slice(0, 2).join(' ')}" is not a command; did you mean ${group.join(' or ')}?`
          : `unknown command "${argv[0]}"; commands: ${COMMANDS.map((c) => c.name).join(', ')}`,
      ),
    );
  }
  const { command, rest } = found;
  let parsed;
  try {
    parsed = parseArgs({
      args: rest,
      options: { ...GLOBAL_OPTIONS, ...command.options },
      allowPositionals: true,
      strict: true,
    });
  } catch (e) {
    return fail(new UsageError(`${command.name}: ${e instanceof Error ? e.message : String(e)}`));
  }
  const values = parsed.values as Record<string, string | boolean | string[] | undefined>;
  if (values.help === true) {
    io.stdout(`${commandHelp(command)}\n`);
    return 0;
  }
  const { min, max } = command.positionals;
  if (parsed.positionals.length < min || parsed.positionals.length > max) {
    return fail(
      new UsageError(
        parsed.positionals.length < min
          ? `${command.name}: missing argument (usage: gwjs ${command.name} ${command.usage})`
          : `${command.name}: unexpected argument "${parsed.positionals[max]}"`,
      ),
    );
  }
  const json = values.json === true;
  try {
    const result = await command.run({ values, positionals: parsed.positionals, json }, io);
    if (result !== undefined) io.stdout(json ? `${JSON.stringify(result.json)}\n` : `${result.text}\n`);
    return 0;
  } catch (e) {
    return fail(e);
  }
}
