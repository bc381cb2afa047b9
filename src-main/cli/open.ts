/**
 * Opening the station for one CLI command: data directory and passphrase from the global options
 * (SPEC §7), a clear message when a running server holds the store lock, and a guaranteed close.
 */
import { isDomainError, DomainError } from '../../src-shared/errors';
import { optionalString, type CliIo, type CommandArgs } from './command';
import { resolveDataDir } from './data-dir';
import { resolvePin } from '../adapters/hsm/station-hsm';
import { openStation, passphraseFor, type OpenStationOptions, type Station } from './station';

/** Data directory of a command invocation. */
export function dataDirOf(args: CommandArgs, io: CliIo): string {
  return resolveDataDir(optionalString(args, 'data'), io.env);
}

/** Station options common to every command (data dir, passphrase). */
export function stationOptionsOf(args: CommandArgs, io: CliIo): OpenStationOptions {
  const dataDir = dataDirOf(args, io);
  return {
    dataDir,
    passphrase: passphraseFor(dataDir, optionalString(args, 'hsm-passphrase-file'), io.env),
    pin: resolvePin({ file: optionalString(args, 'pin-file'), env: io.env }),
  };
}

/** Rewords the store lock error for a CLI user. */
export function explainBusy(e: unknown, dataDir: string): unknown {
  if (isDomainError(e) && e.code === 'store_busy') {
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
    throw explainBusy(e, options.dataDir);
  }
  try {
    return await fn(station);
  } finally {
    await station.close();
  }
}
