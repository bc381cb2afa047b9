/**
 * Firmware over the Owner API and CUPS (SPEC §3.4, §4.2): upload with a verified signature, list,
 * delivery exactly once after `fwafter` to a station holding the signing key, then delete.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeUpdateInfoResponse } from '../../../src-shared/cups-wire';
import { StationClient } from '../../helpers/station-client';
import { KDF_VECTORS, startTestServer, type TestServer } from '../../helpers/server-fixture';

const FW = (
  JSON.parse(readFileSync(path.join(import.meta.dirname, '../../vectors/cups.json'), 'utf8')) as {
    firmware: { imageHex: string; sigKeyHex: string; keyCrc: number; signatureDerHex: string; fwcrc: number };
  }
).firmware;
const b64 = (hex: string) => Buffer.from(hex, 'hex').toString('base64');
const GW = KDF_VECTORS.gw1;

let t: TestServer;

beforeAll(async () => {
  t = await startTestServer();
});
afterAll(async () => t?.close());

const fw = (op: string, key: string, body: unknown) => t.request(`/api/v1/firmware/${op}`, { key, body });

describe('POST /api/v1/firmware/*', () => {
  it('uploads an image whose signature verifies and answers {fwcrc, keys}', async () => {
    const r = await fw('upload', t.ownerA.apiKey, {
      ownerid: t.ownerA.id6,
      firmware: b64(FW.imageHex),
      version: '2.0.0',
      signatures: [{ key: b64(FW.sigKeyHex), signature: b64(FW.signatureDerHex) }],
    });
    expect(r.status, r.text).toBe(200);
    expect(r.json).toMatchObject({ fwcrc: FW.fwcrc, keys: [FW.keyCrc] });
    const list = await fw('list', t.ownerA.apiKey, { ownerid: t.ownerA.id6 });
    expect((list.json as { firmware: { fwcrc: number }[] }).firmware.map((f) => f.fwcrc)).toContain(FW.fwcrc);
  });

  it('refuses a signature that does not verify, and malformed bodies naming the field', async () => {
    const bad = await fw('upload', t.ownerA.apiKey, {
      ownerid: t.ownerA.id6,
      firmware: b64(`${FW.imageHex}00`),
      signatures: [{ key: b64(FW.sigKeyHex), signature: b64(FW.signatureDerHex) }],
    });
    expect(bad.status).toBe(400);
    expect(bad.json).toMatchObject({
      code: 'invalid_credential',
      error: expect.stringMatching(/signatures\[0\]/),
    });
    const notB64 = await fw('upload', t.ownerA.apiKey, {
      ownerid: t.ownerA.id6,
      firmware: '%%',
      signatures: [],
    });
    expect(notB64.json).toMatchObject({
      code: 'invalid_credential',
      error: expect.stringMatching(/^firmware: not Base64/),
    });
    const badCrc = await fw('delete', t.ownerA.apiKey, { ownerid: t.ownerA.id6, fwcrc: 'latest' });
    expect(badCrc.status).toBe(400);
    expect(badCrc.json).toMatchObject({ error: expect.stringMatching(/^fwcrc/) });
    const other = await fw('list', t.ownerB.apiKey, { ownerid: t.ownerA.id6 });
    expect(other.status).toBe(403);
  });

  it('delivers the signed update once after fwafter to a station holding the key', async () => {
    const claim = await t.api('claim', t.ownerA.apiKey, {
      ownerid: t.ownerA.id6,
      gateway: GW.id6,
      claim: GW.pin,
    });
    expect(claim.json).toEqual([{ gateway: GW.id6 }]);
    const setup = await t.api('setup', t.ownerA.apiKey, {
      ownerid: t.ownerA.id6,
      gateway: GW.id6,
      lnsUri: 'ws://lns.example.com:1887',
      fwcrc: FW.fwcrc,
      fwafter: '2020-01-01T00:00:00Z',
    });
    expect(setup.json).toEqual([{ gateway: GW.id6 }]);
    const bundle = await t.station.core.factory.personalize(t.station.cliContext, GW.id6, {
      cupsUri: t.station.cupsUri,
      trustPem: t.caPem,
    });
    const st = StationClient.fromFiles(bundle.files, { keys: [FW.keyCrc], package: '1.0.0' });
    const first = await st.sync();
    expect(first.response.status).toBe(200);
    const u = first.update!;
    expect(Buffer.from(u.update!).toString('hex')).toBe(FW.imageHex);
    expect(u.signature).toMatchObject({ keyCrc: FW.keyCrc });
    expect(Buffer.from(u.signature!.sig).toString('hex')).toBe(FW.signatureDerHex);

    const again = await st.request();
    expect(again.status).toBe(200);
    expect(decodeUpdateInfoResponse(again.body).update).toBeUndefined();

    // delivered: no setup waits for it any more, so it may go
    const del = await fw('delete', t.ownerA.apiKey, {
      ownerid: t.ownerA.id6,
      fwcrc: `0x${FW.fwcrc.toString(16)}`,
    });
    expect(del.status, del.text).toBe(200);
    expect(del.json).toEqual({ fwcrc: FW.fwcrc });
  });
});
