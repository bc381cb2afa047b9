/**
 * Every Owner API operation answers what its declaration says (docs/owner-api.md "Answers are
 * checked"): the operation list is `OWNER_API_PATHS` itself, each path is called once over real
 * HTTPS on loopback against a real station (test/helpers/server-fixture.ts) on its success path,
 * and its 200 answer must parse with the path's response schema — strict where the schema is — and
 * parse to itself (nothing an object schema would strip). The coverage test fails when an endpoint
 * is added to the contract without a case here.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crc32 } from '../../src-shared/crc32';
import { OWNER_API, OWNER_API_PATHS, type OwnerApiPath } from '../../src-shared/owner-api';
import { KDF_VECTORS, OUTSIDE_ID } from '../helpers/core-fixture';
import { startTestServer, type HttpAnswer, type TestServer } from '../helpers/server-fixture';

const { gw1, gw2 } = KDF_VECTORS;
const b64 = (s: string) => Buffer.from(s).toString('base64');
/** an image uploaded by the upload case, and one uploaded in setup for the delete case */
const IMAGE = '#!/bin/sh\necho 2.1.0 > version.txt\n';
const DOOMED_IMAGE = '#!/bin/sh\necho 2.0.9 > version.txt\n';
/** an image gw2's setup names, whose delivery a station reports (firmware-sent) */
const SENT_IMAGE = '#!/bin/sh\necho 2.0.8 > version.txt\n';
const SENT_FWCRC = crc32(new TextEncoder().encode(SENT_IMAGE));

let t: TestServer;
let doomedCert: string;

/** Which key calls a path: the owner's where its scopes suffice, else the admin's. */
type Caller = 'owner' | 'admin';

/**
 * One success-path call per endpoint. Each case stands alone (its preconditions are made in
 * `beforeAll`), so the order of `OWNER_API_PATHS` does not matter.
 */
const CASES: Record<OwnerApiPath, { as: Caller; body: () => Record<string, unknown> }> = {
  'gateway/claim': { as: 'owner', body: () => ({ ownerid: 'a::1', gateway: gw1.eui, claim: gw1.pin }) },
  'gateway/setup': {
    as: 'owner',
    body: () => ({ ownerid: 'a::1', gateway: gw2.id6, lnsUri: 'ws://lns.example.com:1887' }),
  },
  'gateway/delete': { as: 'owner', body: () => ({ ownerid: 'a::1', gateway: OUTSIDE_ID }) },
  'gateway/add': {
    as: 'owner',
    body: () => ({ ownerid: 'a::1', gateway: 'b827:ebff:fe12:3457', flavorid: 'rpi', token: 'own-token-1' }),
  },
  'gateway/info': { as: 'owner', body: () => ({ ownerid: 'a::1', gateways: [gw2.id6] }) },
  'gateway/list': { as: 'owner', body: () => ({ ownerid: 'a::1', limit: 10 }) },
  'gateway/rotate': { as: 'owner', body: () => ({ ownerid: 'a::1', gateway: gw2.id6 }) },
  'gateway/changes': { as: 'owner', body: () => ({ ownerid: 'a::1', after: '', limit: 10 }) },
  'gateway/site-pack': { as: 'owner', body: () => ({ ownerid: 'a::1', gateways: [gw2.id6] }) },
  'gateway/firmware-sent': {
    as: 'owner',
    body: () => ({
      ownerid: 'a::1',
      gateway: gw2.id6,
      fwcrc: SENT_FWCRC,
      fwafter: null,
      sentAt: '2030-01-01T00:00:00.000Z',
      keyCrc: 1,
      package: '2.0.7',
    }),
  },
  'gateway/unlock': { as: 'admin', body: () => ({ gateway: gw1.id6 }) },
  'firmware/upload': {
    as: 'admin',
    body: () => ({
      ownerid: 'a::1',
      firmware: b64(IMAGE),
      version: '2.1.0',
      signatures: [],
      stationSign: true,
    }),
  },
  'firmware/list': { as: 'owner', body: () => ({ ownerid: 'a::1' }) },
  'firmware/delete': {
    as: 'admin',
    body: () => ({ ownerid: 'a::1', fwcrc: crc32(new TextEncoder().encode(DOOMED_IMAGE)) }),
  },
  'firmware/station-key': { as: 'owner', body: () => ({}) },
  'certificate/issue': { as: 'admin', body: () => ({ gateway: gw2.id6, days: 30 }) },
  'certificate/list': { as: 'owner', body: () => ({ ownerid: 'a::1', gateway: gw2.id6 }) },
  'certificate/revoke': {
    as: 'owner',
    body: () => ({ ownerid: 'a::1', gateway: gw2.id6, fingerprint: doomedCert }),
  },
  'factory/records': {
    as: 'admin',
    body: () => ({
      records: [
        {
          recordId: 'answer-check-1',
          gateway: gw1.eui,
          batch: 'line-batch',
          kcv: KDF_VECTORS.kcv,
          event: 'verified',
          at: '2030-01-01T00:01:00.000Z',
          station: 'factory-1',
          operator: 'operator:alice',
          state: 'verified',
          fromMac: false,
          generation: null,
          personalizeCount: 1,
          printCount: 1,
          jobId: null,
          reason: null,
          personalizedAt: '2030-01-01T00:00:00.000Z',
          printedAt: '2030-01-01T00:00:30.000Z',
          verifiedAt: '2030-01-01T00:01:00.000Z',
          blockedAt: null,
          blockedReason: null,
        },
      ],
    }),
  },
};

