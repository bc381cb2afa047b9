/**
 * Signed firmware delivery over real HTTPS (SPEC §3.4), by station-like clients: an image signed by
 * the station's own HSM key (whose sig-0.key the personalization bundle carries) and by a vendor
 * key made with openssl; the answer's signature segment byte by byte (sigLen = len + 4, keyCRC of
 * the matching key); not before fwafter; at most once under concurrent polls and across a restart;
 * no matching key → nothing sent and `info` says why; `done` once the package changes.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crc32 } from '../../../src-shared/crc32';
import { decodeUpdateInfoResponse } from '../../../src-shared/cups-wire';
import { publicKeyFromStationKey, verifyUpdateSignature } from '../../../src-main/core/firmware/signature';
import { KDF_VECTORS } from '../../helpers/core-fixture';
import { startRestartableServer, type RestartableServer } from '../../helpers/restartable-server';
import { StationClient } from '../../helpers/station-client';
import { makeTempDir } from '../../helpers/tmp-dir';

const { gw1, gw2 } = KDF_VECTORS;
const IMAGE = new TextEncoder().encode('#!/bin/sh\necho 2.1.0 > version.txt\nrm -f /tmp/update.bin\n');
const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64');
const u32le = (b: Uint8Array, at: number) => Buffer.from(b).readUInt32LE(at);

/** The signature segment of an update-info answer, read from the raw bytes (SPEC §3.2). */
function signatureSegment(body: Uint8Array) {
  let at = 0;
  at += 1 + body[at]!; // cupsUri
  at += 1 + body[at]!; // tcUri
  at += 2 + Buffer.from(body).readUInt16LE(at); // cupsCred
  at += 2 + Buffer.from(body).readUInt16LE(at); // tcCred
  const sigLen = u32le(body, at);
  const keyCrc = u32le(body, at + 4);
  const sig = body.subarray(at + 8, at + 4 + sigLen);
  const updLen = u32le(body, at + 4 + sigLen);
  const update = body.subarray(at + 8 + sigLen, at + 8 + sigLen + updLen);
  return { sigLen, keyCrc, sig, updLen, update, end: at + 8 + sigLen + updLen };
}

let t: RestartableServer;
let vendor: { raw: Uint8Array; keyCrc: number; sig: Uint8Array };
let stationKey: { raw: Uint8Array; keyCrc: number };
let fwcrc: number;

