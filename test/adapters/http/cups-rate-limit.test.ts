/**
 * CUPS rate limits over real HTTPS (SPEC §3.6, docs/cups.md "Rate limits"): requests that fail to
 * authenticate are limited per address and never touch the router's bucket, so a router id read
 * off a label cannot be used to lock its gateway out.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KDF_VECTORS } from '../../helpers/core-fixture';
import { startTestServer, type TestServer } from '../../helpers/server-fixture';
import { StationClient } from '../../helpers/station-client';

const { gw1 } = KDF_VECTORS;

async function configured(t: TestServer): Promise<StationClient> {
  await t.api('claim', t.ownerA.apiKey, { ownerid: t.ownerA.id6, gateway: gw1.id6, claim: gw1.pin });
  await t.api('setup', t.ownerA.apiKey, {
    ownerid: t.ownerA.id6,
    gateway: gw1.id6,
    lnsUri: 'ws://lns.example.com:1887',
  });
  const bundle = await t.station.core.factory.personalize(t.station.cliContext, gw1.id6, {
    cupsUri: t.station.cupsUri,
    trustPem: t.caPem,
  });
  return StationClient.fromFiles(bundle.files);
}

/** Someone who knows the router id and the server's CA, but not the gateway's token. */
function stranger(t: TestServer, key: string | null): StationClient {
  const cups = { uri: t.url, trust: new Uint8Array(Buffer.from(t.caPem)), crt: null, key: null };
  return new StationClient({
    router: gw1.id6,
    cups: key === null ? cups : { ...cups, key: new Uint8Array(Buffer.from(key)) },
  });
}

describe('CUPS rate limits (HTTPS)', () => {
  describe('with the default limits', () => {
    let t: TestServer;
    beforeAll(async () => {
      t = await startTestServer();
    });
    afterAll(async () => t?.close());

    it('answers the real gateway after 20 unauthenticated polls naming its router (no token, wrong token)', async () => {
      const station = await configured(t);
      const other = stranger(t, null);
      for (let i = 0; i < 15; i++) expect((await other.request()).status).toBe(401);
      const wrong = stranger(t, `Authorization: Bearer ${'A'.repeat(43)}\r\n`);
      for (let i = 0; i < 5; i++) expect((await wrong.request()).status).toBe(401);
      const got = await station.sync();
      expect(got.response.status).toBe(200);
      expect((await station.request()).body).toEqual(new Uint8Array(14));
    });
  });

  describe('with a small failure budget', () => {
    let t: TestServer;
    beforeAll(async () => {
      t = await startTestServer({
        coreConfig: { cupsRateLimit: { failuresPerAddress: { burst: 5, ratePerSecond: 0.01 } } },
      });
    });
    afterAll(async () => t?.close());

    it('throttles the failing address with 429 + Retry-After, never the valid token from it', async () => {
      const station = await configured(t);
      const other = stranger(t, null);
      const statuses: number[] = [];
      for (let i = 0; i < 20; i++) statuses.push((await other.request()).status);
      expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
      expect(new Set(statuses.slice(5))).toEqual(new Set([429]));
      const limited = await other.request();
      expect(limited.reason).toBe('too many failed requests from this address');
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
      // same address (127.0.0.1), valid token: answered
      expect((await station.sync()).response.status).toBe(200);
      expect((await station.request()).status).toBe(200);
    });
  });
});
