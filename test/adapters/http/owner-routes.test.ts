/**
 * Owner API over real HTTPS (SPEC §4): single, bulk and mixed forms, per-item answers in request
 * order, owner isolation, authentication and scopes, limits and rate limiting.
 */
import { X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KDF_VECTORS, OUTSIDE_ID, startTestServer, type TestServer } from '../../helpers/server-fixture';

const GW1 = KDF_VECTORS.gw1;
const GW2 = KDF_VECTORS.gw2;
const b64 = (b: Uint8Array | string) => Buffer.from(b).toString('base64');

interface InfoItem {
  gateway: string;
  error?: string;
  code?: string;
  info?: {
    owner: string | null;
    setup: { lns: { uri: string | null; mode: string }; cups: { uri: string | null } } | null;
  };
}

let t: TestServer;
let trust: string;

beforeAll(async () => {
  t = await startTestServer();
  trust = b64(new Uint8Array(new X509Certificate(t.caPem).raw));
});
afterAll(async () => t?.close());

describe('Owner API forms', () => {
  it('claims in single and bulk form, answering one item per request item in order', async () => {
    const single = await t.api('claim', t.ownerA.apiKey, {
      ownerid: t.ownerA.id6,
      gateway: GW1.eui,
      claim: GW1.pin,
    });
    expect(single.status).toBe(200);
    expect(single.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(single.json).toEqual([{ gateway: GW1.id6 }]);

    const bulk = await t.api('claim', t.ownerA.apiKey, {
      ownerid: t.ownerA.id6,
      gateways: [
        { gateway: 'not-an-id', claim: 'XXXX-XXXX' },
        { gateway: GW2.hex, claim: '0000-0000' },
        { gateway: GW1.id6, claim: GW1.pin }, // re-claim by the same owner: idempotent
        { gateway: GW2.eui, claim: GW2.pin.toLowerCase() },
      ],
    });
    expect(bulk.status).toBe(200);
    const items = bulk.json as { gateway: string; code?: string; error?: string }[];
    expect(items.map((i) => i.gateway)).toEqual(['not-an-id', GW2.id6, GW1.id6, GW2.id6]);
    expect(items.map((i) => i.code)).toEqual(['invalid_id', 'bad_claim', undefined, 'duplicate_in_request']);
    expect(items[0]!.error).toMatch(/gateway/);

    // PINs are normalized (SPEC §2): lowercase, no dash
    const again = await t.api('claim', t.ownerA.apiKey, {
      ownerid: t.ownerA.id6,
      gateways: [{ gateway: GW2.eui, claim: GW2.pin.toLowerCase() }],
    });
    expect(again.json).toEqual([{ gateway: GW2.id6 }]);
  });

  it('applies top-level setup fields to every item of a mixed request unless the item overrides them', async () => {
    const r = await t.api('setup', t.ownerA.apiKey, {
      ownerid: t.ownerA.id6,
      lnsUri: 'wss://lns.example.com:443',
      lnsTrust: trust,
      gateways: [{ gateway: GW1.id6 }, { gateway: GW2.id6, lnsUri: 'wss://eu.lns.example.com:8887' }],
    });
    expect(r.json).toEqual([{ gateway: GW1.id6 }, { gateway: GW2.id6 }]);
    const info = await t.api('info', t.ownerA.apiKey, {
      ownerid: t.ownerA.id6,
      gateways: [GW1.eui, GW2.eui],
    });
    const items = info.json as InfoItem[];
    expect(items.map((i) => i.info?.setup?.lns.uri)).toEqual([
      'wss://lns.example.com:443',
      'wss://eu.lns.example.com:8887',
    ]);
    expect(items.map((i) => i.info?.setup?.lns.mode)).toEqual(['server-auth', 'server-auth']);
  });

  it('sets up in single form and keeps fields left out', async () => {
    const r = await t.api('setup', t.ownerA.apiKey, {
      ownerid: t.ownerA.id6,
      gateway: GW1.id6,
      lnsKey: b64('Authorization: Bearer lns'),
    });
    expect(r.json).toEqual([{ gateway: GW1.id6 }]);
    const info = await t.api('info', t.ownerA.apiKey, { ownerid: t.ownerA.id6, gateway: GW1.id6 });
    const item = (info.json as InfoItem[])[0]!;
    expect(item.info?.setup?.lns).toMatchObject({ uri: 'wss://lns.example.com:443', mode: 'token' });
    expect(info.text).not.toContain('Bearer lns');
  });

  it('lists the owner’s gateways a page at a time', async () => {
    const first = await t.api('list', t.ownerA.apiKey, { ownerid: t.ownerA.id6, limit: 1 });
    expect(first.json).toEqual({ gateways: [GW1.id6], next: expect.any(String) });
    const next = (first.json as { next: string }).next;
    const second = await t.api('list', t.ownerA.apiKey, { ownerid: t.ownerA.id6, after: next, limit: 1 });
    expect((second.json as { gateways: string[] }).gateways).toEqual([GW2.id6]);
  });

  it('adds gateways outside every batch and refuses those inside (single and bulk)', async () => {
    const one = await t.api('add', t.ownerB.apiKey, {
      ownerid: t.ownerB.id6,
      gateway: OUTSIDE_ID,
      flavorid: 'ttig',
      token: 'gateway-own-token',
    });
    expect(one.json).toEqual([{ gateway: OUTSIDE_ID }]);
    const bulk = await t.api('add', t.ownerB.apiKey, {
      ownerid: t.ownerB.id6,
      gateways: [
        { gateway: GW1.id6, flavorid: 'ttig', token: 'x' },
        { gateway: OUTSIDE_ID, flavorid: 'ttig', token: 'y' },
      ],
    });
    expect((bulk.json as { code?: string }[]).map((i) => i.code)).toEqual([
      'batch_conflict',
      'already_exists',
    ]);
  });

  it('deletes in bulk form with plain ids, after which the gateway can be claimed again', async () => {
    const del = await t.api('delete', t.ownerA.apiKey, { ownerid: t.ownerA.id6, gateways: [GW2.id6] });
    expect(del.json).toEqual([{ gateway: GW2.id6 }]);
    const claimB = await t.api('claim', t.ownerB.apiKey, {
      ownerid: t.ownerB.id6,
      gateway: GW2.id6,
      claim: GW2.pin,
    });
    expect(claimB.json).toEqual([{ gateway: GW2.id6 }]);
  });
});

describe('Owner API isolation', () => {
  it('owner B’s key can neither read nor change owner A’s gateways', async () => {
    const B = t.ownerB;
    const asB = (op: string, body: object) => t.api(op, B.apiKey, { ownerid: B.id6, ...body });

    const claim = await asB('claim', { gateway: GW1.id6, claim: GW1.pin });
    expect((claim.json as { code?: string }[])[0]!.code).toBe('claimed_by_other');
    for (const [op, body] of [
      ['info', { gateway: GW1.id6 }],
      ['setup', { gateway: GW1.id6, lnsUri: 'ws://evil.example.com:80' }],
      ['delete', { gateway: GW1.id6 }],
    ] as const) {
      const r = await asB(op, body);
      expect(r.status, op).toBe(200);
      const item = (r.json as InfoItem[])[0]!;
      expect(item.code, op).toBeDefined();
      expect(item.info, op).toBeUndefined();
    }
    const list = await asB('list', {});
    expect((list.json as { gateways: string[] }).gateways).not.toContain(GW1.id6);

    // B's key naming A as the owner is refused outright
    for (const [op, body] of [
      ['claim', { gateways: [] }],
      ['setup', { gateways: [] }],
      ['delete', { gateways: [] }],
      ['add', { gateways: [] }],
      ['info', { gateways: [] }],
      ['list', {}],
    ] as const) {
      const r = await t.api(op, B.apiKey, { ownerid: t.ownerA.id6, ...body });
      expect(r.status, op).toBe(403);
      expect(r.json, op).toMatchObject({ code: 'forbidden' });
    }

    // A's gateway is untouched
    const info = await t.api('info', t.ownerA.apiKey, { ownerid: t.ownerA.id6, gateway: GW1.id6 });
    const item = (info.json as InfoItem[])[0]!;
    expect(item.info?.owner).toBe(t.ownerA.id6);
    expect(item.info?.setup?.lns.uri).toBe('wss://lns.example.com:443');
  });

  it('an admin key may act for any owner', async () => {
    const r = await t.api('info', t.adminKey, { ownerid: t.ownerA.id6, gateway: GW1.id6 });
    expect((r.json as InfoItem[])[0]!.info?.owner).toBe(t.ownerA.id6);
  });

  it('answers 401 without a key or with an unknown one, and 403 for a key without the scope', async () => {
    const none = await t.request('/api/v1/gateway/info', {
      body: { ownerid: t.ownerA.id6, gateway: GW1.id6 },
    });
    expect(none.status).toBe(401);
    expect(none.json).toMatchObject({ code: 'unauthorized', error: expect.stringMatching(/authorization/) });
    const unknown = await t.api('info', 'gwjs_0000000000000000_nope', {
      ownerid: t.ownerA.id6,
      gateway: GW1.id6,
    });
    expect(unknown.status).toBe(401);
    const basic = await t.request('/api/v1/gateway/info', {
      body: { ownerid: t.ownerA.id6, gateway: GW1.id6 },
      headers: { authorization: 'Basic dXNlcjpwYXNz' },
    });
    expect(basic.status).toBe(401);

    const { apiKey: readOnly } = await t.station.core.access.createApiKey(
      t.station.cliContext,
      t.ownerA.id6,
      ['read'],
      'ro',
    );
    const read = await t.api('info', readOnly, { ownerid: t.ownerA.id6, gateway: GW1.id6 });
    expect(read.status).toBe(200);
    const write = await t.api('setup', readOnly, { ownerid: t.ownerA.id6, gateway: GW1.id6, lnsUri: null });
    expect(write.status).toBe(403);
    expect(write.json).toMatchObject({ code: 'forbidden' });
  });
});

describe('Owner API limits', () => {
  it('refuses more than 10 000 items before looking at them', async () => {
    const gateways = Array.from({ length: 10_001 }, () => 'x');
    const r = await t.api('info', t.ownerA.apiKey, { ownerid: t.ownerA.id6, gateways });
    expect(r.status).toBe(400);
    expect(r.json).toMatchObject({
      code: 'too_many_items',
      error: expect.stringMatching(/^gateways: 10001 items/),
    });
  });

  it('refuses a body over 16 MiB with body_too_large', async () => {
    const raw = JSON.stringify({
      ownerid: t.ownerA.id6,
      gateway: GW1.id6,
      lnsTrust: 'A'.repeat(16 * 1024 * 1024),
    });
    const r = await t.request('/api/v1/gateway/setup', {
      raw,
      key: t.ownerA.apiKey,
      headers: { 'content-type': 'application/json' },
    });
    expect(r.status).toBe(413);
    expect(r.json).toMatchObject({ code: 'body_too_large' });
    expect((await t.request('/healthz')).status).toBe(200);
  });
});

describe('Owner API rate limit', () => {
  it('answers 429 with Retry-After once a key’s bucket is empty', async () => {
    const tight = await startTestServer({ rateLimits: { ownerPerKey: { ratePerSecond: 0.5, burst: 2 } } });
    try {
      const call = () => tight.api('list', tight.ownerA.apiKey, { ownerid: tight.ownerA.id6 });
      expect((await call()).status).toBe(200);
      expect((await call()).status).toBe(200);
      const limited = await call();
      expect(limited.status).toBe(429);
      expect(limited.json).toMatchObject({ code: 'rate_limited' });
      expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      // another key is not affected
      expect((await tight.api('list', tight.ownerB.apiKey, { ownerid: tight.ownerB.id6 })).status).toBe(200);
    } finally {
      await tight.close();
    }
  });
});

describe('GET /healthz and /api/v1/openapi.json', () => {
  it('serves an OpenAPI 3.1 document covering every endpoint', async () => {
    const r = await t.request('/api/v1/openapi.json');
    expect(r.status).toBe(200);
    const doc = r.json as {
      openapi: string;
      paths: Record<string, Record<string, { requestBody?: unknown }>>;
    };
    expect(doc.openapi).toBe('3.1.0');
    for (const op of ['claim', 'setup', 'delete', 'add', 'info', 'list']) {
      expect(doc.paths[`/api/v1/gateway/${op}`]?.post?.requestBody, op).toBeDefined();
    }
    expect(doc.paths['/update-info']?.post).toBeDefined();
    expect(doc.paths['/healthz']?.get).toBeDefined();
    expect(JSON.stringify(doc.paths['/api/v1/gateway/setup'])).toContain('cupsTrust');
  });

  it('answers JSON 404 for unknown paths', async () => {
    const r = await t.request('/api/v1/gateway/nope', { key: t.ownerA.apiKey, body: {} });
    expect(r.status).toBe(404);
    expect(r.json).toMatchObject({ code: 'not_found' });
  });
});
