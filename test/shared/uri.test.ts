import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DomainError } from '../../src-shared/errors';
import { MAX_URI_LENGTH, checkServiceUri, httpsUrl, parseEndpointUri } from '../../src-shared/uri';

function catchError(fn: () => unknown): DomainError {
  try {
    fn();
  } catch (e) {
    if (e instanceof DomainError) return e;
    throw e;
  }
  throw new Error('expected a throw');
}

describe('parseEndpointUri', () => {
  it.each([
    ['cups', 'https://js.example.com:443', 'https', 'js.example.com', 443, true],
    ['cups', 'http://127.0.0.1:8080', 'http', '127.0.0.1', 8080, false],
    ['cups', 'https://localhost:1', 'https', 'localhost', 1, true],
    ['cups', 'HTTPS://JS.Example.COM:65535', 'https', 'JS.Example.COM', 65535, true],
    ['cups', 'https://[::1]:6040', 'https', '::1', 6040, true],
    ['cups', 'https://[2001:db8::10:1]:443', 'https', '2001:db8::10:1', 443, true],
    ['cups', 'https://[::ffff:192.0.2.1]:443', 'https', '::ffff:192.0.2.1', 443, true],
    ['cups', 'https://[1:2:3:4:5:6:7:8]:443', 'https', '1:2:3:4:5:6:7:8', 443, true],
    ['cups', 'https://my-gw-js.a1.example:7443', 'https', 'my-gw-js.a1.example', 7443, true],
    ['lns', 'wss://lns.example.com:443', 'wss', 'lns.example.com', 443, true],
    ['lns', 'ws://10.0.0.1:1887', 'ws', '10.0.0.1', 1887, false],
    ['lns', 'WS://lns:1887', 'ws', 'lns', 1887, false],
  ] as const)('accepts %s %j', (kind, uri, scheme, host, port, secure) => {
    expect(parseEndpointUri(uri, kind, 'f')).toEqual({ uri, scheme, host, port, secure });
    expect(checkServiceUri(uri, kind)).toBeUndefined();
  });

  it.each([
    ['cups', 'wss://lns.example.com:443', /not a http\(s\):\/\/host:port URI/],
    ['lns', 'https://js.example.com:443', /not a ws\(s\):\/\/host:port URI/],
    ['cups', 'ftp://x:21', /not a http/],
    ['cups', 'https:/x:443', /not a http/],
    ['cups', 'js.example.com:443', /not a http/],
    ['cups', 'https://js.example.com', /explicit port/],
    ['cups', 'https://js.example.com/', /explicit port/],
    ['cups', 'https://js.example.com:', /invalid port/],
    ['cups', 'https://js.example.com:0', /invalid port/],
    ['cups', 'https://js.example.com:65536', /invalid port/],
    ['cups', 'https://js.example.com:0443', /invalid port/],
    ['cups', 'https://js.example.com:443x', /invalid port/],
    ['cups', 'https://js.example.com:-1', /invalid port/],
    ['cups', 'https://js.example.com:443/', /a path/],
    ['cups', 'https://js.example.com:443/update-info', /a path/],
    ['lns', 'wss://lns.example.com:443/router-info', /a path/],
    ['cups', 'https://js.example.com:443?x=1', /a query/],
    ['cups', 'https://js.example.com:443#frag', /a fragment/],
    ['cups', 'https://user:pw@js.example.com:443', /user information/],
    ['cups', 'https://:443', /no host/],
    ['cups', 'https://', /no host/],
    ['cups', 'https://js_example.com:443', /invalid host name/],
    ['cups', 'https://-js.example.com:443', /invalid host name/],
    ['cups', 'https://js..example.com:443', /invalid host name/],
    ['cups', 'https://js.example.com.:443', /invalid host name/],
    ['cups', 'https://256.1.1.1:443', /invalid host name/],
    ['cups', 'https://1.2.3:443', /invalid host name/],
    ['cups', 'https://01.2.3.4:443', /invalid host name/],
    ['cups', 'https://::1:443', /no host/],
    ['cups', 'https://[::1:443', /unterminated/],
    ['cups', 'https://[::1]443', /not a http/],
    ['cups', 'https://[::1]', /explicit port/],
    ['cups', 'https://[fe80::1%eth0]:443', /invalid IPv6/],
    ['cups', 'https://[1:2:3:4:5:6:7]:443', /invalid IPv6/],
    ['cups', 'https://[1:2:3:4:5:6:7:8:9]:443', /invalid IPv6/],
    ['cups', 'https://[1::2::3]:443', /invalid IPv6/],
    ['cups', 'https://[12345::1]:443', /invalid IPv6/],
    ['cups', 'https://[::1.2.3.256]:443', /invalid IPv6/],
    ['cups', 'https://[example.com]:443', /invalid IPv6/],
    ['cups', 'https://js.example.com:443 ', /spaces, control or non-ASCII/],
    ['cups', ' https://js.example.com:443', /spaces, control or non-ASCII/],
    ['cups', 'https://js.example.com:443\n', /spaces, control or non-ASCII/],
    ['cups', 'https://jś.example.com:443', /spaces, control or non-ASCII/],
    ['cups', '', /empty/],
  ] as const)('rejects %s %j', (kind, uri, why) => {
    const e = catchError(() => parseEndpointUri(uri, kind, 'cupsUri'));
    expect(e.code).toBe('invalid_uri');
    expect(e.message).toMatch(/^cupsUri: /);
    expect(e.message).toMatch(why);
    if (uri !== '') expect(e.message).toContain(JSON.stringify(uri));
    expect(e.attributes).toMatchObject({ field: 'cupsUri' });
    expect(checkServiceUri(uri, kind)).toMatch(why);
  });

  it('accepts 127 characters and rejects 128 (SPEC §3.2 "< 128 chars")', () => {
    const prefix = 'https://';
    const suffix = '.example:443';
    const name = (n: number) => {
      const labels: string[] = [];
      let left = n - prefix.length - suffix.length;
      while (left > 0) {
        const len = Math.min(left, 60);
        labels.push('a'.repeat(len));
        left -= len + 1;
      }
      return labels.join('.');
    };
    const ok = `${prefix}${name(MAX_URI_LENGTH)}${suffix}`;
    expect(ok).toHaveLength(127);
    expect(parseEndpointUri(ok, 'cups', 'f').port).toBe(443);
    const long = `${prefix}${name(128)}${suffix}`;
    expect(long).toHaveLength(128);
    expect(() => parseEndpointUri(long, 'cups', 'f')).toThrow(/128 characters long/);
  });

  it('cuts a huge input in its message', () => {
    const e = catchError(() => parseEndpointUri(`https://${'a'.repeat(100_000)}:443`, 'cups', 'f'));
    expect(e.message.length).toBeLessThan(200);
  });

  it.each([
    [undefined, 'undefined'],
    [null, 'null'],
    [443, 'number'],
    [['https://x:1'], 'array'],
    [{}, 'object'],
  ])('rejects the non-string %s', (input, got) => {
    const e = catchError(() => parseEndpointUri(input, 'lns', 'lnsUri'));
    expect(e.code).toBe('invalid_uri');
    expect(e.message).toBe(`lnsUri: expected a URI string, got ${got}`);
  });

  it('accepts every valid host:port combination it generates', () => {
    const label = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,8}[a-z0-9])?$/);
    const host = fc
      .array(label, { minLength: 1, maxLength: 4 })
      .filter((ls) => !/^[0-9]+$/.test(ls[ls.length - 1]!))
      .map((ls) => ls.join('.'));
    fc.assert(
      fc.property(host, fc.integer({ min: 1, max: 65535 }), fc.boolean(), (h, port, tls) => {
        const uri = `${tls ? 'wss' : 'ws'}://${h}:${port}`;
        expect(parseEndpointUri(uri, 'lns', 'f')).toEqual({
          uri,
          scheme: tls ? 'wss' : 'ws',
          host: h,
          port,
          secure: tls,
        });
      }),
    );
  });
});

describe('httpsUrl', () => {
  it('writes host and port, an IPv6 address in brackets', () => {
    expect(httpsUrl('station.local', 8443)).toBe('https://station.local:8443');
    expect(httpsUrl('192.0.2.7', 443)).toBe('https://192.0.2.7:443');
    expect(httpsUrl('fd00::1', 8443)).toBe('https://[fd00::1]:8443');
    expect(new URL(httpsUrl('fd00::1', 8443)).hostname).toBe('[fd00::1]');
  });
});
