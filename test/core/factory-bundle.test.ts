import { describe, expect, it } from 'vitest';
import {
  BUNDLE_FILES,
  buildBundle,
  bundleFileList,
  CERT_BUNDLE_FILES,
  deriveBundle,
  derivePin,
  SIGNING_KEY_FILE,
  type BundleInput,
} from '../../src-main/core/factory-bundle';
import { euiFromHex } from '../../src-shared/ids';
import { hexToBytes } from '../../src-shared/bytes';
import { createCoreFixture, KDF_VECTORS, SERVER_CUPS_URI } from '../helpers/core-fixture';

const { gw1 } = KDF_VECTORS;
const GMK1 = 'd08b2147c0a27bbfd93494b3251a1eb203c6b6af80d3a6eeb033f0341b058f80';
const TRUST = '-----BEGIN CERTIFICATE-----\nMAMCAQE=\n-----END CERTIFICATE-----\n';
const SIG = Uint8Array.from({ length: 64 }, (_, i) => 0x40 + i);

const input = (extra: Partial<BundleInput> = {}): BundleInput => ({
  eui: euiFromHex(gw1.hex),
  batchId: 'batch-1',
  gmk: hexToBytes(GMK1),
  pin: gw1.pin,
  token: gw1.token0,
  cupsUri: SERVER_CUPS_URI,
  trustPem: TRUST,
  ...extra,
});

describe('buildBundle', () => {
  it('lays out the SPEC §5 token bundle, the GMK in gateway.json only', () => {
    const b = buildBundle(input());
    expect(b).toMatchObject({ eui: gw1.hex, id6: gw1.id6, pin: '6CVH-EQSA', auth: 'token' });
    expect(b.binaryFiles).toBeUndefined();
    expect(b.files).toEqual({
      'cups.uri': `${SERVER_CUPS_URI}\n`,
      'cups-boot.uri': `${SERVER_CUPS_URI}\n`,
      'cups.trust': TRUST,
      'cups-boot.trust': TRUST,
      'cups.key': `Authorization: Bearer ${gw1.token0}\r\n`,
      'cups-boot.key': `Authorization: Bearer ${gw1.token0}\r\n`,
      'gateway.json': `${JSON.stringify(
        { eui: gw1.hex, id6: gw1.id6, batch: 'batch-1', kdf: 'GWJS-v1', gmk: GMK1, claimPin: '6CVH-EQSA' },
        null,
        2,
      )}\n`,
      'station.conf': `${JSON.stringify({ station_conf: { routerid: gw1.eui, euiprefix: '::0' } }, null, 2)}\n`,
    });
    expect(Object.keys(b.files).sort()).toEqual([...BUNDLE_FILES].sort());
    for (const [name, text] of Object.entries(b.files)) {
      if (name !== 'gateway.json') expect(text, name).not.toContain(GMK1);
    }
  });

  it('authenticates by a client certificate instead of the token when one is given', () => {
    const clientCertificate = { certPem: 'CERT PEM\n', keyPem: 'SEC1 KEY PEM\n', fingerprint: 'AB:CD' };
    const b = buildBundle(input({ clientCertificate }));
    expect(b.auth).toBe('client-cert');
    expect(b.certificateFingerprint).toBe('AB:CD');
    expect(Object.keys(b.files).sort()).toEqual([...BUNDLE_FILES, ...CERT_BUNDLE_FILES].sort());
    for (const set of ['cups', 'cups-boot']) {
      expect(b.files[`${set}.crt`]).toBe('CERT PEM\n');
      expect(b.files[`${set}.key`]).toBe('SEC1 KEY PEM\n');
    }
    expect(JSON.stringify(b.files)).not.toContain(gw1.token0);
  });

  it('adds the station signing key as sig-0.key when there is one', () => {
    const b = buildBundle(input({ signingKey: SIG }));
    expect(b.binaryFiles).toEqual({ [SIGNING_KEY_FILE]: SIG });
    expect(SIGNING_KEY_FILE).toBe('sig-0.key');
  });
});

describe('bundleFileList', () => {
  it('lists text and binary files by name, the GMK, token and key files marked secret', () => {
    const list = bundleFileList(buildBundle(input({ signingKey: SIG })));
    expect(list.map((f) => f.name)).toEqual([...BUNDLE_FILES, SIGNING_KEY_FILE].sort());
    expect(list.filter((f) => f.secret).map((f) => f.name)).toEqual([
      'cups-boot.key',
      'cups.key',
      'gateway.json',
    ]);
    expect(list.find((f) => f.name === 'sig-0.key')!.data).toBe(SIG);
  });
});

describe('deriveBundle', () => {
  it('derives the GMK, PIN and token through the HSM (SPEC §2 vectors)', async () => {
    const f = await createCoreFixture();
    try {
      const batch = await f.core.batches.batchOf(euiFromHex(gw1.hex));
      const handle = { id: f.batch.id, brkHandle: batch!.brkHandle };
      const b = await deriveBundle(f.hsm, handle, euiFromHex(gw1.hex), 1, {
        cupsUri: SERVER_CUPS_URI,
        trustPem: TRUST,
      });
      expect(b).toEqual(
        buildBundle(input({ batchId: f.batch.id, token: gw1.token1 })), // generation 1
      );
      expect(await derivePin(f.hsm, batch!.brkHandle, euiFromHex(gw1.hex))).toBe(gw1.pin);
    } finally {
      await f.close();
    }
  });
});
