/**
 * `npm start` without a window (docs/running.md): the first start creates the station
 * (`compose/first-start.ts`), then `gwjs serve` runs on it.
 */
import path from 'node:path';
import { prepareStation } from '../compose/first-start';
import { exitCodeOf, type CliIo } from './command';
import { main } from './main';

/** Creates the station on first start, then serves; resolves to the exit status. */
export async function start(argv: readonly string[], io: CliIo): Promise<number> {
  let args: string[];
  let dataDir: string;
  try {
    ({ args, dataDir } = await prepareStation(argv, io));
  } catch (e) {
    io.stderr(`gwjs: ${e instanceof Error ? e.message : String(e)}\n`);
    return exitCodeOf(e);
  }
  // a person watches this console: JSON log lines go to a file in the data dir instead
  const env = { GWJS_LOG_FILE: path.join(dataDir, 'logs', 'station.log'), ...io.env };
  return main(['serve', ...args], { ...io, env });
}
