/**
 * The sync channels behind the bridge (docs/sync.md "Screens"): admins link, installers see the
 * outbox and resolve; an operator bound to another owner than the linked one sees nothing of it; the
 * API key, claim PINs and add tokens never come back to the renderer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BridgeCaller } from '../../src-main/bridge/caller';
import { dispatch } from '../../src-main/bridge/dispatch';
import { createStationUi, type StationUi } from '../../src-main/compose/station-ui';
import { formatId6, parseIdField } from '../../src-shared/ids';
import type { Envelope } from '../../src-shared/ipc';
import { createCoreFixture, KDF_VECTORS, type CoreFixture } from '../helpers/core-fixture';

const op = (role: BridgeCaller['role'], ownerId: string | null = null): BridgeCaller => ({
  name: `${role}-${ownerId ?? 'any'}`,
  role,
  ownerId,
  transport: 'http',
  address: '192.0.2.9',
});
const API_KEY = 'gwjs_secretLinkKey0123456789';
const TOKEN = 'add-token-secret-value';

describe('bridge handlers: sync', () => {
  let fx: CoreFixture;
  let ui: StationUi;
  const call = (caller: BridgeCaller, channel: string, request: unknown) =>
    dispatch(ui.handlers, caller, channel, request) as Promise<Envelope<unknown>>;

  beforeAll(async () => {
    fx = await createCoreFixture();
    ui = createStationUi({
      core: fx.core,
      store: fx.store,
      hsm: fx.hsm,
      tls: { fingerprint256: 'x', caFingerprint256: 'y' },
    });
  });
  afterAll(() => fx.close());

  it('links for admins only and never answers the API key back', async () => {
    const link = { url: 'https://127.0.0.1:1', caPem: fx.pki.caPem, ownerId: fx.ownerA.id6, apiKey: API_KEY };
    expect(await call(op('installer'), 'sync:link', link)).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
    const bad = await call(op('admin'), 'sync:link', { ...link, caFingerprint: '00'.repeat(32) });
    expect(bad).toMatchObject({ ok: false, error: { code: 'invalid_credential' } });
    expect(JSON.stringify(bad)).toMatch(/caFingerprint/);
    const ok = await call(op('admin'), 'sync:link', link);
    expect(ok).toMatchObject({ ok: true, value: { linked: true, url: link.url, ownerId: fx.ownerA.id6 } });
    expect((ok as { value: { caFingerprint: string } }).value.caFingerprint).toMatch(/^[0-9a-f]{64}$/);
    const status = await call(op('installer'), 'sync:status', {});
    expect(JSON.stringify([ok, status])).not.toContain(API_KEY);
  });

  it('shows the outbox with secrets held back, and keeps a bound operator of another owner out', async () => {
    await fx.core.owner.claim(fx.admin, fx.ownerA.id6, [
      { gateway: KDF_VECTORS.gw1.id6, claim: KDF_VECTORS.gw1.pin },
    ]);
    await fx.core.owner.add(fx.admin, fx.ownerA.id6, [
      { gateway: 'b827:ebff:fe00:0002', flavorid: 'x', token: TOKEN },
    ]);
    const page = (await call(op('installer', fx.ownerA.id6), 'sync:outbox', {
      states: ['pending'],
    })) as Envelope<{
      entries: { operation: string; items: { gateway: string; fields: object; secrets: string[] }[] }[];
      more: boolean;
    }>;
    expect(page.ok).toBe(true);
    if (!page.ok) return;
    expect(page.value.more).toBe(false);
    expect(page.value.entries.map((e) => [e.operation, e.items])).toEqual([
      ['claim', [{ gateway: KDF_VECTORS.gw1.id6, fields: {}, secrets: ['claim'] }]],
      [
        'add',
        [
          {
            gateway: formatId6(parseIdField('b827:ebff:fe00:0002', 'gateway')),
            fields: { flavorid: 'x' },
            secrets: ['token'],
          },
        ],
      ],
    ]);
    expect(JSON.stringify(page)).not.toContain(KDF_VECTORS.gw1.pin);
    expect(JSON.stringify(page)).not.toContain(TOKEN);
    for (const channel of ['sync:outbox', 'sync:status', 'sync:now']) {
      expect(await call(op('installer', fx.ownerB.id6), channel, {})).toMatchObject({
        ok: false,
        error: { code: 'forbidden' },
      });
    }
    expect(await call(op('factory'), 'sync:outbox', {})).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
  });

  it('answers a round that cannot reach the remote with its error; resolves only rejected or conflicting operations', async () => {
    const now = (await call(op('installer'), 'sync:now', {})) as Envelope<{
      roundError: string | null;
      lastError: string | null;
    }>;
    expect(now.ok).toBe(true);
    if (!now.ok) return;
    expect(now.value.roundError).toMatch(/HTTPS client|remote/);
    const [first] = await fx.core.sync.entries({ states: ['pending'] });
    const refused = await call(op('installer'), 'sync:resolve', { seq: first!.seq, action: 'drop' });
    expect(refused).toMatchObject({ ok: false, error: { code: 'conflict' } });
    expect(await call(op('installer'), 'sync:versions', { seq: 999 })).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    });
    expect(await call(op('installer'), 'sync:unlink', {})).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
    expect(await call(op('admin'), 'sync:unlink', {})).toEqual({ ok: true, value: { ok: true } });
    expect(await call(op('installer'), 'sync:status', {})).toMatchObject({
      ok: true,
      value: { linked: false },
    });
  });
});
