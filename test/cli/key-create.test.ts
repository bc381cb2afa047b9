/**
 * `gwjs key create` through the real bin (docs/sync.md "Factory records"): a factory key (scope
 * `factory` only, no owner) that the factory-records endpoint takes, an admin key; exactly one of
 * the two flags.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { onlyJson, runGwjs } from '../helpers/gwjs-cli';
import { startRestartableServer, type RestartableServer } from '../helpers/restartable-server';

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
  });
});