beforeAll(async () => {
  t = await startRestartableServer();
  // a vendor key and signature made by openssl, the way the Basics Station docs make them
  const dir = makeTempDir('fw-vendor', { until: 'exit' });
  writeFileSync(join(dir, 'update.bin'), IMAGE);
  execFileSync('openssl', ['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', 'key.pem'], {
    cwd: dir,
  });
  execFileSync('openssl', ['dgst', '-sha512', '-sign', 'key.pem', '-out', 'update.sig', 'update.bin'], {
    cwd: dir,
  });
  const spki = execFileSync('openssl', ['ec', '-in', 'key.pem', '-pubout', '-outform', 'DER'], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const raw = new Uint8Array(spki.subarray(spki.length - 64));
  vendor = { raw, keyCrc: crc32(raw), sig: new Uint8Array(readFileSync(join(dir, 'update.sig'))) };
  // the station's own key, in its HSM
  await t.station.core.signingKeys.create(t.station.cliContext);
  const sk = await t.post('/api/v1/firmware/station-key', t.ownerA.apiKey, {});
  expect(sk.status, sk.text).toBe(200);
  const key = sk.json as { keyCrc: number; key: string };
  stationKey = { raw: new Uint8Array(Buffer.from(key.key, 'base64')), keyCrc: key.keyCrc };
  expect(stationKey.raw).toHaveLength(64);
  expect(crc32(stationKey.raw)).toBe(stationKey.keyCrc);
});
afterAll(async () => t?.close());

describe('firmware delivery over CUPS', () => {
  it('uploads with the vendor signature and, for an admin, the station’s own', async () => {
    const asOwner = await t.post('/api/v1/firmware/upload', t.ownerA.apiKey, {
      ownerid: t.ownerA.id6,
      firmware: b64(IMAGE),
      signatures: [],
      stationSign: true,
    });
    expect(asOwner).toMatchObject({ status: 403, json: { code: 'forbidden' } });
    const r = await t.post('/api/v1/firmware/upload', t.adminKey, {
      ownerid: t.ownerA.id6,
      firmware: b64(IMAGE),
      version: '2.1.0',
      signatures: [{ key: b64(vendor.raw), signature: b64(vendor.sig) }],
      stationSign: true,
    });
    expect(r.status, r.text).toBe(200);
    fwcrc = crc32(IMAGE);
    expect(r.json).toMatchObject({ fwcrc, keys: [vendor.keyCrc, stationKey.keyCrc].sort((a, b) => a - b) });
  });

  it('sends nothing before fwafter, then exactly one of concurrent polls gets the update signed by the bundle’s sig-0.key', async () => {
    expect(
      (await t.api('claim', t.ownerA.apiKey, { ownerid: t.ownerA.id6, gateway: gw1.id6, claim: gw1.pin }))
        .json,
    ).toEqual([{ gateway: gw1.id6 }]);
    const fwafter = new Date(t.clock.now() + 3600_000).toISOString();
    const setup = await t.api('setup', t.ownerA.apiKey, {
      ownerid: t.ownerA.id6,
      gateway: gw1.id6,
      lnsUri: 'ws://lns.example.com:1887',
      fwcrc,
      fwafter,
    });
    expect(setup.json).toEqual([{ gateway: gw1.id6 }]);
    const bundle = await t.station.core.factory.personalize(t.station.cliContext, gw1.id6, {
      cupsUri: t.station.cupsUri,
      trustPem: t.caPem,
    });
    expect(bundle.binaryFiles?.['sig-0.key']).toEqual(stationKey.raw);
    const st = StationClient.fromFiles({ ...bundle.files, ...bundle.binaryFiles }, { package: '2.0.0' });
    expect(st.keys).toEqual([stationKey.keyCrc]);
    st.keys = [0x0badf00d, stationKey.keyCrc];

    const early = await st.sync();
    expect(early.response.status).toBe(200);
    expect(early.update?.update).toBeUndefined();
    const info = async () =>
      (
        (await t.api('info', t.ownerA.apiKey, { ownerid: t.ownerA.id6, gateway: gw1.id6 })).json as {
          info: { firmware: Record<string, unknown> };
        }[]
      )[0]!.info.firmware;
    expect(await info()).toMatchObject({ state: 'not_yet_due', detail: `not before ${fwafter}` });

    t.clock.advance(3600_000);
    expect(await info()).toMatchObject({ state: 'pending', keyCrc: stationKey.keyCrc });
    const answers = await Promise.all(Array.from({ length: 6 }, () => st.request()));
    expect(answers.map((a) => a.status)).toEqual(Array(6).fill(200));
    const withUpdate = answers.filter((a) => decodeUpdateInfoResponse(a.body).update !== undefined);
    expect(withUpdate).toHaveLength(1);

    const seg = signatureSegment(withUpdate[0]!.body);
    expect(seg.end).toBe(withUpdate[0]!.body.length);
    expect(seg.sigLen).toBe(seg.sig.length + 4);
    expect(seg.sig[0]).toBe(0x30);
    expect(seg.sig.length).toBe(seg.sig[1]! + 2); // one DER SEQUENCE, 70–72 bytes
    expect(seg.keyCrc).toBe(stationKey.keyCrc);
    expect(seg.update).toEqual(IMAGE);
    // the station's check: the signature verifies against its 64-byte sig-0.key
    const sig0 = bundle.binaryFiles!['sig-0.key']!;
    expect(verifyUpdateSignature(seg.update, seg.sig, publicKeyFromStationKey(sig0))).toBe(true);
    expect(await info()).toMatchObject({ state: 'sent', keyCrc: stationKey.keyCrc, packageBefore: '2.0.0' });
  });

  it('never sends it again after a restart; a new package reported later means done', async () => {
    t = await t.restart();
    const bundle = await t.station.core.factory.personalize(t.station.cliContext, gw1.id6, {
      cupsUri: t.station.cupsUri,
      trustPem: t.caPem,
    });
    const st = StationClient.fromFiles({ ...bundle.files, ...bundle.binaryFiles }, { package: '2.0.0' });
    for (let i = 0; i < 3; i++) {
      const r = await st.sync();
      expect(r.response.status).toBe(200);
      expect(r.update?.update).toBeUndefined();
    }
    t.clock.advance(60_000);
    st.package = '2.1.0';
    expect((await st.sync()).update?.update).toBeUndefined();
    const info = (await t.api('info', t.ownerA.apiKey, { ownerid: t.ownerA.id6, gateway: gw1.id6 })).json as {
      info: { firmware: Record<string, unknown> };
    }[];
    expect(info[0]!.info.firmware).toMatchObject({
      state: 'done',
      packageBefore: '2.0.0',
      packageAfter: '2.1.0',
    });
    const rows = await t.station.store.read((tx) => tx.all('SELECT eui FROM firmware_deliveries'));
    expect(rows).toHaveLength(1);
  });

  it('withholds the update from a station without a matching key and says why; sends the vendor signature once it has the vendor key', async () => {
    await t.api('claim', t.ownerA.apiKey, { ownerid: t.ownerA.id6, gateway: gw2.id6, claim: gw2.pin });
    await t.api('setup', t.ownerA.apiKey, {
      ownerid: t.ownerA.id6,
      gateway: gw2.id6,
      lnsUri: 'ws://lns.example.com:1887',
      fwcrc,
    });
    const bundle = await t.station.core.factory.personalize(t.station.cliContext, gw2.id6, {
      cupsUri: t.station.cupsUri,
      trustPem: t.caPem,
    });
    const st = StationClient.fromFiles(bundle.files, { keys: [0x01020304] });
    const r = await st.sync();
    expect(r.response.status).toBe(200);
    expect(r.update?.update).toBeUndefined();
    const info = (await t.api('info', t.ownerA.apiKey, { ownerid: t.ownerA.id6, gateway: gw2.id6 })).json as {
      info: { firmware: { state: string; detail: string } };
    }[];
    expect(info[0]!.info.firmware.state).toBe('no_matching_key');
    expect(info[0]!.info.firmware.detail).toMatch(/0x01020304.*match none of the signatures/);

    st.keys = [vendor.keyCrc];
    const got = await st.request();
    const seg = signatureSegment(got.body);
    expect(seg.keyCrc).toBe(vendor.keyCrc);
    expect(seg.sigLen).toBe(vendor.sig.length + 4);
    expect(seg.sig).toEqual(vendor.sig);
    expect(verifyUpdateSignature(seg.update, seg.sig, publicKeyFromStationKey(vendor.raw))).toBe(true);
  });
});
