/**
 * The rotation, certificate and firmware endpoints never answer 500 to bad input (SPEC §4.2):
 * rotate, certificate issue/list/revoke, firmware station-key and the firmware upload extensions. A
 * table of malformed requests, each a 4xx whose `{error, code}` names the field; the server stays
 * healthy; and every endpoint is in the OpenAPI document.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KDF_VECTORS } from '../../helpers/core-fixture';
import { startRestartableServer, type RestartableServer } from '../../helpers/restartable-server';

const GW = KDF_VECTORS.gw1;
const OWNER = 'a::1';
const FP = 'ab'.repeat(32);
/** the SPEC §3.4 vector's sig-0.key (a valid P-256 point), Base64 */
const VECTOR_KEY = Buffer.from(
  '22e4732a8153afab59aa63157f3b05347d706324dbe89cca3f8710b2b2aab34588333b14ff5510ed5be9124ca053bc416ca5ec3e2cae6c95b269b4907032d6a4',
  'hex',
).toString('base64');

interface Case {
  name: string;
  path: string;
  body: unknown;
  /** which key sends it (default: owner a::1) */
  as?: 'owner' | 'admin' | 'otherOwner';
  status?: number;
  code: string;
  message: RegExp;
}

const rotate = '/api/v1/gateway/rotate';
const issue = '/api/v1/certificate/issue';
const list = '/api/v1/certificate/list';
const revoke = '/api/v1/certificate/revoke';
const stationKey = '/api/v1/firmware/station-key';
const upload = '/api/v1/firmware/upload';

