/**
 * Bulk partial success (SPEC §4.2 "partial success is normal"): in a bulk request of three items
 * whose middle item has a bad field, that item answers for itself — its code (`invalid_id`,
 * `invalid_uri`, `invalid_credential`, `invalid_request`, …) and a message naming
 * `gateways[1].<field>` — and its neighbours are processed. A table over every bulk endpoint and
 * every item field; then the whole-request 400s that stay (bad JSON, bad `ownerid`, wrong
 * top-level types, too many items, a bad top-level field of a mixed request).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KDF_VECTORS, startTestServer, type TestServer } from '../../helpers/server-fixture';

const { gw1, gw2 } = KDF_VECTORS;
const OWNER = 'a::1';
const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
const PEM_GARBAGE = b64('-----BEGIN CERTIFICATE-----\ngarbage!\n-----END CERTIFICATE-----\n');

type Op = 'claim' | 'setup' | 'delete' | 'add' | 'info' | 'rotate';

interface ItemCase {
  op: Op;
  field: string;
  bad: unknown;
  code: string;
  message: RegExp;
}

let added = 0;
/** Two good items of `op` around which the bad one stands. */
function goodItems(op: Op): [unknown, unknown] {
  switch (op) {
    case 'claim':
      return [
        { gateway: gw1.id6, claim: gw1.pin },
        { gateway: gw2.id6, claim: gw2.pin },
      ];
    case 'setup':
      return [
        { gateway: gw1.id6, lnsUri: 'ws://lns.example.com:80' },
        { gateway: gw2.id6, lnsUri: 'ws://lns.example.com:80' },
      ];
    case 'add':
      added += 2;
      return [
        { gateway: `b827:ebff:fe00:${added.toString(16)}`, flavorid: 'ttig', token: 'tok-a' },
        { gateway: `b827:ebff:fe00:${(added + 1).toString(16)}`, flavorid: 'ttig', token: 'tok-b' },
      ];
    default:
      return [gw1.id6, gw2.id6];
  }
}

/** An item of `op` whose `field` is `bad` (`$item` replaces the whole item). */
function badItem(op: Op, field: string, bad: unknown): unknown {
  if (field === '$item') return bad;
  const base: Record<string, unknown> =
    op === 'claim'
      ? { gateway: '::5', claim: 'ABCD-EFGH' }
      : op === 'setup'
        ? { gateway: '0:ff:fe00:1' }
        : { gateway: 'b827:ebff:fe00:ff', flavorid: 'ttig', token: 'tok-c' };
  const item = { ...base };
  if (bad === undefined) delete item[field];
  else item[field] = bad;
  return item;
}

const ID_OPS: Op[] = ['delete', 'info', 'rotate'];

