/**
 * A synthetic fleet for the Gateways table query (core/station/gateway-query.ts), written straight
 * into the store: shared by its test and bench/gateway-query.bench.ts so both query the same shape.
 */
import type { Store } from '../../src-main/core/ports';

/** Owner `::1` holds nine in ten gateways; `::2` the rest. */
const FLEET_OWNER = '0000000000000001';
const FLEET_OTHER = '0000000000000002';
const BASE = 0x58a0cbfffe000000n;

/** EUI (16 hex digits) of the fleet's gateway `i`. */
export const fleetEui = (i: number): string =>
  (BASE + BigInt(i)).toString(16).toUpperCase().padStart(16, '0');

/**
 * Inserts `n` claimed gateways in one transaction: every 10th owned by `::2`, every 3rd configured,
 * every 5th has contacted CUPS (every 10th of those failing).
 */
export async function fillFleet(store: Store, n: number): Promise<void> {
  const at = '2025-01-01T00:00:00.000Z';
  await store.transaction(async (tx) => {
    for (const [id, name] of [
      [FLEET_OWNER, 'a'],
      [FLEET_OTHER, 'b'],
    ] as const) {
      await tx.run('INSERT INTO owners (id, name, add_count, created_at) VALUES (?, ?, 0, ?)', [
        id,
        name,
        at,
      ]);
    }
    for (let i = 0; i < n; i++) {
      const eui = fleetEui(i);
      await tx.run(
        'INSERT INTO gateways (eui, origin, owner_id, claimed_at, created_at) VALUES (?, ?, ?, ?, ?)',
        [eui, 'batch', i % 10 === 9 ? FLEET_OTHER : FLEET_OWNER, at, at],
      );
      if (i % 3 === 0) await tx.run('INSERT INTO setups (eui, updated_at) VALUES (?, ?)', [eui, at]);
      if (i % 5 === 0) {
        await tx.run('INSERT INTO cups_contacts (eui, at, outcome, keys) VALUES (?, ?, ?, ?)', [
          eui,
          new Date(Date.parse(at) + i * 1000).toISOString(),
          i % 50 === 0 ? 'unauthorized' : 'ok',
          '[]',
        ]);
      }
    }
  });
}
