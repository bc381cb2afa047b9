/**
 * Opening the station for one CLI command: data directory and passphrase from the global options
 * (SPEC §7), a clear message when a running server holds the store lock, and a guaranteed close.
 */
import { isDomainError, DomainError } from '../../src-shared/errors';
import { optionalString, type CliIo, type CommandArgs } from './command';
import { resolvePin } from '../adapters/hsm/station-hsm';
import { isPgUrl } from '../adapters/store/pg-url';
import { resolveDataDir } from '../compose/data-dir';
import { openStation, passphraseFor, type OpenStationOptions, type Station } from '../compose/station';

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

/** Rewords the store lock error for a CLI user (a PostgreSQL store has no lock: its message stays). */
export function explainBusy(e: unknown, dataDir: string, db?: string): unknown {
  if (db === undefined && isDomainError(e) && e.code === 'store_busy') {
    return new DomainError(
      'store_busy',
      `the data directory ${dataDir} is in use by another gwjs process (a running \`gwjs serve\`?): ` +
        `stop it first, or make the change through the Owner API of that server (${e.message})`,
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
 * For read-only commands (docs/cli.md "While the server runs"): opens the station and runs `local`;
 * when a running `gwjs serve` holds the store lock and publishes its local door, runs `remote` with
 * a caller of that door instead, so the command works while the server runs.
 */
export async function withStationOrServer<T>(
  args: CommandArgs,
  io: CliIo,
  local: (station: Station) => Promise<T>,
  remote: (call: (command: string, body: unknown) => Promise<unknown>) => Promise<T>,
): Promise<T> {
  const options = stationOptionsOf(args, io);
  let station: Station;
  try {
    station = await openStation(options);
  } catch (e) {
    if (options.db === undefined && isDomainError(e) && e.code === 'store_busy') {
      const { findLocalDoor, callLocalDoor } = await import('./local-client');
      const door = findLocalDoor(options.dataDir);
      if (door !== undefined) return remote((command, body) => callLocalDoor(door, command, body));
    }
    throw explainBusy(e, options.dataDir, options.db);
  }
  try {
    return await local(station);
  } finally {
    await station.close();
  }
}