const CASES: ItemCase[] = [
  // claim
  { op: 'claim', field: 'gateway', bad: 'nonsense', code: 'invalid_id', message: /^gateway: / },
  {
    op: 'claim',
    field: 'gateway',
    bad: 5,
    code: 'invalid_request',
    message: /^gateways\[1\]\.gateway: expected string, got number/,
  },
  {
    op: 'claim',
    field: 'gateway',
    bad: undefined,
    code: 'invalid_request',
    message: /^gateways\[1\]\.gateway: required/,
  },
  {
    op: 'claim',
    field: 'claim',
    bad: 12345678,
    code: 'invalid_request',
    message: /^gateways\[1\]\.claim: expected string, got number/,
  },
  {
    op: 'claim',
    field: 'claim',
    bad: undefined,
    code: 'invalid_request',
    message: /^gateways\[1\]\.claim: required/,
  },
  {
    op: 'claim',
    field: 'pin',
    bad: 'x',
    code: 'invalid_request',
    message: /^gateways\[1\]\.pin: unknown field/,
  },
  {
    op: 'claim',
    field: '$item',
    bad: gw1.id6,
    code: 'invalid_request',
    message: /^gateways\[1\]: expected object, got string/,
  },
  // setup: URIs
  { op: 'setup', field: 'gateway', bad: '1:::2', code: 'invalid_id', message: /^gateway: / },
  {
    op: 'setup',
    field: 'gateway',
    bad: undefined,
    code: 'invalid_request',
    message: /^gateways\[1\]\.gateway: required/,
  },
  {
    op: 'setup',
    field: 'cupsUri',
    bad: 'https://cups.example.com:443/cups',
    code: 'invalid_uri',
    message: /^gateways\[1\]\.cupsUri: .*path/,
  },
  {
    op: 'setup',
    field: 'cupsUri',
    bad: 'https://cups.example.com',
    code: 'invalid_uri',
    message: /^gateways\[1\]\.cupsUri: .*port/,
  },
  {
    op: 'setup',
    field: 'cupsUri',
    bad: 443,
    code: 'invalid_request',
    message: /^gateways\[1\]\.cupsUri: expected string, got number/,
  },
  {
    op: 'setup',
    field: 'lnsUri',
    bad: 'https://lns.example.com:443',
    code: 'invalid_uri',
    message: /^gateways\[1\]\.lnsUri: .*ws\(s\)/,
  },
  {
    op: 'setup',
    field: 'lnsUri',
    bad: `wss://${'a'.repeat(120)}.example.com:443`,
    code: 'invalid_uri',
    message: /^gateways\[1\]\.lnsUri: .*characters/,
  },
  // setup: credentials
  {
    op: 'setup',
    field: 'cupsKey',
    bad: 'Authorization: Bearer x',
    code: 'invalid_credential',
    message: /^gateways\[1\]\.cupsKey: not Base64/,
  },
  {
    op: 'setup',
    field: 'lnsKey',
    bad: '',
    code: 'invalid_credential',
    message: /^gateways\[1\]\.lnsKey: empty/,
  },
  {
    op: 'setup',
    field: 'cupsCrt',
    bad: b64('hello world'),
    code: 'invalid_credential',
    message: /^gateways\[1\]\.cupsCrt: neither DER/,
  },
  {
    op: 'setup',
    field: 'cupsTrust',
    bad: '%%%',
    code: 'invalid_credential',
    message: /^gateways\[1\]\.cupsTrust: not Base64/,
  },
  {
    op: 'setup',
    field: 'lnsCrt',
    bad: 7,
    code: 'invalid_request',
    message: /^gateways\[1\]\.lnsCrt: expected string, got number/,
  },
  {
    op: 'setup',
    field: 'lnsTrust',
    bad: PEM_GARBAGE,
    code: 'invalid_credential',
    message: /^gateways\[1\]\.lnsTrust: malformed PEM/,
  },
  // setup: firmware and shape
  { op: 'setup', field: 'fwcrc', bad: 'latest', code: 'invalid_request', message: /^gateways\[1\]\.fwcrc/ },
  { op: 'setup', field: 'fwcrc', bad: -1, code: 'invalid_request', message: /^gateways\[1\]\.fwcrc/ },
  {
    op: 'setup',
    field: 'fwcrc',
    bad: '9999999999',
    code: 'invalid_request',
    message: /^gateways\[1\]\.fwcrc/,
  },
  {
    op: 'setup',
    field: 'fwafter',
    bad: '2030-01-01T00:00:00',
    code: 'invalid_request',
    message: /^gateways\[1\]\.fwafter: expected an ISO-8601/,
  },
  {
    op: 'setup',
    field: 'owner',
    bad: 'me',
    code: 'invalid_request',
    message: /^gateways\[1\]\.owner: unknown field/,
  },
  // add
  { op: 'add', field: 'gateway', bad: 'nonsense', code: 'invalid_id', message: /^gateway: / },
  {
    op: 'add',
    field: 'flavorid',
    bad: 1,
    code: 'invalid_request',
    message: /^gateways\[1\]\.flavorid: expected string, got number/,
  },
  {
    op: 'add',
    field: 'token',
    bad: undefined,
    code: 'invalid_request',
    message: /^gateways\[1\]\.token: required/,
  },
  { op: 'add', field: 'token', bad: 'two\nlines', code: 'invalid_credential', message: /token/ },
  {
    op: 'add',
    field: 'extra',
    bad: true,
    code: 'invalid_request',
    message: /^gateways\[1\]\.extra: unknown field/,
  },
  // delete, info, rotate: plain ids
  ...ID_OPS.flatMap((op): ItemCase[] => [
    { op, field: '$item', bad: 'nonsense', code: 'invalid_id', message: /^gateway: / },
    {
      op,
      field: '$item',
      bad: 12,
      code: 'invalid_request',
      message: /^gateways\[1\]: expected string, got number/,
    },
    {
      op,
      field: '$item',
      bad: null,
      code: 'invalid_request',
      message: /^gateways\[1\]: expected string, got null/,
    },
    {
      op,
      field: '$item',
      bad: { gateway: gw1.id6 },
      code: 'invalid_request',
      message: /^gateways\[1\]: expected string, got object/,
    },
  ]),
];