const CASES: Case[] = [
  // rotate
  {
    name: 'rotate: array body',
    path: rotate,
    body: [],
    code: 'invalid_request',
    message: /^body: expected a JSON object, got array/,
  },
  {
    name: 'rotate: missing ownerid',
    path: rotate,
    body: { gateway: GW.id6 },
    code: 'invalid_request',
    message: /^ownerid: required/,
  },
  {
    name: 'rotate: bad ownerid',
    path: rotate,
    body: { ownerid: '0x1', gateway: GW.id6 },
    code: 'invalid_id',
    message: /^ownerid: "0x1"/,
  },
  {
    name: 'rotate: numeric gateway',
    path: rotate,
    body: { ownerid: OWNER, gateway: 7 },
    code: 'invalid_request',
    message: /^gateway: expected string, got number/,
  },
  {
    name: 'rotate: gateway and gateways',
    path: rotate,
    body: { ownerid: OWNER, gateway: GW.id6, gateways: [] },
    code: 'invalid_request',
    message: /^gateway: not allowed together with gateways/,
  },
  {
    name: 'rotate: gateways not an array',
    path: rotate,
    body: { ownerid: OWNER, gateways: GW.id6 },
    code: 'invalid_request',
    message: /^gateways: expected array, got string/,
  },
  {
    name: 'rotate: unknown field',
    path: rotate,
    body: { ownerid: OWNER, gateway: GW.id6, generation: 2 },
    code: 'invalid_request',
    message: /^generation: unknown field/,
  },
  {
    name: 'rotate: too many items',
    path: rotate,
    body: { ownerid: OWNER, gateways: Array(10_001).fill(GW.id6) },
    code: 'too_many_items',
    message: /^gateways: 10001 items/,
  },
  {
    name: 'rotate: another owner’s ownerid',
    path: rotate,
    body: { ownerid: 'b::2', gateway: GW.id6 },
    status: 403,
    code: 'forbidden',
    message: /^ownerid: this key acts for owner a::1, not b::2/,
  },
  // certificate issue
  {
    name: 'issue: owner key',
    path: issue,
    body: { gateway: GW.id6 },
    status: 403,
    code: 'forbidden',
    message: /admin/,
  },
  {
    name: 'issue: missing gateway',
    path: issue,
    as: 'admin',
    body: {},
    code: 'invalid_request',
    message: /^gateway: required/,
  },
  {
    name: 'issue: bad gateway id',
    path: issue,
    as: 'admin',
    body: { gateway: '1:::2' },
    code: 'invalid_id',
    message: /^gateway: "1:::2"/,
  },
  {
    name: 'issue: days 0',
    path: issue,
    as: 'admin',
    body: { gateway: GW.id6, days: 0 },
    code: 'invalid_request',
    message: /^days: /,
  },
  {
    name: 'issue: days as text',
    path: issue,
    as: 'admin',
    body: { gateway: GW.id6, days: '30' },
    code: 'invalid_request',
    message: /^days: expected number, got string/,
  },
  {
    name: 'issue: days beyond the CA',
    path: issue,
    as: 'admin',
    body: { gateway: GW.id6, days: 99_999 },
    code: 'invalid_request',
    message: /^days: /,
  },
  {
    name: 'issue: ownerid is not a field',
    path: issue,
    as: 'admin',
    body: { ownerid: OWNER, gateway: GW.id6 },
    code: 'invalid_request',
    message: /^ownerid: unknown field/,
  },
  {
    name: 'issue: outside every batch',
    path: issue,
    as: 'admin',
    body: { gateway: 'b827:ebff:fe12:3456' },
    status: 404,
    code: 'not_found',
    message: /^gateway b827:ebff:fe12:3456 is outside every batch/,
  },
  // certificate list / revoke
  {
    name: 'list: missing gateway',
    path: list,
    body: { ownerid: OWNER },
    code: 'invalid_request',
    message: /^gateway: required/,
  },
  // an owner learns only "not yours" (docs/security.md "Enumeration"); an admin learns why
  {
    name: 'list: unclaimed gateway',
    path: list,
    body: { ownerid: OWNER, gateway: KDF_VECTORS.gw2.id6 },
    status: 404,
    code: 'not_found',
    message: /is not a gateway of owner a::1/,
  },
  {
    name: 'list: other owner’s gateway',
    path: list,
    as: 'otherOwner',
    body: { ownerid: 'b::2', gateway: GW.id6 },
    status: 404,
    code: 'not_found',
    message: /is not a gateway of owner b::2/,
  },
  {
    name: 'list: unclaimed gateway, asked by an admin',
    path: list,
    as: 'admin',
    body: { ownerid: OWNER, gateway: KDF_VECTORS.gw2.id6 },
    status: 409,
    code: 'not_claimed',
    message: /is not claimed/,
  },
  {
    name: 'list: other owner’s gateway, asked by an admin',
    path: list,
    as: 'admin',
    body: { ownerid: 'b::2', gateway: GW.id6 },
    status: 409,
    code: 'claimed_by_other',
    message: /claimed by another owner/,
  },
  {
    name: 'revoke: short fingerprint',
    path: revoke,
    body: { ownerid: OWNER, gateway: GW.id6, fingerprint: 'abc' },
    code: 'invalid_request',
    message: /^fingerprint: expected a SHA-256 fingerprint/,
  },
  {
    name: 'revoke: fingerprint with spaces',
    path: revoke,
    body: { ownerid: OWNER, gateway: GW.id6, fingerprint: FP.match(/../g)!.join(' ') },
    code: 'invalid_request',
    message: /^fingerprint: /,
  },
  {
    name: 'revoke: numeric fingerprint',
    path: revoke,
    body: { ownerid: OWNER, gateway: GW.id6, fingerprint: 12 },
    code: 'invalid_request',
    message: /^fingerprint: expected string, got number/,
  },
  {
    name: 'revoke: nothing recorded',
    path: revoke,
    body: { ownerid: OWNER, gateway: GW.id6 },
    status: 404,
    code: 'not_found',
    message: /has no recorded certificate/,
  },
  {
    name: 'revoke: bad gateway id',
    path: revoke,
    body: { ownerid: OWNER, gateway: 'xyz' },
    code: 'invalid_id',
    message: /^gateway: "xyz"/,
  },
  // station key
  {
    name: 'station-key: unknown field',
    path: stationKey,
    body: { ownerid: OWNER },
    code: 'invalid_request',
    message: /^ownerid: unknown field/,
  },
  {
    name: 'station-key: none created yet',
    path: stationKey,
    body: {},
    status: 404,
    code: 'not_found',
    message: /^signing key: the station has no update-signing key/,
  },
  {
    name: 'station-key: string body',
    path: stationKey,
    body: 'key',
    code: 'invalid_request',
    message: /^body: expected a JSON object, got string/,
  },
  // firmware upload extensions
  {
    name: 'upload: stationSign as text',
    path: upload,
    body: { ownerid: OWNER, firmware: 'AA==', signatures: [], stationSign: 'yes' },
    code: 'invalid_request',
    message: /^stationSign: expected boolean, got string/,
  },
  {
    name: 'upload: signature key of 10 bytes',
    path: upload,
    body: {
      ownerid: OWNER,
      firmware: 'AAEC',
      signatures: [{ key: 'AAAAAAAAAAAAAA==', signature: 'MAYCAQECAQE=' }],
    },
    code: 'invalid_credential',
    message: /^signatures\[0\]\.key: is 10 bytes/,
  },
  {
    name: 'upload: raw r‖s signature',
    path: upload,
    body: {
      ownerid: OWNER,
      firmware: 'AAEC',
      signatures: [{ key: VECTOR_KEY, signature: Buffer.alloc(64, 1).toString('base64') }],
    },
    code: 'invalid_credential',
    message: /^signatures\[0\]\.signature: is not a DER ECDSA signature/,
  },
  {
    name: 'upload: no signature at all',
    path: upload,
    body: { ownerid: OWNER, firmware: 'AAEC', signatures: [] },
    code: 'invalid_request',
    message: /^signatures: at least one signature/,
  },
  {
    name: 'upload: too many signatures',
    path: upload,
    body: {
      ownerid: OWNER,
      firmware: 'AAEC',
      signatures: Array(17).fill({ key: 'AA==', signature: 'AA==' }),
    },
    code: 'invalid_request',
    message: /^signatures: /,
  },
];

