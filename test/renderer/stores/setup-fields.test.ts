import { describe, expect, it } from 'vitest';
import { base64ToBytes } from '../../../src-shared/bytes';
import { inspectCredential } from '../../../src-renderer/stores/credential-file';
import {
  describeFields,
  emptySide,
  sideFields,
  tokenHeader,
} from '../../../src-renderer/stores/setup-fields';

const PEM = new TextEncoder().encode('-----BEGIN CERTIFICATE-----\nMAMCAQE=\n-----END CERTIFICATE-----\n');
const DER = new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x01]);
const text = (b64: string) => new TextDecoder().decode(base64ToBytes(b64));

describe('tokenHeader', () => {
  it('makes a bare token a Bearer header and keeps typed header lines', () => {
    expect(tokenHeader(' abc ')).toBe('Authorization: Bearer abc');
    expect(tokenHeader('Bearer abc')).toBe('Authorization: Bearer abc');
    expect(tokenHeader('Authorization: abc')).toBe('Authorization: abc');
    expect(tokenHeader('X-Api-Key: k1')).toBe('X-Api-Key: k1');
  });
});

describe('sideFields', () => {
  it('gives no fields for a side left as stored', () => {
    expect(sideFields('cups', emptySide())).toEqual({ fields: {}, problems: [] });
  });

  it('builds token mode: trust as Base64 of the file, key as Base64 of the header, no cert', () => {
    const trust = inspectCredential('ca.pem', PEM);
    const r = sideFields('lns', {
      ...emptySide(),
      enabled: true,
      uri: 'wss://lns.example.com:8887',
      trust,
      token: 't0k',
    });
    expect(r.problems).toEqual([]);
    expect(r.fields).toMatchObject({
      lnsUri: 'wss://lns.example.com:8887',
      lnsTrust: trust.base64,
      lnsCrt: null,
    });
    expect(text(r.fields.lnsKey!)).toBe('Authorization: Bearer t0k');
  });

  it('builds client-certificate mode from DER files', () => {
    const f = inspectCredential('c.der', DER);
    const r = sideFields('cups', {
      ...emptySide(),
      enabled: true,
      uri: 'https://cups.example.com:443',
      mode: 'client-cert',
      trust: f,
      cert: f,
      key: f,
    });
    expect(r).toEqual({
      fields: {
        cupsUri: 'https://cups.example.com:443',
        cupsTrust: 'MAMCAQE=',
        cupsCrt: 'MAMCAQE=',
        cupsKey: 'MAMCAQE=',
      },
      problems: [],
    });
  });

  it('sends only the URI for plain targets (the server clears their credentials)', () => {
    expect(sideFields('lns', { ...emptySide(), enabled: true, uri: 'ws://10.0.0.1:1700' }).fields).toEqual({
      lnsUri: 'ws://10.0.0.1:1700',
    });
  });

  it('lists what blocks sending: bad URI, missing trust, token, files that are no certificate', () => {
    expect(
      sideFields('cups', { ...emptySide(), enabled: true, uri: 'https://x:443/path' }).problems[0],
    ).toMatch(/^CUPS address: /);
    const junk = inspectCredential('notes.txt', new TextEncoder().encode('hello'));
    const r = sideFields('lns', { ...emptySide(), enabled: true, uri: 'wss://lns:1', trust: junk });
    expect(r.problems).toEqual([
      'LNS: enter the token',
      'LNS: notes.txt is neither a PEM nor a DER certificate',
    ]);
  });
});

describe('inspectCredential', () => {
  it('recognizes PEM by its BEGIN label and DER by the SEQUENCE byte', () => {
    expect(inspectCredential('a.pem', PEM)).toMatchObject({
      encoding: 'pem',
      label: 'CERTIFICATE',
      size: PEM.length,
    });
    expect(inspectCredential('a.der', DER)).toMatchObject({ encoding: 'der', base64: 'MAMCAQE=' });
  });
});

describe('describeFields', () => {
  it('describes fields without secrets, including secrets held by a template', () => {
    expect(describeFields({ lnsUri: 'wss://l:1', lnsTrust: 'MAM=' }, ['lnsKey'])).toEqual([
      'LNS: wss://l:1 — trust, token',
    ]);
    expect(describeFields({})).toEqual(['(no changes)']);
  });
});
