import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BridgeCaller } from '../../src-main/bridge/caller';
import { dispatch } from '../../src-main/bridge/dispatch';
import { createStationUi, type StationUi } from '../../src-main/compose/station-ui';
import type { Envelope } from '../../src-shared/ipc';
import { createCoreFixture, KDF_VECTORS, type CoreFixture } from '../helpers/core-fixture';

const op = (role: BridgeCaller['role'], ownerId: string | null = null): BridgeCaller => ({
  name: `${role}-${ownerId ?? 'any'}`,
  role,
  ownerId,
  transport: 'http',
  address: '192.0.2.9',
});

describe('bridge handlers: roles and owners', () => {
  let fx: CoreFixture;
  let ui: StationUi;
  const call = (caller: BridgeCaller, channel: string, request: unknown) =>
    dispatch(ui.handlers, caller, channel, request) as Promise<Envelope<never>>;
  const code = async (caller: BridgeCaller, channel: string, request: unknown) => {
    const r = await call(caller, channel, request);
    return r.ok ? 'ok' : r.error.code;
  };

  beforeAll(async () => {
    fx = await createCoreFixture();
    ui = createStationUi({
      core: fx.core,
      store: fx.store,
      hsm: fx.hsm,
      tls: { fingerprint256: 'x', caFingerprint256: 'y' },
    });
    const claimed = await fx.core.owner.claim(fx.ownerA.ctx, fx.ownerA.id6, [
      { gateway: KDF_VECTORS.gw1.id6, claim: KDF_VECTORS.gw1.pin },
    ]);
    expect(claimed).toEqual([{ gateway: KDF_VECTORS.gw1.id6 }]);
  });
  afterAll(() => fx.close());

  it('gates channels by role before anything runs', async () => {
    expect(await code(op('installer'), 'apiKeys:create', { ownerId: null, scopes: ['admin'] })).toBe(
      'forbidden',
    );
    expect(await code(op('installer'), 'batches:create', { first: 'ff00::', last: 'ff00::1' })).toBe(
      'forbidden',
    );
    expect(await code(op('installer'), 'templates:save', { ownerId: 'a::1', name: 'x', fields: {} })).toBe(
      'forbidden',
    );
    expect(
      await code(op('factory'), 'gateways:claim', {
        ownerId: 'a::1',
        items: [{ gateway: '::1', claim: 'x' }],
      }),
    ).toBe('forbidden');
    expect(await code(op('factory'), 'batches:create', { first: 'ff00::', last: 'ff00::ff' })).toBe('ok');
    expect(
      await code(op('factory'), 'gateways:info', { ownerId: 'a::1', gateways: [KDF_VECTORS.gw1.id6] }),
    ).toBe('ok');
  });

  it('lets an unbound installer act as the named owner with installer scopes only', async () => {
    const r = await call(op('installer'), 'gateways:claim', {
      ownerId: 'b::2',
      items: [{ gateway: KDF_VECTORS.gw2.eui, claim: KDF_VECTORS.gw2.pin }],
    });
    expect(r).toEqual({ ok: true, value: [{ gateway: KDF_VECTORS.gw2.id6 }] });
    expect(await code(op('installer'), 'owners:list', {})).toBe('ok');
    expect(await code(op('installer'), 'audit:list', {})).toBe('forbidden');
  });

  it('keeps an owner-bound installer inside its owner', async () => {
    const bound = op('installer', 'a::1');
    expect(await code(bound, 'gateways:query', { ownerId: 'b::2', offset: 0, limit: 10 })).toBe('forbidden');
    const mine = await call(bound, 'gateways:query', { offset: 0, limit: 10 });
    expect(mine).toMatchObject({ ok: true, value: { total: 1, rows: [{ owner: 'a::1' }] } });
    expect(await code(bound, 'gateways:delete', { ownerId: 'b::2', gateways: [KDF_VECTORS.gw2.id6] })).toBe(
      'forbidden',
    );
    expect(await code(bound, 'templates:list', { ownerId: 'b::2' })).toBe('forbidden');
    expect(await call(bound, 'owners:list', {})).toMatchObject({ ok: true, value: [{ id: 'a::1' }] });
    expect(await code(bound, 'audit:list', { target: KDF_VECTORS.gw2.id6 })).toBe('forbidden');
    expect(await code(bound, 'audit:list', { target: KDF_VECTORS.gw1.eui })).toBe('ok');
  });

  it('applies a template with its stored secret, the installer never seeing it', async () => {
    const admin = op('admin');
    const saved = await call(admin, 'templates:save', {
      ownerId: 'a::1',
      name: 'token LNS',
      fields: {
        lnsUri: `wss://localhost:6042`,
        lnsTrust: Buffer.from(fx.pki.caPem).toString('base64'),
        lnsKey: Buffer.from('Authorization: Bearer lns-secret').toString('base64'),
      },
    });
    expect(saved.ok).toBe(true);
    const id = (saved as { value: { id: string } }).value.id;
    const listed = await call(op('installer', 'a::1'), 'templates:list', { ownerId: 'a::1' });
    expect(JSON.stringify(listed)).not.toContain('lns-secret');
    expect(JSON.stringify(listed)).not.toContain(
      Buffer.from('Authorization: Bearer lns-secret').toString('base64'),
    );
    expect(listed).toMatchObject({ ok: true, value: [{ id, secrets: ['lnsKey'] }] });
    const applied = await call(op('installer', 'a::1'), 'gateways:setup', {
      ownerId: 'a::1',
      templateId: id,
      items: [{ gateway: KDF_VECTORS.gw1.id6 }],
    });
    expect(applied).toEqual({ ok: true, value: [{ gateway: KDF_VECTORS.gw1.id6 }] });
    const info = await fx.core.owner.info(fx.ownerA.ctx, 'a::1', [KDF_VECTORS.gw1.id6]);
    expect(info[0]?.info?.setup?.lns).toMatchObject({
      uri: 'wss://localhost:6042',
      mode: 'token',
      keySet: true,
    });
  });

  it('reports who is calling and what it may call', async () => {
    const me = await call(op('factory'), 'session:whoami', {});
    expect(me).toMatchObject({ ok: true, value: { operator: { role: 'factory' }, transport: 'http' } });
    const channels = (me as { value: { channels: string[] } }).value.channels;
    expect(channels).toContain('batches:create');
    expect(channels).not.toContain('gateways:claim');
  });

  it('lets only admins unlock and lock the HSM, the passphrase reaching no message, log or audit entry', async () => {
    const secret = 'test passphrase';
    for (const role of ['installer', 'factory'] as const) {
      expect(await code(op(role), 'hsm:unlock', { passphrase: secret })).toBe('forbidden');
      expect(await code(op(role), 'hsm:lock', {})).toBe('forbidden');
    }
    const logged: unknown[] = [];
    const logger = {
      error: (...a: unknown[]) => void logged.push(a),
      warn: (...a: unknown[]) => void logged.push(a),
    };
    const admin = op('admin');
    const run = (channel: string, request: unknown) =>
      dispatch(ui.handlers, admin, channel, request, logger as never) as Promise<Envelope<never>>;
    expect(await run('hsm:lock', {})).toMatchObject({ ok: true, value: { locked: true } });
    const wrong = await run('hsm:unlock', { passphrase: 'Wrong-Passphrase-42' });
    expect(wrong).toEqual({
      ok: false,
      error: { code: 'hsm_locked', message: 'passphrase: wrong passphrase, the HSM stays locked' },
    });
    const tooLong = await run('hsm:unlock', { passphrase: 'Z'.repeat(1025) });
    expect(tooLong).toMatchObject({ ok: false, error: { code: 'invalid_request' } });
    expect(JSON.stringify(tooLong)).not.toContain('ZZZZ');
    expect(await run('hsm:unlock', { passphrase: secret })).toMatchObject({
      ok: true,
      value: { kind: 'software', locked: false },
    });
    expect(logged).toEqual([]);
    const audit = await call(admin, 'audit:list', { limit: 10 });
    const actions = (audit as { value: { action: string }[] }).value.map((a) => a.action);
    expect(actions.slice(0, 3)).toEqual(['hsm.unlock', 'hsm.unlock_failed', 'hsm.lock']);
    expect(JSON.stringify(audit)).not.toMatch(/Wrong-Passphrase|test passphrase/);
  });
});
