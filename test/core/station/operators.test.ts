import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RequestContext } from '../../../src-main/core/api';
import {
  createOperatorService,
  sessionIdHash,
  type OperatorService,
} from '../../../src-main/core/station/operators';
import type { Store } from '../../../src-main/core/ports';
import { movableClock, openTestStore, realRandom } from '../../helpers/station-store';

const adminCtx: RequestContext = {
  principal: { kind: 'operator', id: 'root', ownerId: null, scopes: new Set(['admin']) },
};

describe('operator service', () => {
  let t: Awaited<ReturnType<typeof openTestStore>>;
  let store: Store;
  let clock: ReturnType<typeof movableClock>;
  let ops: OperatorService;

  beforeEach(async () => {
    t = await openTestStore();
    store = t.store;
    clock = movableClock(Date.parse('2025-01-01T00:00:00Z'));
    ops = createOperatorService({
      store,
      clock,
      random: realRandom,
      loginLimit: { max: 3, windowMs: 60_000 },
    });
  });
  afterEach(() => t.close());

  it('trades the one-time setup password for the first admin, once', async () => {
    expect(await ops.setupRequired()).toBe(true);
    const first = await ops.issueSetupPassword();
    const setup = await ops.issueSetupPassword(); // a new one replaces the old one
    expect(setup).toMatch(/^[0-9A-Z]{5}(-[0-9A-Z]{5}){4}$/);
    await expect(ops.completeSetup(first!, 'root', 'correct horse battery')).rejects.toMatchObject({
      code: 'unauthorized',
    });
    const session = await ops.completeSetup(setup!.toLowerCase(), 'root', 'correct horse battery');
    expect(session.operator).toEqual({ name: 'root', role: 'admin', ownerId: null });
    expect(await ops.setupRequired()).toBe(false);
    expect(await ops.issueSetupPassword()).toBeNull();
    await expect(ops.completeSetup(setup!, 'evil', 'another long password')).rejects.toMatchObject({
      code: 'unauthorized',
    });
  });

  it('stores scrypt hashes and session-id hashes, never the secrets', async () => {
    await ops.create(adminCtx, {
      name: 'ina',
      role: 'installer',
      password: 'installer-pass-1',
      ownerId: '::1',
    });
    const s = await ops.login('ina', 'installer-pass-1');
    const rows = await store.read(async (tx) => ({
      op: await tx.get('SELECT password_hash FROM operators WHERE name = ?', ['ina']),
      sess: await tx.all('SELECT id_hash FROM operator_sessions'),
    }));
    expect(String(rows.op?.password_hash)).toMatch(/^scrypt\$15\$8\$1\$/);
    expect(String(rows.op?.password_hash)).not.toContain('installer-pass-1');
    expect(rows.sess.map((r) => r.id_hash)).toEqual([sessionIdHash(s.sessionId)]);
    expect(s.operator).toEqual({ name: 'ina', role: 'installer', ownerId: '::1' });
  });

  it('resolves a session until it expires, and not after logout', async () => {
    await ops.create(adminCtx, { name: 'ina', role: 'installer', password: 'installer-pass-1' });
    const a = await ops.login('ina', 'installer-pass-1');
    const b = await ops.login('ina', 'installer-pass-1');
    expect(await ops.resolveSession(a.sessionId)).toMatchObject({ name: 'ina' });
    await ops.logout(a.sessionId);
    expect(await ops.resolveSession(a.sessionId)).toBeUndefined();
    expect(await ops.resolveSession(b.sessionId)).toMatchObject({ name: 'ina' });
    clock.advance(12 * 3600_000 + 1);
    expect(await ops.resolveSession(b.sessionId)).toBeUndefined();
  });

  it('issues a new session id at login and ends the one presented (no fixation)', async () => {
    await ops.create(adminCtx, { name: 'ina', role: 'installer', password: 'installer-pass-1' });
    const planted = await ops.login('ina', 'installer-pass-1');
    const fresh = await ops.login('ina', 'installer-pass-1', '10.0.0.1', planted.sessionId);
    expect(fresh.sessionId).not.toBe(planted.sessionId);
    expect(await ops.resolveSession(planted.sessionId)).toBeUndefined();
    expect(await ops.resolveSession(fresh.sessionId)).toBeDefined();
  });

  it('throttles logins per name after repeated failures, also for the right password', async () => {
    await ops.create(adminCtx, { name: 'ina', role: 'installer', password: 'installer-pass-1' });
    for (let i = 0; i < 3; i++) {
      await expect(ops.login('ina', 'wrong-password')).rejects.toMatchObject({ code: 'unauthorized' });
    }
    await expect(ops.login('ina', 'installer-pass-1')).rejects.toMatchObject({ code: 'rate_limited' });
    clock.advance(60_001);
    await expect(ops.login('ina', 'installer-pass-1')).resolves.toMatchObject({ operator: { name: 'ina' } });
  });

  it('answers unknown names like wrong passwords and audits failures', async () => {
    await expect(ops.login('nobody', 'whatever-pass')).rejects.toMatchObject({
      code: 'unauthorized',
      message: 'login: unknown operator or wrong password',
    });
    const audit = await store.read((tx) => tx.all('SELECT actor, action FROM audit_log'));
    expect(audit).toEqual([{ actor: 'operator:nobody', action: 'operator.login_failed' }]);
  });

  it('ends sessions on update and refuses to demote the last admin', async () => {
    await ops.create(adminCtx, { name: 'root', role: 'admin', password: 'admin-pass-123' });
    await ops.create(adminCtx, { name: 'ina', role: 'installer', password: 'installer-pass-1' });
    const s = await ops.login('ina', 'installer-pass-1');
    const updated = await ops.update(adminCtx, { name: 'ina', disabled: true });
    expect(updated.disabled).toBe(true);
    expect(await ops.resolveSession(s.sessionId)).toBeUndefined();
    await expect(ops.login('ina', 'installer-pass-1')).rejects.toMatchObject({ code: 'unauthorized' });
    await expect(ops.update(adminCtx, { name: 'root', role: 'installer' })).rejects.toMatchObject({
      code: 'conflict',
    });
    await expect(
      ops.create(adminCtx, { name: 'ina', role: 'factory', password: 'factory-pass-1' }),
    ).rejects.toMatchObject({ code: 'already_exists' });
  });
});
