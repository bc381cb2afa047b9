import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SoftwareHsm } from '../../../src-main/adapters/hsm/software-hsm';
import type { RequestContext } from '../../../src-main/core/api';
import { createHsmControlService, isLockable } from '../../../src-main/core/station/hsm-control';
import { movableClock, openTestStore } from '../../helpers/station-store';

const PASSPHRASE = 'correct horse battery staple';
const ctx: RequestContext = {
  principal: { kind: 'operator', id: 'root', ownerId: null, scopes: new Set(['admin']) },
  address: '192.0.2.1',
};

describe('HSM control service', () => {
  let t: Awaited<ReturnType<typeof openTestStore>>;
  let hsm: SoftwareHsm;
  const clock = movableClock();
  const auditRows = () =>
    t.store.read((tx) =>
      tx.all<{ action: string; actor: string; detail: string }>('SELECT * FROM audit_log ORDER BY id'),
    );

  beforeAll(async () => {
    t = await openTestStore();
    hsm = await SoftwareHsm.open(join(t.dir, 'keystore.json'), { scryptN: 2 ** 10 });
    await hsm.initialize(PASSPHRASE);
    await hsm.generateRootKey('batch-1');
    hsm.lock();
  });
  afterAll(() => t.close());

  it('unlocks with the passphrase, answers the status and audits without the passphrase', async () => {
    expect(isLockable(hsm)).toBe(true);
    const service = createHsmControlService({ store: t.store, clock, hsm, control: hsm });
    await expect(service.unlock(ctx, 'not the passphrase')).rejects.toMatchObject({
      code: 'hsm_locked',
      message: 'passphrase: wrong passphrase, the HSM stays locked',
    });
    expect((await hsm.status()).locked).toBe(true);
    expect(await service.unlock(ctx, PASSPHRASE)).toMatchObject({
      kind: 'software',
      locked: false,
      keyCount: 1,
    });
    expect(await service.lock(ctx)).toMatchObject({ locked: true, keyCount: 1 });
    const rows = await auditRows();
    expect(rows.map((r) => [r.action, r.actor])).toEqual([
      ['hsm.unlock_failed', 'operator:root'],
      ['hsm.unlock', 'operator:root'],
      ['hsm.lock', 'operator:root'],
    ]);
    expect(JSON.stringify(rows)).not.toMatch(/passphrase|horse|not the/i);
  });

  it('throttles wrong passphrases, then refuses even the right one for a while', async () => {
    const service = createHsmControlService({
      store: t.store,
      clock,
      hsm,
      control: hsm,
      unlockLimit: { max: 3, windowMs: 60_000 },
    });
    clock.advance(120_000); // the first test's failure is out of the window
    for (let i = 0; i < 3; i++)
      await expect(service.unlock(ctx, `wrong ${i}`)).rejects.toMatchObject({ code: 'hsm_locked' });
    await expect(service.unlock(ctx, PASSPHRASE)).rejects.toMatchObject({ code: 'rate_limited' });
    expect((await hsm.status()).locked).toBe(true);
    clock.advance(61_000);
    expect((await service.unlock(ctx, PASSPHRASE)).locked).toBe(false);
    hsm.lock();
  });

  it('says not_configured when the HSM is not unlocked by passphrase or has no keystore yet', async () => {
    const none = createHsmControlService({ store: t.store, clock, hsm });
    await expect(none.unlock(ctx, PASSPHRASE)).rejects.toMatchObject({ code: 'not_configured' });
    await expect(none.lock(ctx)).rejects.toMatchObject({ code: 'not_configured' });
    const fresh = await SoftwareHsm.open(join(t.dir, 'absent.json'), { scryptN: 2 ** 10 });
    const uninitialized = createHsmControlService({ store: t.store, clock, hsm: fresh, control: fresh });
    await expect(uninitialized.unlock(ctx, PASSPHRASE)).rejects.toMatchObject({
      code: 'not_configured',
      message: expect.stringContaining('not initialized'),
    });
  });
});
