/**
 * Several instances on one PostgreSQL database (docs/server-mode.md): what must be consistent
 * across instances is enforced by the database, and no instance answers from state another one
 * changed. Each instance is a full station (own core, own pool, same keystore and CA).
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { hexToBytes } from '../../../src-shared/bytes';
import { crc32 } from '../../../src-shared/crc32';
import {
  EMPTY_CRED_CRC,
  decodeUpdateInfoResponse,
  tokenBlob,
  type UpdateInfoRequest,
} from '../../../src-shared/cups-wire';
import { parseId } from '../../../src-shared/ids';
import type { CupsAnswer, CupsAuth } from '../../../src-main/core/api';
import { cupsKeyFileContent } from '../../../src-main/core/kdf';
import { KDF_VECTORS } from '../../helpers/core-fixture';
import { SHARED_CUPS_URI, startInstances, type Instances } from '../../helpers/pg-instances';

const V = (
  JSON.parse(readFileSync(new URL('../../vectors/cups.json', import.meta.url), 'utf8')) as {
    firmware: { imageHex: string; sigKeyHex: string; signatureDerHex: string; keyCrc: number; fwcrc: number };
  }
).firmware;
const { gw1 } = KDF_VECTORS;
const auth: CupsAuth = { secure: true, authorization: `Bearer ${gw1.token0}` };

let mi: Instances | undefined;
afterEach(async () => {
  await mi?.close();
  mi = undefined;
});

/** EUI text of the k-th gateway of the vector batch (00-00-00-FF-FE-00-00-kk). */
const euiAt = (k: number) =>
  `00-00-00-FF-FE-00-${((k >> 8) & 0xff).toString(16).padStart(2, '0')}-${(k & 0xff).toString(16).padStart(2, '0')}`.toUpperCase();

const decoded = (a: CupsAnswer) => {
  if (a.status !== 200) throw new Error(`status ${a.status}`);
  return decodeUpdateInfoResponse(a.body);
};

