/**
 * Migration 0029 (client-certificate identities in site packs, docs/sync.md "Client certificates
 * from the pack") on a database with a site pack stored before it, on both backends: the pack and
 * its gateways keep their rows with no fingerprint and no client CA (a certificate-mode gateway
 * stays refused until the next pack), and both columns then take their JSON.
 */
import { describe, expect, it } from 'vitest';
import { upgradedStore, type StoreKind } from '../../helpers/test-store';

const EUI = '000000FFFE000ABC';
const FP = 'cd'.repeat(32);
const PEM = '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n';

describe.each<StoreKind>(['sqljs', 'pg'])('migration 0029-site-pack-certificates (%s)', (kind) => {
  it('adds the fingerprints of packed gateways and the pack’s client CAs', async () => {
    const store = await upgradedStore(kind, 29, 'site-pack-certificates', async (old) => {
      await old.transaction(async (tx) => {
        await tx.run("INSERT INTO sync_site_pack (id, owner_id) VALUES ('pack', '000A000000000001')");
        await tx.run(
          "INSERT INTO sync_site_pack_gateways (eui, origin, token_generation, token_target, verifiers, seen_generation, firmware) VALUES (?, 'batch', 0, 1, '[]', 1, NULL)",
          [EUI],
        );
      });
    });
    try {
      expect(
        await store.read((tx) =>
          tx.get('SELECT eui, seen_generation, certificates FROM sync_site_pack_gateways'),
        ),
      ).toEqual({ eui: EUI, seen_generation: 1, certificates: null });
      expect(
        await store.read((tx) => tx.get("SELECT owner_id, client_cas FROM sync_site_pack WHERE id = 'pack'")),
      ).toEqual({ owner_id: '000A000000000001', client_cas: null });
      await store.transaction(async (tx) => {
        await tx.run('UPDATE sync_site_pack_gateways SET certificates = ? WHERE eui = ?', [
          JSON.stringify([FP]),
          EUI,
        ]);
        await tx.run("UPDATE sync_site_pack SET client_cas = ? WHERE id = 'pack'", [JSON.stringify([PEM])]);
      });
      const row = await store.read((tx) =>
        tx.get(
          'SELECT g.certificates, p.client_cas FROM sync_site_pack_gateways g, sync_site_pack p WHERE g.eui = ?',
          [EUI],
        ),
      );
      expect(JSON.parse(row!.certificates as string)).toEqual([FP]);
      expect(JSON.parse(row!.client_cas as string)).toEqual([PEM]);
    } finally {
      await store.close();
    }
  });
});
