/**
 * Migration 0028 (firmware in site packs, docs/sync.md "Firmware from the pack") on a database
 * with a site pack stored before it, on both backends: the packed gateways keep their rows with no
 * firmware and no delivery, the image table starts empty, takes an image once by SHA-256 and
 * refuses a second row of the same hash.
 */
import { describe, expect, it } from 'vitest';
import { upgradedStore, type StoreKind } from '../../helpers/test-store';

const EUI = '000000FFFE000ABC';
const HASH = 'ab'.repeat(32);

describe.each<StoreKind>(['sqljs', 'pg'])('migration 0028-site-pack-firmware (%s)', (kind) => {
  it('adds the image table and the firmware columns of packed gateways', async () => {
    const store = await upgradedStore(kind, 28, 'site-pack-firmware', async (old) => {
      await old.transaction(async (tx) => {
        await tx.run("INSERT INTO sync_site_pack (id, owner_id) VALUES ('pack', '000A000000000001')");
        await tx.run(
          "INSERT INTO sync_site_pack_gateways (eui, origin, token_generation, token_target, verifiers, seen_generation) VALUES (?, 'batch', 0, 1, '[]', 1)",
          [EUI],
        );
      });
    });
    try {
      expect(
        await store.read((tx) =>
          tx.get('SELECT eui, seen_generation, firmware, fw_delivered FROM sync_site_pack_gateways'),
        ),
      ).toEqual({ eui: EUI, seen_generation: 1, firmware: null, fw_delivered: null });
      expect(await store.read((tx) => tx.all('SELECT * FROM sync_site_pack_firmware'))).toEqual([]);
      const image = new Uint8Array([1, 2, 3, 255]);
      await store.transaction(async (tx) => {
        await tx.run(
          'INSERT INTO sync_site_pack_firmware (sha256, fwcrc, image, signatures) VALUES (?, ?, ?, ?)',
          [HASH, 4294967295, image, '[]'],
        );
        await tx.run('UPDATE sync_site_pack_gateways SET firmware = ?, fw_delivered = ? WHERE eui = ?', [
          '{"fwcrc":1}',
          '{"sentAt":"t"}',
          EUI,
        ]);
      });
      const row = await store.read((tx) =>
        tx.get('SELECT fwcrc, image, LENGTH(image) AS size FROM sync_site_pack_firmware WHERE sha256 = ?', [
          HASH,
        ]),
      );
      expect(row).toMatchObject({ fwcrc: 4294967295, size: 4 });
      expect(Buffer.from(row!.image as Uint8Array)).toEqual(Buffer.from(image));
      await expect(
        store.transaction((tx) =>
          tx.run(
            'INSERT INTO sync_site_pack_firmware (sha256, fwcrc, image, signatures) VALUES (?, 1, ?, ?)',
            [HASH, image, '[]'],
          ),
        ),
      ).rejects.toThrow(/UNIQUE|duplicate|PRIMARY/i);
    } finally {
      await store.close();
    }
  });
});
