/**
 * `npm start` for now (DESIGN §2 headless mode): `gwjs serve` on the default data directory, with
 * `gwjs init` first when the directory holds no station yet.
 *
 * First-run passphrase trade-off: when no HSM passphrase is configured (`--hsm-passphrase-file`,
 * `$GWJS_HSM_PASSPHRASE`), a random one is generated and stored in `<data>/hsm-passphrase`
 * (mode 0600) so the server can restart unattended. The root keys are then only as safe as that
 * file — anyone who can read the data directory can use them. For production, set the passphrase
 * yourself (file outside the data directory, or the environment) and delete that file.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, writeFile, chmod } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { resolvePassphrase } from '../adapters/hsm/software-hsm';
import type { CliIo } from './command';
import { resolveDataDir } from './data-dir';
import { main } from './main';
import { PASSPHRASE_FILE, SETTINGS_FILE } from './station';

/** Runs init (first time) and serve; resolves to the exit status. */
export async function start(argv: readonly string[], io: CliIo): Promise<number> {
  const prepared = await prepareStation(argv, io);
  if (prepared.code !== 0) return prepared.code;
  return main(['serve', ...prepared.args], io);
}

/**
 * The first half of {@link start}, shared with the Electron shell: makes sure the data directory
 * holds a station (init on first start, with the passphrase trade-off described above). Returns
 * the exit status of init (0 when nothing had to be done), the data directory and the arguments
 * (with `--data`) for the next command.
 */
export async function prepareStation(
  argv: readonly string[],
  io: CliIo,
): Promise<{ code: number; dataDir: string; args: string[] }> {
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
  const dataDir = resolveDataDir(typeof values.data === 'string' ? values.data : undefined, io.env);
  const common = typeof values.data === 'string' ? [...argv] : ['--data', dataDir, ...argv];

  if (!existsSync(path.join(dataDir, SETTINGS_FILE))) {
    const file =
      typeof values['hsm-passphrase-file'] === 'string' ? values['hsm-passphrase-file'] : undefined;
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
    const initArgs = ['init', ...common.filter((a) => a !== '--json')];
    const code = await main(initArgs, io);
    if (code !== 0) return { code, dataDir, args: common };
    io.stderr('gwjs: note the admin API key above now: it is shown only once.\n');
  }
  return { code: 0, dataDir, args: common };
}