const exercised = new Set<string>();

beforeAll(async () => {
  t = await startTestServer({ rateLimits: false });
  const { core, cliContext: ctx } = t.station;
  const a = await core.access.authenticate(t.ownerA.apiKey);
  // owner A holds gw2 (setup, info, rotate, site-pack, certificates) and OUTSIDE_ID (to delete)
  expect(await core.owner.claim({ principal: a }, 'a::1', [{ gateway: gw2.id6, claim: gw2.pin }])).toEqual([
    { gateway: gw2.id6 },
  ]);
  expect(
    await core.owner.add({ principal: a }, 'a::1', [
      { gateway: OUTSIDE_ID, flavorid: 'rpi', token: 'tok-0' },
    ]),
  ).toEqual([{ gateway: OUTSIDE_ID }]);
  await core.signingKeys.create(ctx);
  await core.firmware.upload(ctx, 'a::1', {
    image: new TextEncoder().encode(DOOMED_IMAGE),
    version: '2.0.9',
    signatures: [],
    signWithStationKey: true,
  });
  await core.firmware.upload(ctx, 'a::1', {
    image: new TextEncoder().encode(SENT_IMAGE),
    version: '2.0.8',
    signatures: [],
    signWithStationKey: true,
  });
  expect(await core.owner.setup({ principal: a }, 'a::1', [{ gateway: gw2.id6, fwcrc: SENT_FWCRC }])).toEqual(
    [{ gateway: gw2.id6 }],
  );
  doomedCert = (await core.clientCertificates.issue(ctx, gw2.id6, { days: 1 })).fingerprint;
});
afterAll(async () => t?.close());

describe('every Owner API answer matches its response schema', () => {
  it.each(OWNER_API_PATHS)('POST /api/v1/%s', async (path) => {
    const c = CASES[path];
    expect(c, `${path}: no case in CASES (add one when adding an endpoint)`).toBeDefined();
    const key = c.as === 'admin' ? t.adminKey : t.ownerA.apiKey;
    const r: HttpAnswer = await t.request(`/api/v1/${path}`, { key, body: c.body() });
    exercised.add(path);
    expect(r.status, r.text).toBe(200);
    // a success answer: item operations answer every item without an error code
    if (OWNER_API[path].kind === 'items' || path === 'factory/records') {
      expect(Array.isArray(r.json)).toBe(true);
      for (const item of r.json as { code?: string }[]) expect(item.code, r.text).toBeUndefined();
    }
    const parsed = OWNER_API[path].response.safeParse(r.json);
    expect(parsed.success, `${path}: ${parsed.error?.message}`).toBe(true);
    // nothing an object schema would strip: the answer is exactly what the schema describes
    expect(parsed.data).toEqual(r.json);
  });

  it('covers every endpoint of the contract, no more and no fewer', () => {
    expect(Object.keys(CASES).sort()).toEqual([...OWNER_API_PATHS].sort());
    expect([...exercised].sort()).toEqual([...OWNER_API_PATHS].sort());
  });
});
