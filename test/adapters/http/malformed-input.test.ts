/**
 * The Owner API never answers 500 to bad input (SPEC §4.2): a table of malformed requests, each a
 * 4xx whose `{error, code}` names the field, and the server still healthy afterwards.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KDF_VECTORS, startTestServer, type TestServer } from '../../helpers/server-fixture';

const GW = KDF_VECTORS.gw1.id6;
const OWNER = 'a::1';
const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

interface Case {
  name: string;
  op: string;
  /** JSON body (ownerid added unless the case sets or removes it) */
  body?: Record<string, unknown>;
  /** raw body instead of JSON */
  raw?: string;
  contentType?: string | null;
  status?: number;
  code: string;
  message: RegExp;
}

const own = (body: Record<string, unknown>) => ({ ownerid: OWNER, ...body });

const CASES: Case[] = [
  // not JSON / not an object
  {
    name: 'plain text',
    op: 'claim',
    raw: 'not json',
    code: 'invalid_json',
    message: /^body: not valid JSON/,
  },
  { name: 'truncated JSON', op: 'claim', raw: '{"ownerid":', code: 'invalid_json', message: /^body/ },
  {
    name: 'trailing garbage',
    op: 'info',
    raw: `{"ownerid":"${OWNER}","gateway":"${GW}"}}`,
    code: 'invalid_json',
    message: /^body/,
  },
  { name: 'empty body', op: 'info', raw: '', code: 'invalid_json', message: /^body: empty/ },
  { name: 'whitespace body', op: 'info', raw: '  \n ', code: 'invalid_json', message: /^body: empty/ },
  {
    name: 'JSON array',
    op: 'claim',
    raw: '[]',
    code: 'invalid_request',
    message: /^body: expected a JSON object, got array/,
  },
  { name: 'JSON null', op: 'setup', raw: 'null', code: 'invalid_request', message: /^body: .*got null/ },
  {
    name: 'JSON string',
    op: 'delete',
    raw: '"::1"',
    code: 'invalid_request',
    message: /^body: .*got string/,
  },
  { name: 'JSON number', op: 'list', raw: '42', code: 'invalid_request', message: /^body: .*got number/ },
  { name: 'single quotes', op: 'info', raw: "{'ownerid':'a::1'}", code: 'invalid_json', message: /^body/ },
  // content type
  {
    name: 'text/plain',
    op: 'info',
    raw: '{}',
    contentType: 'text/plain',
    status: 415,
    code: 'invalid_request',
    message: /^content-type/,
  },
  {
    name: 'form encoded',
    op: 'claim',
    raw: 'ownerid=a::1',
    contentType: 'application/x-www-form-urlencoded',
    status: 415,
    code: 'invalid_request',
    message: /^content-type/,
  },
  {
    name: 'multipart',
    op: 'setup',
    raw: '--x--',
    contentType: 'multipart/form-data; boundary=x',
    status: 415,
    code: 'invalid_request',
    message: /^content-type/,
  },
  {
    name: 'no content type',
    op: 'info',
    raw: '{}',
    contentType: null,
    status: 415,
    code: 'invalid_request',
    message: /^content-type/,
  },
  {
    name: 'malformed content type',
    op: 'info',
    raw: '{}',
    contentType: 'json',
    status: 415,
    code: 'invalid_request',
    message: /^content-type/,
  },
  // ownerid
  {
    name: 'missing ownerid',
    op: 'info',
    body: { gateway: GW },
    code: 'invalid_request',
    message: /^ownerid: required/,
  },
  {
    name: 'numeric ownerid',
    op: 'info',
    body: { ownerid: 1, gateway: GW },
    code: 'invalid_request',
    message: /^ownerid: expected string, got number/,
  },
  {
    name: 'null ownerid',
    op: 'list',
    body: { ownerid: null },
    code: 'invalid_request',
    message: /^ownerid: expected string, got null/,
  },
  {
    name: 'bare :: ownerid',
    op: 'list',
    body: { ownerid: '::' },
    code: 'invalid_id',
    message: /^ownerid: "::"/,
  },
  {
    name: '0x ownerid',
    op: 'list',
    body: { ownerid: '0x1' },
    code: 'invalid_id',
    message: /^ownerid: "0x1"/,
  },
  {
    name: 'triple colon ownerid',
    op: 'claim',
    body: { ownerid: '1:::2', gateway: GW, claim: 'x' },
    code: 'invalid_id',
    message: /^ownerid/,
  },
  {
    name: 'ownerid with trailing space',
    op: 'info',
    body: { ownerid: 'a::1 ', gateway: GW },
    code: 'invalid_id',
    message: /^ownerid/,
  },
  {
    name: '7-byte EUI ownerid',
    op: 'list',
    body: { ownerid: '00-00-00-00-00-00-01' },
    code: 'invalid_id',
    message: /^ownerid/,
  },
  {
    name: 'decimal ownerid',
    op: 'list',
    body: { ownerid: '123456' },
    code: 'invalid_id',
    message: /^ownerid/,
  },
  {
    name: 'mixed separators ownerid',
    op: 'list',
    body: { ownerid: '00-00:00-00-00-00-00-01' },
    code: 'invalid_id',
    message: /^ownerid/,
  },
  // shape of claim
  {
    name: 'neither gateway nor gateways',
    op: 'claim',
    body: own({ claim: 'x' }),
    code: 'invalid_request',
    message: /^gateway: required/,
  },
  {
    name: 'numeric gateway',
    op: 'claim',
    body: own({ gateway: 5, claim: 'x' }),
    code: 'invalid_request',
    message: /^gateway: expected string, got number/,
  },
  {
    name: 'missing claim',
    op: 'claim',
    body: own({ gateway: GW }),
    code: 'invalid_request',
    message: /^claim: required/,
  },
  {
    name: 'numeric claim',
    op: 'claim',
    body: own({ gateway: GW, claim: 12345678 }),
    code: 'invalid_request',
    message: /^claim: expected string, got number/,
  },
  {
    name: 'gateways not an array',
    op: 'claim',
    body: own({ gateways: 'all' }),
    code: 'invalid_request',
    message: /^gateways: expected array, got string/,
  },
  {
    name: 'gateway and gateways',
    op: 'claim',
    body: own({ gateway: GW, claim: 'x', gateways: [] }),
    code: 'invalid_request',
    message: /^gateway: not allowed together with gateways/,
  },
  {
    name: 'unknown top-level field',
    op: 'claim',
    body: own({ gateway: GW, claim: 'x', pin: 'y' }),
    code: 'invalid_request',
    message: /^pin: unknown field/,
  },
  {
    name: 'too many items',
    op: 'delete',
    body: own({ gateways: Array.from({ length: 10_001 }, () => GW) }),
    code: 'too_many_items',
    message: /^gateways: 10001 items/,
  },
  // setup URIs
  {
    name: 'cupsUri without port',
    op: 'setup',
    body: own({ gateway: GW, cupsUri: 'https://cups.example.com' }),
    code: 'invalid_uri',
    message: /^cupsUri: .*port/,
  },
  {
    name: 'cupsUri with path',
    op: 'setup',
    body: own({ gateway: GW, cupsUri: 'https://cups.example.com:443/cups' }),
    code: 'invalid_uri',
    message: /^cupsUri: .*path/,
  },
  {
    name: 'lnsUri with https scheme',
    op: 'setup',
    body: own({ gateway: GW, lnsUri: 'https://lns.example.com:443' }),
    code: 'invalid_uri',
    message: /^lnsUri: .*ws\(s\)/,
  },
  {
    name: 'cupsUri with wss scheme',
    op: 'setup',
    body: own({ gateway: GW, cupsUri: 'wss://cups.example.com:443' }),
    code: 'invalid_uri',
    message: /^cupsUri/,
  },
  {
    name: 'lnsUri too long',
    op: 'setup',
    body: own({ gateway: GW, lnsUri: `wss://${'a'.repeat(120)}.example.com:443` }),
    code: 'invalid_uri',
    message: /^lnsUri: .*characters/,
  },
  {
    name: 'lnsUri with userinfo',
    op: 'setup',
    body: own({ gateway: GW, lnsUri: 'wss://user:pw@lns.example.com:443' }),
    code: 'invalid_uri',
    message: /^lnsUri/,
  },
  {
    name: 'lnsUri with bad port',
    op: 'setup',
    body: own({ gateway: GW, lnsUri: 'wss://lns.example.com:70000' }),
    code: 'invalid_uri',
    message: /^lnsUri: .*port/,
  },
  {
    name: 'numeric cupsUri',
    op: 'setup',
    body: own({ gateway: GW, cupsUri: 443 }),
    code: 'invalid_request',
    message: /^cupsUri: expected string, got number/,
  },
  // setup credentials
  {
    name: 'cupsTrust not Base64',
    op: 'setup',
    body: own({ gateway: GW, cupsTrust: '!!!not base64!!!' }),
    code: 'invalid_credential',
    message: /^cupsTrust: not Base64/,
  },
  {
    name: 'lnsTrust Base64 with line breaks',
    op: 'setup',
    body: own({ gateway: GW, lnsTrust: 'MAMC\nAQE=' }),
    code: 'invalid_credential',
    message: /^lnsTrust: not Base64/,
  },
  {
    name: 'cupsTrust PEM garbage',
    op: 'setup',
    body: own({
      gateway: GW,
      cupsTrust: b64('-----BEGIN CERTIFICATE-----\ngarbage!\n-----END CERTIFICATE-----\n'),
    }),
    code: 'invalid_credential',
    message: /^cupsTrust: malformed PEM/,
  },
  {
    name: 'lnsTrust PEM with mismatched END',
    op: 'setup',
    body: own({
      gateway: GW,
      lnsTrust: b64('-----BEGIN CERTIFICATE-----\nMAMCAQE=\n-----END PRIVATE KEY-----\n'),
    }),
    code: 'invalid_credential',
    message: /^lnsTrust: malformed PEM/,
  },
  {
    name: 'lnsCrt neither DER nor PEM',
    op: 'setup',
    body: own({ gateway: GW, lnsCrt: b64('hello world') }),
    code: 'invalid_credential',
    message: /^lnsCrt: neither DER/,
  },
  {
    name: 'empty lnsTrust',
    op: 'setup',
    body: own({ gateway: GW, lnsTrust: '' }),
    code: 'invalid_credential',
    message: /^lnsTrust: empty/,
  },
  {
    name: 'cupsKey not Base64',
    op: 'setup',
    body: own({ gateway: GW, cupsKey: 'Authorization: Bearer x' }),
    code: 'invalid_credential',
    message: /^cupsKey: not Base64/,
  },
  {
    name: 'empty lnsKey',
    op: 'setup',
    body: own({ gateway: GW, lnsKey: '' }),
    code: 'invalid_credential',
    message: /^lnsKey: empty/,
  },
  {
    name: 'numeric cupsTrust',
    op: 'setup',
    body: own({ gateway: GW, cupsTrust: 48 }),
    code: 'invalid_request',
    message: /^cupsTrust: expected string, got number/,
  },
  {
    name: 'bad top-level trust in mixed',
    op: 'setup',
    body: own({ cupsTrust: '%%%', gateways: [{ gateway: GW }] }),
    code: 'invalid_credential',
    message: /^cupsTrust: not Base64/,
  },
  // setup firmware fields
  {
    name: 'fwafter without zone',
    op: 'setup',
    body: own({ gateway: GW, fwafter: '2030-01-01T00:00:00' }),
    code: 'invalid_request',
    message: /^fwafter: expected an ISO-8601 date-time with zone/,
  },
  {
    name: 'fwafter prose',
    op: 'setup',
    body: own({ gateway: GW, fwafter: 'tomorrow' }),
    code: 'invalid_request',
    message: /^fwafter/,
  },
  {
    name: 'negative fwcrc',
    op: 'setup',
    body: own({ gateway: GW, fwcrc: -1 }),
    code: 'invalid_request',
    message: /^fwcrc/,
  },
  {
    name: 'fwcrc beyond 32 bits',
    op: 'setup',
    body: own({ gateway: GW, fwcrc: 2 ** 32 }),
    code: 'invalid_request',
    message: /^fwcrc/,
  },
  {
    name: 'fwcrc text',
    op: 'setup',
    body: own({ gateway: GW, fwcrc: 'latest' }),
    code: 'invalid_request',
    message: /^fwcrc/,
  },
  // delete / info
  {
    name: 'info gateways null',
    op: 'info',
    body: own({ gateways: null }),
    code: 'invalid_request',
    message: /^gateways: expected array, got null/,
  },
  // add
  {
    name: 'add without token',
    op: 'add',
    body: own({ gateway: '::5', flavorid: 'ttig' }),
    code: 'invalid_request',
    message: /^token: required/,
  },
  {
    name: 'add numeric flavorid',
    op: 'add',
    body: own({ gateway: '::5', flavorid: 1, token: 't' }),
    code: 'invalid_request',
    message: /^flavorid: expected string, got number/,
  },
  // list
  { name: 'list limit 0', op: 'list', body: own({ limit: 0 }), code: 'invalid_request', message: /^limit/ },
  {
    name: 'list limit text',
    op: 'list',
    body: own({ limit: 'ten' }),
    code: 'invalid_request',
    message: /^limit: expected number, got string/,
  },
  {
    name: 'list limit fraction',
    op: 'list',
    body: own({ limit: 1.5 }),
    code: 'invalid_request',
    message: /^limit/,
  },
  {
    name: 'list after unparsable',
    op: 'list',
    body: own({ after: '1:::2' }),
    code: 'invalid_request',
    message: /after|1:::2/,
  },
  {
    name: 'list after numeric',
    op: 'list',
    body: own({ after: 5 }),
    code: 'invalid_request',
    message: /^after: expected string, got number/,
  },
  {
    name: 'list limit 1e400 (Infinity after JSON.parse)',
    op: 'list',
    raw: `{"ownerid":"${OWNER}","limit":1e400}`,
    code: 'invalid_request',
    message: /^limit: not a finite number \(too large\)$/,
  },
  {
    name: 'fwcrc -1e400',
    op: 'setup',
    raw: `{"ownerid":"${OWNER}","gateway":"${GW}","fwcrc":-1e400}`,
    code: 'invalid_request',
    message: /^fwcrc: not a finite number/,
  },
  {
    name: '200 000 unknown fields: a short message',
    op: 'info',
    raw: `{"ownerid":"${OWNER}","gateway":"${GW}",${Array.from({ length: 200_000 }, (_, i) => `"k${i}":1`).join(',')}}`,
    code: 'invalid_request',
    message: /^k0: unknown field \(also k1, k2, k3, k4; and 199995 more unknown fields\)$/,
  },
  {
    name: 'unknown field with a 100 000-character name',
    op: 'claim',
    raw: `{"ownerid":"${OWNER}","gateway":"${GW}","claim":"x","${'z'.repeat(100_000)}":1}`,
    code: 'invalid_request',
    message: /^z{40}…: unknown field$/,
  },
  {
    name: 'list with gateways',
    op: 'list',
    body: own({ gateways: [] }),
    code: 'invalid_request',
    message: /^gateways: unknown field/,
  },
];

