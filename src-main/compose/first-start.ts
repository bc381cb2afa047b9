/**
 * First start (`npm start`, headless or desktop): makes sure the data directory holds a station,
 * creating one (as `gwjs init` does) when it holds none.
 *
 * First-run passphrase trade-off: when no HSM passphrase is configured (`--hsm-passphrase-file`,
 * `$GWJS_HSM_PASSPHRASE`), a random one is generated and stored in `<data>/hsm-passphrase`
 * (mode 0600) so the server can restart unattended. The root keys are then only as safe as that
 * file — anyone who can read the data directory can use them. For production, set the passphrase
 * yourself (file outside the data directory, or the environment) and delete that file
 * (docs/running.md).
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DomainError } from '../../src-shared/errors';
import { resolvePassphrase } from '../adapters/hsm/software-hsm';
import { resolveDataDir } from './data-dir';
import type { StationIo } from './io';
import {
  PASSPHRASE_FILE,
  SETTINGS_FILE,
  finishInit,
  newStationText,
  openStation,
  passphraseFor,
} from './station';

/** The data directory of a first start and the arguments (with `--data`) for the next step. */
interface PreparedStation {
  dataDir: string;
  args: string[];
}

/**
 * Creates the station of the data directory `argv` names (`--data`, else `$GWJS_DATA`, else the
 * platform folder) unless it exists, printing what `gwjs init` prints. `--public-host`, `--host`
 * and `--port` shape a new station. Throws a `DomainError` when it cannot be created.
 */
export async function prepareStation(argv: readonly string[], io: StationIo): Promise<PreparedStation> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      data: { type: 'string' },
      'hsm-passphrase-file': { type: 'string' },
      'public-host': { type: 'string', multiple: true },
      host: { type: 'string' },
      port: { type: 'string' },
    },
    strict: false,
    allowPositionals: true,
  });
  const text = (name: string): string | undefined => {
    const v = values[name];
    return typeof v === 'string' ? v : undefined;
  };
  const dataDir = resolveDataDir(text('data'), io.env);
  const args = text('data') !== undefined ? [...argv] : ['--data', dataDir, ...argv];
  if (existsSync(path.join(dataDir, SETTINGS_FILE))) return { dataDir, args };

  const file = text('hsm-passphrase-file');
  const localFile = path.join(dataDir, PASSPHRASE_FILE);
  if (resolvePassphrase({ file, env: io.env }) === undefined && !existsSync(localFile)) {
    await mkdir(dataDir, { recursive: true, mode: 0o700 });
    await writeFile(localFile, `${randomBytes(32).toString('base64url')}\n`, { mode: 0o600, flag: 'wx' });
    await chmod(localFile, 0o600);
    io.stderr(
      [
        `gwjs: no HSM passphrase configured — generated one and stored it in ${localFile} (mode 0600).`,
        '      The root keys are only as safe as that file. For production, keep the passphrase elsewhere',
        '      ($GWJS_HSM_PASSPHRASE or --hsm-passphrase-file) and delete that file.',
        '',
      ].join('\n'),
    );
  }
  io.stderr(`gwjs: first start — creating a station in ${dataDir}\n`);
  const publicHosts = values['public-host'];
  const station = await openStation({
    dataDir,
    passphrase: passphraseFor(dataDir, file, io.env),
    init: {
      publicHosts: Array.isArray(publicHosts) ? publicHosts.filter((h) => typeof h === 'string') : [],
      host: listenHost(text('host')),
      port: listenPort(text('port')),
    },
  });
  try {
    const key = await finishInit(station);
    io.stdout(`${newStationText(station, key)}\n`);
  } finally {
    await station.close();
  }
  io.stderr('gwjs: note the admin API key above now: it is shown only once.\n');
  return { dataDir, args };
}

function listenHost(text: string | undefined): string | undefined {
  if (text === undefined || isIP(text) !== 0 || /^[A-Za-z0-9.-]+$/.test(text)) return text;
  throw new DomainError('invalid_request', `--host: "${text}" is not an address`, { field: 'host' });
}

/** The port of a new station; `0` (any free port, for this run only) keeps the default. */
function listenPort(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!/^[0-9]{1,5}$/.test(text) || n > 65535) {
    throw new DomainError('invalid_request', `--port: "${text}" is not a port (1–65535)`, { field: 'port' });
  }
  return n === 0 ? undefined : n;
}
