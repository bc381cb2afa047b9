import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import {
  MAX_ITEMS,
  SETUP_FIELDS,
  describeIssues,
  formatPath,
  parseOwnerRequest,
} from '../../src-shared/owner-api';

const DER_CERT_B64 = Buffer.from([0x30, 0x03, 0x02, 0x01, 0x01]).toString('base64');
const PEM_B64 = Buffer.from('-----BEGIN CERTIFICATE-----\nMAMCAQE=\n-----END CERTIFICATE-----\n').toString(
  'base64',
);

describe('parseOwnerRequest', () => {
  it('chooses the single form without `gateways` and the bulk form with it', () => {
    const single = parseOwnerRequest('claim', { ownerid: '::1', gateway: '::2', claim: 'x' });
    expect(single).toMatchObject({ ok: true, bulk: false });
    const bulk = parseOwnerRequest('claim', { ownerid: '::1', gateways: [{ gateway: '::2', claim: 'x' }] });
    expect(bulk).toMatchObject({ ok: true, bulk: true });
  });

  it('keeps gateway ids raw so a bad id is a per-item answer', () => {
    const r = parseOwnerRequest('info', { ownerid: '::1', gateways: ['nonsense', '::2'] });
    expect(r).toEqual({ ok: true, bulk: true, value: { ownerid: '::1', gateways: ['nonsense', '::2'] } });
  });

  it('fails the whole request for a bad owner id with invalid_id', () => {
    const r = parseOwnerRequest('list', { ownerid: '1:::2' });
    expect(r).toEqual({
      ok: false,
      error: { error: 'ownerid: "1:::2" is not a valid ID6, EUI-64 or MAC', code: 'invalid_id' },
    });
  });

  it('leaves the items of a bulk request to the core, which answers per item (SPEC §4.2)', () => {
    const gateways = [1, 2, 3, 4].map((i) => ({ gateway: `::${i}`, claim: i === 4 ? 9 : 'x' }));
    const r = parseOwnerRequest('claim', { ownerid: '::1', gateways });
    expect(r).toEqual({ ok: true, bulk: true, value: { ownerid: '::1', gateways } });
  });

  it('names the path of a wrong type in the single form', () => {
    const r = parseOwnerRequest('claim', { ownerid: '::1', gateway: '::2', claim: 9 });
    expect(r).toEqual({
      ok: false,
      error: { error: 'claim: expected string, got number', code: 'invalid_request' },
    });
  });

  it('refuses more than MAX_ITEMS items with too_many_items', () => {
    const r = parseOwnerRequest('delete', {
      ownerid: '::1',
      gateways: Array<string>(MAX_ITEMS + 1).fill('::2'),
    });
    expect(r).toMatchObject({ ok: false, error: { code: 'too_many_items' } });
    const max = parseOwnerRequest('delete', {
      ownerid: '::1',
      gateways: Array<string>(MAX_ITEMS).fill('::2'),
    });
    expect(max.ok).toBe(true);
  });

  it('accepts DER and well-framed PEM certificates, null to clear, and rejects other bytes', () => {
    for (const cupsTrust of [DER_CERT_B64, PEM_B64, null]) {
      expect(parseOwnerRequest('setup', { ownerid: '::1', gateway: '::2', cupsTrust }).ok).toBe(true);
    }
    const bad = parseOwnerRequest('setup', {
      ownerid: '::1',
      gateway: '::2',
      cupsTrust: Buffer.from('xyz').toString('base64'),
    });
    expect(bad).toMatchObject({
      ok: false,
      error: { code: 'invalid_credential', error: expect.stringMatching(/^cupsTrust: neither DER/) },
    });
  });

  it('checks URIs with the station’s rules (SPEC §3.2) and reports invalid_uri', () => {
    expect(
      parseOwnerRequest('setup', { ownerid: '::1', gateway: '::2', lnsUri: 'wss://lns.example.com:443' }).ok,
    ).toBe(true);
    const r = parseOwnerRequest('setup', {
      ownerid: '::1',
      gateway: '::2',
      lnsUri: 'wss://lns.example.com:443/',
    });
    expect(r).toMatchObject({
      ok: false,
      error: { code: 'invalid_uri', error: expect.stringMatching(/^lnsUri: .*path/) },
    });
  });

  it('accepts fwafter only with a zone and fwcrc as a u32 number or decimal/0x-hex text', () => {
    const ok = (f: object) => parseOwnerRequest('setup', { ownerid: '::1', gateway: '::2', ...f }).ok;
    expect(ok({ fwafter: '2030-01-01T00:00:00Z', fwcrc: 0xffffffff })).toBe(true);
    expect(ok({ fwafter: '2030-01-01T00:00:00+02:00', fwcrc: '0x6c97a570' })).toBe(true);
    expect(ok({ fwafter: '2030-01-01T00:00:00' })).toBe(false);
    expect(ok({ fwcrc: 1.5 })).toBe(false);
  });

  it('lists the setup fields in SPEC §4.2 order', () => {
    expect(SETUP_FIELDS).toEqual([
      'cupsUri',
      'cupsKey',
      'cupsCrt',
      'cupsTrust',
      'lnsUri',
      'lnsKey',
      'lnsCrt',
      'lnsTrust',
      'fwcrc',
      'fwafter',
    ]);
  });
});

describe('describeIssues', () => {
  it('shows at most three problems and counts the rest', () => {
    const r = z.strictObject({ a: z.string(), b: z.string(), c: z.string(), d: z.string() }).safeParse({});
    expect(r.success).toBe(false);
    const body = describeIssues(r.error!.issues);
    expect(body.error).toBe(
      'a: required (string); b: required (string); c: required (string); and 1 more problem(s)',
    );
    expect(body.code).toBe('invalid_request');
  });
});

describe('formatPath', () => {
  it('writes array indexes in brackets and the root as body', () => {
    expect(formatPath(['gateways', 3, 'claim'])).toBe('gateways[3].claim');
    expect(formatPath([])).toBe('body');
  });
});