describe('several instances on one PostgreSQL database', () => {
  it('many concurrent claims of the same gateways by different owners on two instances: one winner each', async () => {
    mi = await startInstances(2);
    const owners = await Promise.all(Array.from({ length: 6 }, (_, i) => mi!.addOwner(`c::${i + 1}`)));
    const gateways = Array.from({ length: 12 }, (_, k) => euiAt(k + 1));
    const items = await Promise.all(gateways.map(async (g) => ({ gateway: g, claim: await mi!.pinOf(g) })));
    const results = await Promise.all(
      owners.flatMap((o, i) =>
        // each owner claims every gateway, one gateway per request, on alternating instances
        items.map(async (item, k) => {
          const n = (i + k) % 2;
          const [r] = await mi!.stations[n]!.core.owner.claim(await o.ctx(n), o.id6, [item]);
          return { owner: o.id6, gateway: item.gateway, result: r! };
        }),
      ),
    );
    for (const g of gateways) {
      const mine = results.filter((r) => r.gateway === g);
      const winners = mine.filter((r) => r.result.code === undefined);
      expect(winners, `${g}: ${JSON.stringify(mine.map((r) => r.result))}`).toHaveLength(1);
      expect(mine.filter((r) => r.result.code !== undefined).map((r) => r.result.code)).toEqual(
        Array(owners.length - 1).fill('claimed_by_other'),
      );
      const row = await mi.stations[1]!.store.read((tx) =>
        tx.get<{ owner_id: string }>('SELECT owner_id FROM gateways WHERE eui = ?', [
          parseId(g).id.toString(16).padStart(16, '0').toUpperCase(),
        ]),
      );
      expect(parseId(winners[0]!.owner).id.toString(16).padStart(16, '0').toUpperCase()).toBe(row!.owner_id);
    }
    // every claim is audited exactly once per winner
    const audited = await mi.stations[0]!.core.audit.list(mi.admin, { action: 'claim' });
    expect(audited).toHaveLength(gateways.length);
  });

  it('counts wrong PINs across instances: the lockout holds whichever instance is asked', async () => {
    mi = await startInstances(2, { claimLockout: { perGateway: 4, perOwner: 1000 } });
    const o = await mi.addOwner('d::1');
    const wrong = { gateway: gw1.id6, claim: 'AAAAAAAA' };
    const answers = await Promise.all(
      Array.from({ length: 10 }, async (_, i) => {
        const [r] = await mi!.stations[i % 2]!.core.owner.claim(await o.ctx(i % 2), o.id6, [wrong]);
        return r!.code;
      }),
    );
    expect(answers.filter((c) => c === 'bad_claim')).toHaveLength(4);
    expect(answers.filter((c) => c === 'claim_locked')).toHaveLength(6);
    const [right] = await mi.stations[1]!.core.owner.claim(await o.ctx(1), o.id6, [
      { gateway: gw1.id6, claim: gw1.pin },
    ]);
    expect(right!.code).toBe('claim_locked');
  });

  it('a setup on instance A is what instance B answers on its very next poll', async () => {
    mi = await startInstances(2);
    const o = await mi.addOwner('e::1');
    const [a, b] = mi.stations;
    await a!.core.owner.claim(await o.ctx(0), o.id6, [{ gateway: gw1.id6, claim: gw1.pin }]);
    const cupsCredCrc = crc32(tokenBlob(await caDerOf(mi), cupsKeyFileContent(gw1.token0)));
    const report: UpdateInfoRequest = {
      router: parseId(gw1.id6).id,
      cupsUri: SHARED_CUPS_URI,
      tcUri: null,
      cupsCredCrc,
      tcCredCrc: EMPTY_CRED_CRC,
      station: '2.0.6',
      model: 'corecell',
      package: '1.0.0',
      keys: [],
    };
    // configured (a first setup), then in sync on B: B has seen this gateway's state
    await a!.core.owner.setup(await o.ctx(0), o.id6, [
      { gateway: gw1.id6, lnsUri: 'ws://lns-one.example.com:1887' },
    ]);
    const first = decoded(await b!.core.cups.updateInfo(report, auth, '198.51.100.1'));
    expect(first.tcUri).toBe('ws://lns-one.example.com:1887');
    const inSync = { ...report, tcUri: 'ws://lns-one.example.com:1887' };
    expect(decoded(await b!.core.cups.updateInfo(inSync, auth, '198.51.100.1')).tcUri).toBeUndefined();
    for (let round = 0; round < 5; round++) {
      const uri = `ws://lns-${round}.example.com:1887`;
      await a!.core.owner.setup(await o.ctx(0), o.id6, [{ gateway: gw1.id6, lnsUri: uri }]);
      const next = decoded(await b!.core.cups.updateInfo(inSync, auth, '198.51.100.1'));
      expect(next.tcUri).toBe(uri);
    }
    // and a delete on B is what A answers next (not configured → 404)
    await b!.core.owner.delete(await o.ctx(1), o.id6, [gw1.id6]);
    expect((await a!.core.cups.updateInfo(inSync, auth, '198.51.100.1')).status).toBe(404);
  });

  it('concurrent CUPS polls of one gateway on different instances deliver the firmware once', async () => {
    mi = await startInstances(3);
    const o = await mi.addOwner('f::1');
    const [a] = mi.stations;
    await a!.core.owner.claim(await o.ctx(0), o.id6, [{ gateway: gw1.id6, claim: gw1.pin }]);
    await a!.core.firmware.upload(await o.ctx(0), o.id6, {
      image: hexToBytes(V.imageHex),
      signatures: [{ key: hexToBytes(V.sigKeyHex), signature: hexToBytes(V.signatureDerHex) }],
    });
    const cupsCredCrc = crc32(tokenBlob(await caDerOf(mi), cupsKeyFileContent(gw1.token0)));
    const report: UpdateInfoRequest = {
      router: parseId(gw1.id6).id,
      cupsUri: SHARED_CUPS_URI,
      tcUri: null,
      cupsCredCrc,
      tcCredCrc: EMPTY_CRED_CRC,
      station: '2.0.6',
      model: 'corecell',
      package: '1.0.0',
      keys: [V.keyCrc],
    };
    for (let round = 0; round < 3; round++) {
      await a!.core.owner.setup(await o.ctx(0), o.id6, [
        { gateway: gw1.id6, fwcrc: V.fwcrc, fwafter: `2020-01-0${round + 1}T00:00:00Z` },
      ]);
      const answers = await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          mi!.stations[i % 3]!.core.cups.updateInfo(report, auth, '198.51.100.2'),
        ),
      );
      expect(answers.map((x) => x.status)).toEqual(Array(12).fill(200));
      const withFirmware = answers.filter((x) => decoded(x).update !== undefined);
      expect(withFirmware, `round ${round}`).toHaveLength(1);
    }
    expect(await a!.store.read((tx) => tx.all('SELECT eui FROM firmware_deliveries'))).toHaveLength(3);
  });
});

async function caDerOf(m: Instances): Promise<Uint8Array> {
  const { X509Certificate } = await import('node:crypto');
  return new Uint8Array(new X509Certificate(m.stations[0]!.tls.caCertPem).raw);
}
