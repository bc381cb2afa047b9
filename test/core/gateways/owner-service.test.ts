import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bytesToBase64 } from '../../../src-shared/bytes';
import { formatId6 } from '../../../src-shared/ids';
import { claimPinFromGmk, deriveGmk } from '../../../src-main/core/kdf';
import { createCoreFixture, type CoreFixture } from '../../helpers/core-fixture';

const N = 10_000;
const FIRST = 0x000000fffe000000n;

/**
 * Bulk requests of 10 000 items apply every item. The printed times are for reading only; the
 * figures (docs/performance.md) come from bench/owner-api.bench.ts, never from a test's clock.
 */
describe('OwnerOperations in bulk', () => {
  let f: CoreFixture;
  const ids = Array.from({ length: N }, (_, i) => formatId6(FIRST + BigInt(i)));
  const pins: string[] = [];

  beforeAll(async () => {
    f = await createCoreFixture();
    const batch = await f.core.batches.batchOf(FIRST);
    for (let i = 0; i < N; i++) {
      const gmk = await deriveGmk(f.hsm, batch!.brkHandle, FIRST + BigInt(i));
      pins.push(claimPinFromGmk(gmk));
    }
  });
  afterAll(async () => f.close());

  it(`claims ${N} gateways in one request`, async () => {
    const t0 = performance.now();
    const r = await f.core.owner.claim(
      f.ownerA.ctx,
      f.ownerA.id6,
      ids.map((gateway, i) => ({ gateway, claim: pins[i]! })),
    );
    const ms = performance.now() - t0;
    console.log(`bulk claim of ${N}: ${ms.toFixed(0)} ms`);
    expect(r.filter((x) => x.code !== undefined)).toEqual([]);
    expect(r[N - 1]).toEqual({ gateway: ids[N - 1] });
  });

  it(`sets up ${N} gateways in one mixed request (shared trust, own token each)`, async () => {
    const trust = bytesToBase64(f.pki.caDer);
    const t0 = performance.now();
    const r = await f.core.owner.setup(
      f.ownerA.ctx,
      f.ownerA.id6,
      ids.map((gateway, i) => ({
        gateway,
        lnsUri: 'wss://lns.example.com:443',
        lnsTrust: trust,
        lnsKey: Buffer.from(`Authorization: Bearer token-${i}`).toString('base64'),
      })),
    );
    const ms = performance.now() - t0;
    console.log(`bulk setup of ${N}: ${ms.toFixed(0)} ms`);
    expect(r.filter((x) => x.code !== undefined)).toEqual([]);
    const [last] = await f.core.owner.info(f.ownerA.ctx, f.ownerA.id6, [ids[N - 1]!]);
    expect(last?.info?.setup?.lns.mode).toBe('token');
  });

  it('lists them in pages of 10 000', async () => {
    const page = await f.core.owner.list(f.ownerA.ctx, f.ownerA.id6, { limit: N });
    expect(page.gateways).toHaveLength(N);
    expect(page.next).toBeNull();
  });
});
