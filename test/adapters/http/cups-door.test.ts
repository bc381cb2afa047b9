/**
 * CUPS over real HTTPS (SPEC §3), driven by a client that behaves like a Basics Station: raw TLS
 * socket, space-padded Content-Length, token header from cups.key, trusting only its cups.trust.
 */
import { X509Certificate } from 'node:crypto';
import { connect as tlsConnect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EMPTY_CRED_CRC, parseCredBlob, decodeUpdateInfoResponse } from '../../../src-shared/cups-wire';
import { StationClient } from '../../helpers/station-client';
import { testPki } from '../../helpers/core-fixture';
import { KDF_VECTORS, startTestServer, type TestServer } from '../../helpers/server-fixture';

const GW1 = KDF_VECTORS.gw1;
const GW2 = KDF_VECTORS.gw2;
const b64 = (b: Uint8Array | string) => Buffer.from(b).toString('base64');

let t: TestServer;
let caDer: Uint8Array;

/** A station freshly installed from its factory bundle. */
async function stationFromBundle(gateway: string): Promise<StationClient> {
  const bundle = await t.station.core.factory.personalize(t.station.cliContext, gateway, {
    cupsUri: t.station.cupsUri,
    trustPem: t.caPem,
  });
  return StationClient.fromFiles(bundle.files);
}

/** Sends raw bytes over TLS and returns the whole answer text (the server closes or we time out). */
function rawExchange(bytes: Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = tlsConnect({ host: '127.0.0.1', port: t.port, ca: t.caPem }, () => s.write(bytes));
    let out = '';
    s.on('data', (d: Buffer) => {
      out += d.toString('latin1');
      const head = out.indexOf('\r\n\r\n');
      const m = /content-length: *(\d+)/i.exec(out);
      if (head >= 0 && m && out.length - head - 4 >= Number(m[1])) {
        s.destroy();
        resolve(out);
      }
    });
    s.on('error', reject);
    s.on('end', () => resolve(out));
  });
}

beforeAll(async () => {
  t = await startTestServer();
  caDer = new Uint8Array(new X509Certificate(t.caPem).raw);
});
afterAll(async () => t?.close());

