/**
 * `gwjs key create` through the real bin (docs/sync.md "Factory records"): a factory key (scope
 * `factory` only, no owner), an admin key; exactly one of the two flags. `gwjs sync link` without
 * `--owner` links a factory station with the factory key.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { onlyJson, runGwjs } from '../helpers/gwjs-cli';
import { openStation, writeSettings } from '../../src-main/compose/station';
import { startRestartableServer, type RestartableServer } from '../helpers/restartable-server';
import { makeTempDir } from '../helpers/tmp-dir';

let server: RestartableServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const env = { GWJS_HSM_PASSPHRASE: 'test passphrase' };

describe('gwjs key create', () => {
  it('creates a factory key and an admin key; exactly one flag', async () => {
    const s = (server = await startRestartableServer());
    await s.close();
    const factory = await runGwjs(['key', 'create', '--data', s.dir, '--json', '--factory'], env);
    expect(factory.code, factory.stderr).toBe(0);
    const f = onlyJson(factory);
    expect(f).toMatchObject({ scopes: ['factory'], label: 'factory key (gwjs key create)' });
    expect(f.apiKey).toMatch(/^gwjs_[0-9a-f]{16}_/);
    const admin = await runGwjs(
      ['key', 'create', '--data', s.dir, '--json', '--admin', '--label', 'ops'],
      env,
    );
    expect(onlyJson(admin)).toMatchObject({ scopes: ['admin'], label: 'ops' });
    for (const flags of [[], ['--factory', '--admin']]) {
      const bad = await runGwjs(['key', 'create', '--data', s.dir, '--json', ...flags], env);
      expect(bad.code).toBe(2);
      expect(onlyJson(bad)).toMatchObject({ error: expect.stringContaining('--factory and --admin') });
    }
    const up = (server = await s.restart());
    const principal = await up.station.core.access.authenticate(f.apiKey as string);
    expect(principal).toMatchObject({ ownerId: null, scopes: new Set(['factory']) });

    // a factory station links with it, without an owner
    const dir = makeTempDir('factory-station-cli');
    const st = await openStation({
      dataDir: join(dir, 'data'),
      passphrase: 'test passphrase',
      scryptN: 2 ** 10,
      init: { publicHosts: ['127.0.0.1'], port: 1 },
    });
    await writeSettings(join(dir, 'data'), st.settings);
    await st.close();
    writeFileSync(join(dir, 'ca.pem'), up.caPem);
    writeFileSync(join(dir, 'key'), `${f.apiKey as string}\n`);
    const link = await runGwjs(
      [
        'sync',
        'link',
        '--data',
        join(dir, 'data'),
        '--json',
        '--url',
        up.url,
        '--ca-file',
        join(dir, 'ca.pem'),
        '--api-key-file',
        join(dir, 'key'),
      ],
      env,
    );
    expect(link.code, link.stderr).toBe(0);
    expect(onlyJson(link)).toMatchObject({ linked: true, url: up.url, ownerId: null });
    const status = await runGwjs(['sync', 'status', '--data', join(dir, 'data')], env);
    expect(status.stdout).toContain('factory link: no owner, factory records only');
  });
});