let t: RestartableServer;

beforeAll(async () => {
  t = await startRestartableServer();
  await t.api('claim', t.ownerA.apiKey, { ownerid: OWNER, gateway: GW.id6, claim: GW.pin });
});
afterAll(async () => t?.close());

describe('rotation, certificate and firmware endpoints: malformed input', () => {
  it('has at least 20 cases', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(20);
  });

  it.each(CASES)('$name → $code', async (c) => {
    const key = c.as === 'admin' ? t.adminKey : c.as === 'otherOwner' ? t.ownerB.apiKey : t.ownerA.apiKey;
    const r = await t.post(c.path, key, c.body);
    expect(r.status, r.text).toBe(c.status ?? 400);
    const body = r.json as { error: string; code: string };
    expect(body.code, r.text).toBe(c.code);
    expect(body.error).toMatch(c.message);
  });

  it('answers an object item of a bulk rotate for that item alone (SPEC §4.2 partial success)', async () => {
    const r = await t.post(rotate, t.ownerA.apiKey, { ownerid: OWNER, gateways: [{ gateway: GW.id6 }] });
    expect(r.status, r.text).toBe(200);
    const [item] = r.json as { code?: string; error?: string }[];
    expect(item?.code).toBe('invalid_request');
    expect(item?.error).toMatch(/^gateways\[0\]: expected string, got object/);
  });

  it('stays healthy: a valid request still works after the table', async () => {
    const r = await t.api('rotate', t.ownerA.apiKey, { ownerid: OWNER, gateway: GW.id6 });
    expect(r).toMatchObject({ status: 200, json: [{ gateway: GW.id6 }] });
  });
});

describe('OpenAPI document', () => {
  it('documents every rotation, certificate and firmware endpoint with its request body', async () => {
    const r = await fetchOpenApi();
    for (const path of [
      rotate,
      issue,
      list,
      revoke,
      stationKey,
      upload,
      '/api/v1/firmware/list',
      '/api/v1/firmware/delete',
    ]) {
      expect(r.paths[path]?.post?.requestBody, path).toBeDefined();
    }
    expect(JSON.stringify(r.paths[upload])).toContain('stationSign');
    expect(JSON.stringify(r.paths['/api/v1/gateway/info'])).toContain('no_matching_key');
    expect(JSON.stringify(r.paths['/api/v1/gateway/info'])).toContain('in_flight');
  });
});

async function fetchOpenApi(): Promise<{ paths: Record<string, { post?: { requestBody?: unknown } }> }> {
  const { request } = await import('node:https');
  return new Promise((resolve, reject) => {
    const req = request(`${t.url}/api/v1/openapi.json`, { ca: t.caPem }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () =>
        resolve(JSON.parse(text) as { paths: Record<string, { post?: { requestBody?: unknown } }> }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}
