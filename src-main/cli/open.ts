/**
 * Opening the station for one CLI command: data directory and passphrase from the global options
 * (SPEC §7), a clear message when a running server holds the store lock, and a guaranteed close.
 * Read-only commands ask the running server instead (docs/cli.md "While the server runs").
 */
import { isDomainError, DomainError } from '../../src-shared/errors';
import { optionalString, type CliIo, type CommandArgs } from './command';
import { resolvePin } from '../adapters/hsm/station-hsm';
import { isPgUrl } from '../adapters/store/pg-url';
import { resolveDataDir } from '../compose/data-dir';
import { openStation, passphraseFor, type OpenStationOptions, type Station } from '../compose/station';
import {
  LOCAL_DOOR_CLI_COMMANDS,
  runLocalDoorCommand,
  type LocalDoorAnswer,
  type LocalDoorCommandName,
  type LocalDoorRequest,
} from '../compose/local-door-commands';
import type { FactoryLineServices } from '../core/factory-line';

/** Data directory of a command invocation. */
export function dataDirOf(args: CommandArgs, io: CliIo): string {
  return resolveDataDir(optionalString(args, 'data'), io.env);
}

/** Station options common to every command (data dir, passphrase). */
export function stationOptionsOf(args: CommandArgs, io: CliIo): OpenStationOptions {
  const dataDir = dataDirOf(args, io);
  const db = dbOf(args, io);
  return {
    dataDir,
    passphrase: passphraseFor(dataDir, optionalString(args, 'hsm-passphrase-file'), io.env),
    pin: resolvePin({ file: optionalString(args, 'pin-file'), env: io.env }),
    ...(db !== undefined ? { db } : {}),
  };
}

/** The PostgreSQL URL of a command invocation: `--db`, else `$GWJS_DB`, else none (sql.js in DIR/db). */
export function dbOf(args: CommandArgs, io: CliIo): string | undefined {
  const db = optionalString(args, 'db') ?? (io.env.GWJS_DB || undefined);
  if (db !== undefined && !isPgUrl(db)) {
    throw new DomainError('invalid_request', '--db / $GWJS_DB must be a postgres:// URL');
  }
  return db;
}

/**
 * Rewords the store lock error for a CLI user: which commands work while the server runs, and
 * where changes go instead (a PostgreSQL store has no lock: its message stays).
 */
export function explainBusy(e: unknown, dataDir: string, db?: string): unknown {
  if (db === undefined && isDomainError(e) && e.code === 'store_busy') {
    return new DomainError(
      'store_busy',
      `the data directory ${dataDir} is in use by another gwjs process (a running \`gwjs serve\`?): ` +
        `stop it first, or make the change through the Owner API or the station UI of that server; ` +
        `while it runs, these commands work through it: ` +
        `${LOCAL_DOOR_CLI_COMMANDS.map((c) => `gwjs ${c}`).join(', ')} (${e.message})`,
    );
  }
  return e;
}

/** Opens the station, runs `fn`, always closes. */
export async function withStation<T>(
  args: CommandArgs,
  io: CliIo,
  fn: (station: Station) => Promise<T>,
  extra: Partial<OpenStationOptions> = {},
): Promise<T> {
  const options = { ...stationOptionsOf(args, io), ...extra };
  let station: Station;
  try {
    station = await openStation(options);
  } catch (e) {
    throw explainBusy(e, options.dataDir, options.db);
  }
  try {
    return await fn(station);
  } finally {
    await station.close();
  }
}

/**
 * Runs `local` (a read-only command on its own store, opened with {@link withStation} or
 * {@link explainBusy}'s wording); when a running `gwjs serve` holds the store lock and publishes
 * its local door, asks door command `name` with `input` instead.
 */
export async function localOrThroughServer<K extends LocalDoorCommandName, T>(
  args: CommandArgs,
  io: CliIo,
  name: K,
  input: LocalDoorRequest<K>,
  local: () => Promise<T>,
  remote: (answer: LocalDoorAnswer<K>) => T | Promise<T>,
): Promise<T> {
  const dataDir = dataDirOf(args, io);
  const db = dbOf(args, io);
  try {
    return await local();
  } catch (e) {
    if (db === undefined && isDomainError(e) && e.code === 'store_busy') {
      const { findLocalDoor, callLocalDoor } = await import('./local-client');
      const door = findLocalDoor(dataDir);
      if (door !== undefined) return remote(await callLocalDoor(door, name, input));
    }
    throw e;
  }
}

/**
 * A read-only command's data (docs/cli.md "While the server runs"): door command `name` of
 * `compose/local-door-commands.ts` run on the station opened here, or — while a running
 * `gwjs serve` holds the store — by that server through its local door. Both ways run the same
 * handler and give the same validated answer, so the command prints the same bytes.
 */
export async function askStation<K extends LocalDoorCommandName>(
  args: CommandArgs,
  io: CliIo,
  name: K,
  input: LocalDoorRequest<K>,
): Promise<LocalDoorAnswer<K>> {
  return localOrThroughServer(
    args,
    io,
    name,
    input,
    () =>
      withStation(args, io, async (s) => {
        let factory: FactoryLineServices | undefined;
        const { openFactoryLine } = await import('../compose/factory-line');
        try {
          return await runLocalDoorCommand(
            name,
            {
              core: s.core,
              hsm: s.hsm,
              store: s.store,
              storeKind: s.storeKind,
              factory: () =>
                (factory ??= openFactoryLine({
                  store: s.store,
                  hsm: s.hsm,
                  core: s.core,
                  clock: s.clock,
                  cupsUri: s.cupsUri,
                  caCertPem: s.tls.caCertPem,
                })),
              ctx: s.cliContext,
            },
            input,
          );
        } finally {
          await factory?.close();
        }
      }),
    (answer) => answer,
  );
}