describe('POST /update-info', () => {
  it('sends the request like a station: space-padded Content-Length, no UA/Accept/Connection', async () => {
    const st = await stationFromBundle(GW1.id6);
    const text = st.requestBytes(st.cups).toString('latin1');
    expect(text).toMatch(/^POST \/update-info HTTP\/1\.1\r\nHost: 127\.0\.0\.1:\d+\r\n/);
    expect(text).toMatch(/\r\nContent-Length: {2,4}\d{1,3}\r\n/);
    expect(text).toContain(`\r\nAuthorization: Bearer ${GW1.token0}\r\n\r\n{"router":"${GW1.id6}",`);
    expect(text).not.toMatch(/user-agent|accept|connection/i);
  });

  it('answers 404 "not configured" until the gateway is claimed and set up, then delivers LNS + credentials, then 14 zero bytes', async () => {
    const st = await stationFromBundle(GW1.id6);
    let r = await st.request();
    expect(r.status).toBe(404);
    expect(r.reason).toBe('not configured');

    const claim = await t.api('claim', t.ownerA.apiKey, {
      ownerid: t.ownerA.id6,
      gateway: GW1.eui,
      claim: GW1.pin,
    });
    expect(claim.json).toEqual([{ gateway: GW1.id6 }]);
    r = await st.request();
    expect(r.status).toBe(404);

    const lnsHeader = 'Authorization: Bearer lns-secret';
    const setup = await t.api('setup', t.ownerA.apiKey, {
      ownerid: t.ownerA.id6,
      gateway: GW1.id6,
      lnsUri: 'wss://lns.example.com:443',
      lnsTrust: b64(caDer),
      lnsKey: b64(lnsHeader),
    });
    expect(setup.json).toEqual([{ gateway: GW1.id6 }]);

    const first = await st.sync();
    expect(first.response.status).toBe(200);
    expect(first.response.headers['content-type']).toBe('application/octet-stream');
    const u = first.update!;
    expect(u.tcUri).toBe('wss://lns.example.com:443');
    expect(u.cupsUri).toBeUndefined(); // the station already has this server's URI
    const tc = parseCredBlob(u.tcCred!);
    expect(Buffer.from(tc.trust)).toEqual(Buffer.from(caDer));
    expect(tc.token).toBe(`${lnsHeader}\r\n`);
    // the bundle's PEM trust is replaced by the DER set (SPEC §3.3): same token, DER trust
    const cups = parseCredBlob(u.cupsCred!);
    expect(Buffer.from(cups.trust)).toEqual(Buffer.from(caDer));
    expect(cups.token).toBe(`Authorization: Bearer ${GW1.token0}\r\n`);

    // the next poll uses the adopted DER trust and reports CRCs the client computed itself
    const second = await st.request();
    expect(second.status).toBe(200);
    expect(Buffer.from(second.body).toString('hex')).toBe('00'.repeat(14));

    // On a shared store (PostgreSQL, several instances) info shows the stored contact, written
    // behind within cupsContacts.tickMs (docs/server-mode.md); on sql.js it is there at once.
    type Info = { info: { lastContact: { outcome: string; station: string } | null } }[];
    let contact: Info[number]['info']['lastContact'] = null;
    for (let i = 0; i < 50 && contact === null; i++) {
      const info = await t.api('info', t.ownerA.apiKey, { ownerid: t.ownerA.id6, gateway: GW1.id6 });
      contact = (info.json as Info)[0]!.info.lastContact;
      if (contact === null) await new Promise((r) => setTimeout(r, 100));
    }
    expect(contact?.station).toBe(st.station);
  });

  it('a station bootstrapping from cups-boot.* only reports null URIs and the empty-set CRC', async () => {
    const bundled = await stationFromBundle(GW2.id6);
    const st = new StationClient({ router: GW2.eui, cupsBoot: bundled.cupsBoot });
    expect(JSON.parse(st.body())).toMatchObject({
      cupsUri: null,
      tcUri: null,
      cupsCredCrc: EMPTY_CRED_CRC,
      tcCredCrc: EMPTY_CRED_CRC,
    });
    const r = await st.request('boot');
    expect(r.status).toBe(404);
  });

  it('redirects to another CUPS with its URI and credentials', async () => {
    const st = await stationFromBundle(GW1.id6); // claimed and set up by the test above
    const otherTrust = new Uint8Array(new X509Certificate(t.caPem).raw);
    const setup = await t.api('setup', t.ownerA.apiKey, {
      ownerid: t.ownerA.id6,
      gateway: GW1.id6,
      cupsUri: 'https://cups.example.net:7443',
      cupsTrust: b64(otherTrust),
      cupsKey: b64('Authorization: Bearer other-cups-token'),
    });
    expect(setup.json).toEqual([{ gateway: GW1.id6 }]);
    const { response, update } = await st.sync();
    expect(response.status).toBe(200);
    expect(update!.cupsUri).toBe('https://cups.example.net:7443');
    const cred = parseCredBlob(update!.cupsCred!);
    expect(cred.token).toBe('Authorization: Bearer other-cups-token\r\n');
    expect(st.cups.uri).toBe('https://cups.example.net:7443');
  });

  it('never sends credential segments for http/ws targets', async () => {
    const claim = await t.api('claim', t.ownerB.apiKey, {
      ownerid: t.ownerB.id6,
      gateway: GW2.id6,
      claim: GW2.pin,
    });
    expect(claim.json).toEqual([{ gateway: GW2.id6 }]);
    const setup = await t.api('setup', t.ownerB.apiKey, {
      ownerid: t.ownerB.id6,
      gateway: GW2.id6,
      cupsUri: 'http://cups.example.org:80',
      lnsUri: 'ws://lns.example.org:1887',
    });
    expect(setup.json).toEqual([{ gateway: GW2.id6 }]);
    const st = await stationFromBundle(GW2.id6);
    const r = await st.request();
    expect(r.status).toBe(200);
    const u = decodeUpdateInfoResponse(r.body);
    expect(u.cupsUri).toBe('http://cups.example.org:80');
    expect(u.tcUri).toBe('ws://lns.example.org:1887');
    expect(u.cupsCred).toBeUndefined();
    expect(u.tcCred).toBeUndefined();
  });

  it('authenticates a station by TLS client certificate (cups.crt + cups.key) and refuses foreign ones', async () => {
    // GW2 is claimed and set up by the http/ws test above
    const issued = await t.station.core.clientCertificates.issue(t.station.cliContext, GW2.id6);
    const st = new StationClient({
      router: GW2.id6,
      cups: { uri: t.station.cupsUri, trust: caDer, crt: issued.certDer, key: issued.keyDer },
    });
    expect(st.requestBytes(st.cups).toString('latin1')).not.toMatch(/authorization/i);
    const ok = await st.request();
    expect(ok.status).toBe(200);

    // the certificate names GW2: presenting it as GW1 is refused
    const wrongRouter = new StationClient({ router: GW1.id6, cups: { ...st.cups } });
    const refused = await wrongRouter.request();
    expect(refused.status).toBe(403);

    // a certificate of another CA does not verify: 403 naming why
    const foreign = await testPki();
    const { createPrivateKey } = await import('node:crypto');
    const keyDer = new Uint8Array(
      createPrivateKey(foreign.client.keyPem).export({ type: 'sec1', format: 'der' }),
    );
    const stranger = new StationClient({
      router: GW2.id6,
      cups: { uri: t.station.cupsUri, trust: caDer, crt: foreign.client.certDer, key: keyDer },
    });
    const untrusted = await stranger.request();
    expect(untrusted.status).toBe(403);
    expect(untrusted.reason).toMatch(/not trusted/);
  });

  it('answers 401 to a wrong token and to none', async () => {
    const st = await stationFromBundle(GW1.id6);
    st.cups.key = new Uint8Array(
      Buffer.from('Authorization: Bearer AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\r\n'),
    );
    const wrong = await st.request();
    expect(wrong.status).toBe(401);
    expect(wrong.reason).toMatch(/token/);
    st.cups.key = null; // https + trust only: no Authorization header at all
    const none = await st.request();
    expect(none.status).toBe(401);
  });

  it('parses a space-padded Content-Length and accepts a missing or odd Content-Type', async () => {
    const st = await stationFromBundle(GW1.id6);
    const body = st.body();
    for (const contentType of ['', 'Content-Type: text/plain\r\n', 'Content-Type: ???\r\n']) {
      const head =
        `POST /update-info HTTP/1.1\r\nHost: 127.0.0.1:${t.port}\r\n${contentType}` +
        `Content-Length: ${String(body.length).padStart(5, ' ')}\r\n` +
        `Authorization: Bearer ${GW1.token0}\r\n\r\n`;
      const answer = await rawExchange(Buffer.from(head + body, 'latin1'));
      expect(answer).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    }
  });

  it('answers 400 naming the field for bad bodies, 413 for huge ones, never 500', async () => {
    const st = await stationFromBundle(GW1.id6);
    const cases: [string, RegExp][] = [
      ['', /body/],
      ['not json', /body/],
      ['[]', /body|object/],
      [st.body().replace(`"router":"${GW1.id6}"`, '"router":"1:::2"'), /router/],
      [st.body().replace(/"cupsCredCrc":\d+/, '"cupsCredCrc":-1'), /cupsCredCrc/],
      [st.body().replace(/"keys":\[\]/, '"keys":"none"'), /keys/],
      [st.body().replace(/"station":"[^"]*"/, '"station":7'), /station/],
    ];
    for (const [body, reason] of cases) {
      const r = await st.request('regular', undefined, body);
      expect(r.status, body).toBe(400);
      expect(r.reason, body).toMatch(reason);
      expect(Buffer.from(r.body).toString('utf8')).toContain(r.reason);
    }
    const huge = `{"router":"${GW1.id6}","pad":"${'x'.repeat(100_000)}"}`;
    const raw = await rawExchange(
      Buffer.from(
        `POST /update-info HTTP/1.1\r\nHost: x:1\r\nContent-Length: ${huge.length}\r\n\r\n${huge}`,
        'latin1',
      ),
    );
    expect(raw).toMatch(/^HTTP\/1\.1 413 /);
    expect((await t.request('/healthz')).status).toBe(200);
  });
});

describe('CUPS door beside fastify', () => {
  it('leaves other methods on /update-info to fastify (404 envelope) and serves a query-string POST', async () => {
    const get = await t.request('/update-info');
    expect(get.status).toBe(404);
    expect(get.json).toEqual({ error: 'path: no endpoint GET /update-info', code: 'not_found' });
    const post = await t.request('/update-info?x=1', { method: 'POST', raw: 'not json' });
    expect(post.status).toBe(400);
    expect(post.text).toBe(`${post.reason}\n`);
  });

  it('answers 413 to a chunked body over the limit and stays healthy', async () => {
    const chunk = Buffer.alloc(50_000, 0x20).toString('latin1');
    const chunked = [chunk, chunk, chunk].map((c) => `${c.length.toString(16)}\r\n${c}\r\n`).join('');
    const raw = await rawExchange(
      Buffer.from(
        `POST /update-info HTTP/1.1\r\nHost: x:1\r\nTransfer-Encoding: chunked\r\n\r\n${chunked}0\r\n\r\n`,
        'latin1',
      ),
    );
    expect(raw).toMatch(/^HTTP\/1\.1 413 body: larger than the limit of 99999 bytes\r\n/);
    expect((await t.request('/healthz')).status).toBe(200);
  });

  it('answers 429 with Retry-After once the per-address limit is spent', async () => {
    const limited = await startTestServer({
      coreConfig: { cupsRateLimit: { failuresPerAddress: { ratePerSecond: 0.01, burst: 1 } } },
    });
    try {
      const first = await limited.request('/update-info', { method: 'POST', raw: '{}' });
      expect(first.status).toBe(400);
      const second = await limited.request('/update-info', { method: 'POST', raw: '{}' });
      expect(second.status).toBe(429);
      expect(Number(second.headers['retry-after'])).toBeGreaterThan(0);
      expect(second.text).toBe(`${second.reason}\n`);
    } finally {
      await limited.close();
    }
  });
});