let t: TestServer;

async function claimBoth(): Promise<void> {
  const r = await t.api('claim', t.ownerA.apiKey, {
    ownerid: OWNER,
    gateways: [
      { gateway: gw1.id6, claim: gw1.pin },
      { gateway: gw2.id6, claim: gw2.pin },
    ],
  });
  expect(r.json).toEqual([{ gateway: gw1.id6 }, { gateway: gw2.id6 }]);
}

beforeAll(async () => {
  t = await startTestServer({ rateLimits: false });
  await claimBoth();
});
afterAll(async () => t?.close());

describe('bulk partial success: one bad item answers for itself', () => {
  it('covers every bulk endpoint', () => {
    expect(new Set(CASES.map((c) => c.op))).toEqual(
      new Set(['claim', 'setup', 'delete', 'add', 'info', 'rotate']),
    );
  });

  it.each(CASES)('$op: $field = $bad → item 1 $code', async (c) => {
    const [first, last] = goodItems(c.op);
    const r = await t.api(c.op, t.ownerA.apiKey, {
      ownerid: OWNER,
      gateways: [first, badItem(c.op, c.field, c.bad), last],
    });
    expect(r.status, r.text).toBe(200);
    const items = r.json as { gateway: string; code?: string; error?: string }[];
    expect(items).toHaveLength(3);
    expect(items[1]?.code, r.text).toBe(c.code);
    expect(items[1]?.error).toMatch(c.message);
    // the neighbours are processed as if the bad item were not there
    expect(items[0], r.text).not.toHaveProperty('code');
    expect(items[2], r.text).not.toHaveProperty('code');
    if (c.op === 'delete') await claimBoth();
  });
});

describe('whole-request problems stay a 400', () => {
  const CASES_400: { name: string; op: Op; body: unknown; code: string; message: RegExp }[] = [
    {
      name: 'bad ownerid',
      op: 'claim',
      body: { ownerid: '1:::2', gateways: [] },
      code: 'invalid_id',
      message: /^ownerid/,
    },
    {
      name: 'gateways not an array',
      op: 'setup',
      body: { ownerid: OWNER, gateways: {} },
      code: 'invalid_request',
      message: /^gateways: expected array/,
    },
    {
      name: 'too many items',
      op: 'info',
      body: { ownerid: OWNER, gateways: Array<string>(10_001).fill(gw1.id6) },
      code: 'too_many_items',
      message: /^gateways: 10001 items/,
    },
    {
      name: 'bad top-level lnsUri of a mixed setup',
      op: 'setup',
      body: { ownerid: OWNER, lnsUri: 'wss://x', gateways: [{ gateway: gw1.id6 }] },
      code: 'invalid_uri',
      message: /^lnsUri/,
    },
    {
      name: 'bad top-level fwcrc of a mixed setup',
      op: 'setup',
      body: { ownerid: OWNER, fwcrc: 'latest', gateways: [{ gateway: gw1.id6 }] },
      code: 'invalid_request',
      message: /^fwcrc/,
    },
    {
      name: 'unknown top-level field',
      op: 'add',
      body: { ownerid: OWNER, limit: 1, gateways: [] },
      code: 'invalid_request',
      message: /^limit: unknown field/,
    },
  ];
  it.each(CASES_400)('$name', async (c) => {
    const r = await t.api(c.op, t.ownerA.apiKey, c.body);
    expect(r.status, r.text).toBe(400);
    expect(r.json).toMatchObject({ code: c.code, error: expect.stringMatching(c.message) });
  });
});