/**
 * Problems inside one item of a bulk request: the request answers 200 and that item answers for
 * itself with the same code and message (SPEC §4.2 "partial success is normal"); the full table
 * over every endpoint and field is `bulk-partial.test.ts`.
 */
const ITEM_CASES: (Case & { item: number })[] = [
  {
    name: 'wrong type deep in bulk',
    item: 3,
    op: 'claim',
    body: own({ gateways: [0, 1, 2, 3].map((i) => ({ gateway: `::${i + 1}`, claim: i === 3 ? 7 : 'x' })) }),
    code: 'invalid_request',
    message: /^gateways\[3\]\.claim: expected string, got number/,
  },
  {
    name: 'bulk item is a string',
    item: 1,
    op: 'claim',
    body: own({ gateways: [{ gateway: GW, claim: 'x' }, GW] }),
    code: 'invalid_request',
    message: /^gateways\[1\]: expected object, got string/,
  },
  {
    name: 'unknown item field',
    item: 0,
    op: 'claim',
    body: own({ gateways: [{ gateway: GW, claim: 'x', owner: 'me' }] }),
    code: 'invalid_request',
    message: /^gateways\[0\]\.owner: unknown field/,
  },
  {
    name: 'bad URI deep in mixed',
    item: 2,
    op: 'setup',
    body: own({
      lnsUri: 'wss://lns.example.com:443',
      gateways: [{ gateway: '::1' }, { gateway: '::2' }, { gateway: '::3', lnsUri: 'wss://x' }],
    }),
    code: 'invalid_uri',
    message: /^gateways\[2\]\.lnsUri/,
  },
  {
    name: 'bulk setup item without gateway',
    item: 0,
    op: 'setup',
    body: own({ gateways: [{ lnsUri: 'ws://lns.example.com:80' }] }),
    code: 'invalid_request',
    message: /^gateways\[0\]\.gateway: required/,
  },
  {
    name: 'delete items as objects',
    item: 0,
    op: 'delete',
    body: own({ gateways: [{ gateway: GW }] }),
    code: 'invalid_request',
    message: /^gateways\[0\]: expected string, got object/,
  },
  {
    name: 'info numeric ids',
    item: 1,
    op: 'info',
    body: own({ gateways: [GW, 12] }),
    code: 'invalid_request',
    message: /^gateways\[1\]: expected string, got number/,
  },
  {
    name: 'bulk add item without token',
    item: 0,
    op: 'add',
    body: own({ gateways: [{ gateway: '::5', flavorid: 'ttig' }] }),
    code: 'invalid_request',
    message: /^gateways\[0\]\.token: required/,
  },
];

