import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bytesToBase64, utf8 } from '../../../src-shared/bytes';
import { crc32 } from '../../../src-shared/crc32';
import { certBlob, serverAuthBlob, tokenBlob } from '../../../src-shared/cups-wire';
import type { SetupItem } from '../../../src-main/core/api';
import { parsePrivateKeyInput } from '../../../src-main/core/credentials';
import { createCoreFixture, KDF_VECTORS, OUTSIDE_ID, type CoreFixture } from '../../helpers/core-fixture';

const { gw1, gw2 } = KDF_VECTORS;
const LNS = 'wss://lns.example.com:443';
const b64 = (s: string) => bytesToBase64(utf8(s));

describe('owner.setup', () => {
  let f: CoreFixture;
  let trust: string;
  beforeEach(async () => {
    f = await createCoreFixture();
    trust = bytesToBase64(f.pki.caDer);
    await f.core.owner.claim(f.ownerA.ctx, f.ownerA.id6, [{ gateway: gw1.id6, claim: gw1.pin }]);
  });
  afterEach(async () => f.close());

  const setup = (...items: SetupItem[]) => f.core.owner.setup(f.ownerA.ctx, f.ownerA.id6, items);
  const info = async (gateway: string = gw1.id6) => {
    const [r] = await f.core.owner.info(f.ownerA.ctx, f.ownerA.id6, [gateway]);
    return r!.info!;
  };

  it('requires a claimed gateway of the caller: not_found for an owner, not_claimed / claimed_by_other / not_found for an admin, invalid_id', async () => {
    await f.core.owner.claim(f.ownerB.ctx, f.ownerB.id6, [{ gateway: gw2.id6, claim: gw2.pin }]);
    const r = await setup(
      { gateway: '0:ff:fe00:1', lnsUri: LNS, lnsTrust: trust },
      { gateway: gw2.id6, lnsUri: LNS, lnsTrust: trust },
      { gateway: OUTSIDE_ID, lnsUri: LNS, lnsTrust: trust },
      { gateway: 'nonsense', lnsUri: LNS },
      { gateway: gw1.id6, lnsUri: LNS, lnsTrust: trust },
      { gateway: gw1.eui, lnsUri: LNS },
    );
    // an owner learns only "not yours" (docs/security.md "Enumeration")
    expect(r.map((x) => x.code)).toEqual([
      'not_found',
      'not_found',
      'not_found',
      'invalid_id',
      undefined,
      'duplicate_in_request',
    ]);
    const admin = await f.core.owner.setup(f.admin, f.ownerA.id6, [
      { gateway: '0:ff:fe00:1', lnsUri: LNS, lnsTrust: trust },
      { gateway: gw2.id6, lnsUri: LNS, lnsTrust: trust },
      { gateway: OUTSIDE_ID, lnsUri: LNS, lnsTrust: trust },
    ]);
    expect(admin.map((x) => x.code)).toEqual(['not_claimed', 'claimed_by_other', 'not_found']);
  });

  it('stores server-auth, token and client-certificate sides with the CRC of the blob CUPS sends', async () => {
    expect(await setup({ gateway: gw1.id6, lnsUri: LNS, lnsTrust: trust })).toEqual([{ gateway: gw1.id6 }]);
    expect((await info()).setup?.lns).toEqual({
      uri: LNS,
      mode: 'server-auth',
      trustSet: true,
      certSet: false,
      keySet: false,
      crc: crc32(serverAuthBlob(f.pki.caDer)),
    });

    await setup({ gateway: gw1.id6, lnsKey: b64('Authorization: Bearer abc') });
    expect((await info()).setup?.lns).toMatchObject({
      mode: 'token',
      keySet: true,
      crc: crc32(tokenBlob(f.pki.caDer, 'Authorization: Bearer abc\r\n')),
    });

    await setup({ gateway: gw1.id6, lnsCrt: b64(f.pki.client.certPem), lnsKey: b64(f.pki.client.keyPem) });
    const sec1 = parsePrivateKeyInput(f.pki.client.keyPem, 'k').der;
    expect((await info()).setup?.lns).toMatchObject({
      mode: 'client-cert',
      certSet: true,
      crc: crc32(certBlob(f.pki.caDer, f.pki.client.certDer, sec1)),
    });
  });

  it('keeps absent fields, clears null ones', async () => {
    await setup({
      gateway: gw1.id6,
      cupsUri: 'https://cups.example.com:443',
      cupsTrust: trust,
      cupsKey: b64('Authorization: Bearer cups-token'),
      lnsUri: LNS,
      lnsTrust: trust,
      lnsKey: b64('Authorization: Bearer lns-token'),
    });
    const before = await info();
    await setup({ gateway: gw1.id6, lnsUri: 'wss://lns2.example.com:443' });
    const after = await info();
    expect(after.setup?.cups).toEqual(before.setup?.cups);
    expect(after.setup?.lns).toMatchObject({
      uri: 'wss://lns2.example.com:443',
      mode: 'token',
      crc: before.setup?.lns.crc,
    });

    await setup({ gateway: gw1.id6, lnsKey: null });
    expect((await info()).setup?.lns).toMatchObject({ mode: 'server-auth', keySet: false });
    await setup({ gateway: gw1.id6, cupsUri: null });
    expect((await info()).setup?.cups).toEqual({
      uri: null,
      mode: 'none',
      trustSet: false,
      certSet: false,
      keySet: false,
      crc: null,
    });
  });

  it('nulls a side’s credentials for http/ws and requires trust again for https/wss', async () => {
    await setup({ gateway: gw1.id6, lnsUri: LNS, lnsTrust: trust, lnsKey: b64('Authorization: Bearer x') });
    await setup({ gateway: gw1.id6, lnsUri: 'ws://lns.example.com:80', lnsTrust: trust });
    expect((await info()).setup?.lns).toEqual({
      uri: 'ws://lns.example.com:80',
      mode: 'none',
      trustSet: false,
      certSet: false,
      keySet: false,
      crc: null,
    });
    const [r] = await setup({ gateway: gw1.id6, lnsUri: LNS });
    expect(r).toMatchObject({ code: 'trust_required' });
    expect(r?.error).toContain('lnsTrust');
    expect((await info()).setup?.lns.uri).toBe('ws://lns.example.com:80');
  });

  it('answers trust_required when a TLS URI has no trust, and when the stored trust is cleared', async () => {
    expect((await setup({ gateway: gw1.id6, cupsUri: 'https://c.example.com:443' }))[0]?.code).toBe(
      'trust_required',
    );
    await setup({ gateway: gw1.id6, lnsUri: LNS, lnsTrust: trust });
    expect((await setup({ gateway: gw1.id6, lnsTrust: null }))[0]?.code).toBe('trust_required');
  });

  it('answers invalid_uri for a wrong scheme, a path or a missing port', async () => {
    const r = await setup(
      { gateway: gw1.id6, lnsUri: 'https://lns.example.com:443' },
      { gateway: gw2.id6, cupsUri: 'https://c.example.com:443/path' },
    );
    expect(r[0]).toMatchObject({ code: 'invalid_uri' });
    expect(r[0]?.error).toContain('lnsUri');
    await f.core.owner.claim(f.ownerA.ctx, f.ownerA.id6, [{ gateway: gw2.id6, claim: gw2.pin }]);
    const [noPort] = await setup({ gateway: gw2.id6, cupsUri: 'https://c.example.com' });
    expect(noPort?.code).toBe('invalid_uri');
  });

  it('answers invalid_credential for a key that does not match, a certificate without key, bad input', async () => {
    const base = { gateway: gw1.id6, lnsUri: LNS, lnsTrust: trust };
    const cases: [Partial<SetupItem>, string][] = [
      [{ lnsCrt: b64(f.pki.client.certPem), lnsKey: b64(f.pki.other.keyPem) }, 'does not match'],
      [{ lnsCrt: b64(f.pki.client.certPem) }, 'lnsKey'],
      [{ lnsTrust: 'not base64 at all!' }, 'lnsTrust'],
      [{ lnsKey: b64('no header line') }, 'lnsKey'],
    ];
    for (const [fields, message] of cases) {
      const [r] = await setup({ ...base, ...fields });
      expect(r?.code).toBe('invalid_credential');
      expect(r?.error).toContain(message);
    }
    // a stored header key cannot pair with a new certificate
    await setup({ ...base, lnsKey: b64('Authorization: Bearer t') });
    const [r] = await setup({ gateway: gw1.id6, lnsCrt: b64(f.pki.client.certPem) });
    expect(r?.code).toBe('invalid_credential');
    // nor a stored private key serve as a header once the certificate is cleared
    await setup({ gateway: gw1.id6, lnsCrt: b64(f.pki.client.certPem), lnsKey: b64(f.pki.client.keyPem) });
    expect((await setup({ gateway: gw1.id6, lnsCrt: null }))[0]?.code).toBe('invalid_credential');
    expect(await setup({ gateway: gw1.id6, lnsCrt: null, lnsKey: null })).toEqual([{ gateway: gw1.id6 }]);
  });

  it('requires fwcrc to name an uploaded firmware and fwafter to be ISO-8601 with a zone', async () => {
    const [unknown] = await setup({ gateway: gw1.id6, fwcrc: 1821931632 });
    expect(unknown).toMatchObject({ code: 'unknown_firmware' });
    await f.store.transaction((tx) =>
      tx.run('INSERT INTO firmware (fwcrc, owner_id, version, image, created_at) VALUES (?, NULL, ?, ?, ?)', [
        1821931632,
        '2.0.0',
        new Uint8Array([1, 2, 3]),
        '2030-01-01T00:00:00.000Z',
      ]),
    );
    expect(
      (await setup({ gateway: gw1.id6, fwcrc: '0x6C987870', fwafter: '2030-01-02T00:00:00+01:00' }))[0],
    ).toEqual({
      gateway: gw1.id6,
    });
    expect((await info()).firmware).toMatchObject({
      fwcrc: 1821931632,
      fwafter: '2030-01-01T23:00:00.000Z',
      state: 'not_yet_due',
      detail: 'not before 2030-01-01T23:00:00.000Z',
      sentAt: null,
    });
    expect((await setup({ gateway: gw1.id6, fwafter: '2030-01-02' }))[0]?.code).toBe('invalid_request');
    expect((await setup({ gateway: gw1.id6, fwcrc: 'abc' }))[0]?.code).toBe('invalid_request');
    await setup({ gateway: gw1.id6, fwcrc: null });
    expect((await info()).firmware).toBeNull();
  });

  it('never shows or audits a secret', async () => {
    await setup({
      gateway: gw1.id6,
      lnsUri: LNS,
      lnsTrust: trust,
      lnsCrt: b64(f.pki.client.certPem),
      lnsKey: b64(f.pki.client.keyPem),
      cupsUri: 'https://c.example.com:443',
      cupsTrust: trust,
      cupsKey: b64('Authorization: Bearer very-secret-token'),
    });
    const shown = JSON.stringify(await info());
    const audited = JSON.stringify(await f.core.audit.list(f.admin, { target: gw1.id6, action: 'setup' }));
    for (const text of [shown, audited]) {
      expect(text).not.toContain('very-secret-token');
      expect(text).not.toContain(b64('Authorization: Bearer very-secret-token'));
      expect(text).not.toContain('PRIVATE KEY');
      expect(text).not.toContain(b64(f.pki.client.keyPem).slice(0, 40));
    }
    expect(audited).toContain('client-cert');
  });

  it('gives a mixed request’s shared trust to every item and parses it once per request', async () => {
    await f.core.owner.claim(f.ownerA.ctx, f.ownerA.id6, [{ gateway: gw2.id6, claim: gw2.pin }]);
    const r = await setup(
      { gateway: gw1.id6, lnsUri: LNS, lnsTrust: trust },
      { gateway: gw2.id6, lnsUri: LNS, lnsTrust: trust, lnsKey: b64('Authorization: Bearer t2') },
    );
    expect(r).toEqual([{ gateway: gw1.id6 }, { gateway: gw2.id6 }]);
    expect((await info(gw2.id6)).setup?.lns.mode).toBe('token');
  });
});
