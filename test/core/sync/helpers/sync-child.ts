/**
 * Child process of the SIGKILL test: `node --import tsx sync-child.ts DIR`. Opens the station in
 * DIR (its remote link included), prints `pushing`, and pushes the outbox until the parent kills it.
 */
import { openTestStation } from '../../../helpers/sync-pair';

const dir = process.argv[2];
if (!dir) {
  process.stderr.write('usage: sync-child.ts DIR\n');
  process.exit(2);
}
const station = await openTestStation(dir);
process.stdout.write('pushing\n');
await station.core.sync.push(station.cliContext);
process.stdout.write('done\n');
await station.close();