let t: TestServer;

beforeAll(async () => {
  t = await startTestServer({ rateLimits: false });
});
afterAll(async () => t?.close());

describe('Owner API malformed input', () => {
  it('has a table of at least 50 cases', () => {
    expect(CASES.length + ITEM_CASES.length).toBeGreaterThanOrEqual(50);
  });

  it.each(ITEM_CASES)('$name → 200, item $item naming the field', async (c) => {
    const r = await t.request(`/api/v1/gateway/${c.op}`, {
      raw: JSON.stringify(c.body),
      key: t.ownerA.apiKey,
      headers: { 'content-type': 'application/json' },
    });
    expect(r.status).toBe(200);
    const item = (r.json as { error?: string; code?: string }[])[c.item];
    expect(item?.code).toBe(c.code);
    expect(item?.error).toMatch(c.message);
  });

  it.each(CASES)('$name → 4xx naming the field', async (c) => {
    const raw = c.raw ?? JSON.stringify(c.body);
    const headers: Record<string, string> = {};
    if (c.contentType !== null) headers['content-type'] = c.contentType ?? 'application/json';
    const r = await t.request(`/api/v1/gateway/${c.op}`, { raw, key: t.ownerA.apiKey, headers });
    expect(r.status).toBe(c.status ?? 400);
    expect(r.headers['content-type']).toBe('application/json; charset=utf-8');
    const body = r.json as { error: string; code: string };
    expect(body.code).toBe(c.code);
    expect(body.error).toMatch(c.message);
    expect(body.error.length).toBeLessThan(1000);
  });

  it('answers semantic credential problems per item, naming the field', async () => {
    const claim = await t.api('claim', t.ownerA.apiKey, {
      ownerid: OWNER,
      gateway: GW,
      claim: KDF_VECTORS.gw1.pin,
    });
    expect(claim.json).toEqual([{ gateway: GW }]);
    // well-framed PEM whose DER is no certificate: only the core can tell
    const r = await t.api('setup', t.ownerA.apiKey, {
      ownerid: OWNER,
      gateway: GW,
      lnsUri: 'wss://lns.example.com:443',
      lnsTrust: b64('-----BEGIN CERTIFICATE-----\nMAMCAQE=\n-----END CERTIFICATE-----\n'),
    });
    expect(r.status).toBe(200);
    const [item] = r.json as { gateway: string; code?: string; error?: string }[];
    expect(item).toMatchObject({
      gateway: GW,
      code: 'invalid_credential',
      error: expect.stringMatching(/lnsTrust/),
    });
  });

  it('still answers /healthz afterwards', async () => {
    const r = await t.request('/healthz');
    expect(r.status).toBe(200);
    expect(r.json).toEqual({ status: 'ok' });
  });
});
