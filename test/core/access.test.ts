import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RequestContext } from '../../src-main/core/api';
import { createCoreFixture, KDF_VECTORS, type CoreFixture } from '../helpers/core-fixture';

const { gw1 } = KDF_VECTORS;

describe('access', () => {
  let f: CoreFixture;
  beforeEach(async () => {
    f = await createCoreFixture();
  });
  afterEach(async () => f.close());

  it('issues gwjs_<id>_<secret> keys shown once, stored as SHA-256 only', async () => {
    const { apiKey, summary } = await f.core.access.createApiKey(f.admin, 'a::1', ['read'], 'ci');
    expect(apiKey).toMatch(/^gwjs_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
    expect(summary).toMatchObject({ ownerId: 'a::1', scopes: ['read'], label: 'ci', revokedAt: null });
    const rows = await f.store.read((tx) => tx.all('SELECT * FROM api_keys'));
    expect(JSON.stringify(rows)).not.toContain(apiKey.slice(22));
    const p = await f.core.access.authenticate(apiKey);
    expect(p).toMatchObject({ kind: 'api-key', id: summary.id, ownerId: 0x000a_0000_0000_0001n });
    expect([...p.scopes]).toEqual(['read']);
  });

  it('rejects malformed, unknown, tampered and revoked keys alike', async () => {
    const key = f.ownerA.apiKey;
    const tampered = key.slice(0, -1) + (key.endsWith('A') ? 'B' : 'A');
    for (const bad of ['', 'Bearer x', 'gwjs_0123456789abcdef_' + 'A'.repeat(43), tampered]) {
      await expect(f.core.access.authenticate(bad)).rejects.toMatchObject({
        code: 'unauthorized',
        message: 'invalid or revoked API key',
      });
    }
    await f.core.access.revokeApiKey(f.ownerA.ctx, f.ownerA.principal.id);
    await expect(f.core.access.authenticate(key)).rejects.toMatchObject({ code: 'unauthorized' });
    const [entry] = await f.core.audit.list(f.admin, { action: 'api_key.revoke' });
    expect(entry?.target).toBe(f.ownerA.principal.id);
  });

  it('forbids another owner’s ownerid, a missing scope, and admin operations to owner keys', async () => {
    await expect(
      f.core.owner.claim(f.ownerA.ctx, 'b::2', [{ gateway: gw1.id6, claim: gw1.pin }]),
    ).rejects.toMatchObject({ code: 'forbidden', message: expect.stringContaining('ownerid') });
    const reader = await f.addOwner('c::3', ['read']);
    await expect(
      f.core.owner.claim(reader.ctx, reader.id6, [{ gateway: gw1.id6, claim: gw1.pin }]),
    ).rejects.toMatchObject({ code: 'forbidden', message: expect.stringContaining('"claim" scope') });
    await expect(f.core.access.createOwner(f.ownerA.ctx, 'd::4')).rejects.toMatchObject({
      code: 'forbidden',
    });
    await expect(f.core.batches.list(f.ownerA.ctx)).rejects.toMatchObject({ code: 'forbidden' });
    await expect(f.core.audit.list(f.ownerA.ctx, {})).rejects.toMatchObject({ code: 'forbidden' });
    await expect(f.core.access.revokeApiKey(f.ownerB.ctx, f.ownerA.principal.id)).rejects.toMatchObject({
      code: 'forbidden',
    });
    expect(f.core.metrics().ownerApi['claim.forbidden']).toBe(2);
  });

  it('lets an admin key act for any existing owner', async () => {
    const { apiKey } = await f.core.access.createApiKey(f.admin, null, []);
    const admin: RequestContext = { principal: await f.core.access.authenticate(apiKey) };
    expect(await f.core.owner.claim(admin, 'b::2', [{ gateway: gw1.id6, claim: gw1.pin }])).toEqual([
      { gateway: gw1.id6 },
    ]);
    await expect(f.core.owner.list(admin, 'e::5', {})).rejects.toMatchObject({ code: 'not_found' });
  });

  it('answers invalid_request naming ownerid when it does not parse', async () => {
    await expect(f.core.owner.list(f.ownerA.ctx, 'a:::1', {})).rejects.toMatchObject({
      code: 'invalid_request',
      message: expect.stringMatching(/^ownerid: .*a:::1/),
    });
  });

  it('creates owners once and refuses admin scope on owner keys', async () => {
    await expect(f.core.access.createOwner(f.admin, '0:0:0:a:1')).rejects.toMatchObject({
      code: 'invalid_id',
    });
    await expect(f.core.access.createOwner(f.admin, 'A::1')).rejects.toMatchObject({
      code: 'already_exists',
    });
    await expect(f.core.access.createApiKey(f.admin, 'a::1', ['admin'])).rejects.toMatchObject({
      code: 'invalid_request',
    });
    await expect(f.core.access.createApiKey(f.admin, 'f::9', ['read'])).rejects.toMatchObject({
      code: 'not_found',
    });
    expect((await f.core.access.listOwners(f.admin)).map((o) => o.id)).toEqual(['a::1', 'b::2']);
    expect(await f.core.access.listApiKeys(f.ownerA.ctx)).toHaveLength(1);
    expect((await f.core.access.listApiKeys(f.admin)).length).toBe(2);
  });
});
