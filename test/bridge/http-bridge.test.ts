import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RENDERER_CSP } from '../../src-main/bridge/csp';
import { SESSION_COOKIE } from '../../src-main/bridge/http-bridge';
import {
  FAKE_INDEX,
  sessionCookieOf,
  startBridgeServer,
  uiHeaders,
  type BridgeServer,
} from '../helpers/bridge-server';

const ADMIN = { name: 'root', password: 'admin-password-1' };
const INSTALLER = { name: 'ina', password: 'installer-pass-1' };

describe('HTTP bridge on a real HTTPS server', () => {
  let s: BridgeServer;
  let adminCookie = '';

  const call = (channel: string, body: unknown, cookie?: string, headers: Record<string, string> = {}) =>
    s.request('POST', `/bridge/${channel}`, {
      headers: { ...uiHeaders(s, cookie), ...headers },
      body: JSON.stringify(body),
    });
  const login = async (who: { name: string; password: string }, cookie?: string) => {
    const answer = await call('login', who, cookie);
    expect(answer.status).toBe(200);
    return sessionCookieOf(answer)!;
  };

  beforeAll(async () => {
    s = await startBridgeServer();
    const setupPassword = await s.ui.firstRunPassword();
    const setup = await call('setup', { setupPassword, ...ADMIN });
    expect(setup.status).toBe(200);
    adminCookie = sessionCookieOf(setup)!;
    const created = await call('operators:create', { ...INSTALLER, role: 'installer' }, adminCookie);
    expect(created.json).toMatchObject({ ok: true, value: { name: 'ina', role: 'installer' } });
  });
  afterAll(() => s.close());

  it('serves the renderer at / with the strict CSP and hardening headers', async () => {
    const page = await s.request('GET', '/');
    expect(page.status).toBe(200);
    expect(page.text).toBe(FAKE_INDEX);
    expect(page.headers['content-security-policy']).toBe(RENDERER_CSP);
    expect(RENDERER_CSP).toContain("script-src 'self'");
    expect(RENDERER_CSP).not.toContain('unsafe-inline');
    expect(RENDERER_CSP).not.toContain('unsafe-eval');
    expect(page.headers['x-frame-options']).toBe('DENY');
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    const asset = await s.request('GET', '/assets/app-1.js');
    expect(asset.headers['content-type']).toMatch(/^text\/javascript/);
    expect(asset.headers['content-security-policy']).toBe(RENDERER_CSP);
    // only files indexed at start are served: no path reaches the file system
    const escape = await s.request('GET', '/assets/../../../../etc/passwd.txt');
    expect(escape.status).toBe(404);
    expect(escape.text).not.toContain('root:');
  });

  it('keeps the Owner API and CUPS routes of the server', async () => {
    expect((await s.request('GET', '/healthz')).json).toEqual({ status: 'ok' });
  });

  it('refuses every channel without a session (401)', async () => {
    for (const channel of ['station:status', 'gateways:query', 'apiKeys:create', 'operators:list']) {
      const answer = await call(channel, {});
      expect(answer.status).toBe(401);
      expect(answer.json).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
    }
    const forged = await call('station:status', {}, `${SESSION_COOKIE}=forged-session-id`);
    expect(forged.status).toBe(401);
  });

  it('sets the session cookie HttpOnly, Secure, SameSite=Strict, host-only', async () => {
    const answer = await call('login', INSTALLER);
    const set = String(answer.headers['set-cookie']);
    expect(set).toMatch(new RegExp(`^${SESSION_COOKIE}=[A-Za-z0-9_-]{43};`));
    expect(set).toContain('HttpOnly');
    expect(set).toContain('Secure');
    expect(set).toContain('SameSite=Strict');
    expect(set).toContain('Path=/');
    expect(set).not.toContain('Domain=');
    expect(answer.json).toMatchObject({ ok: true, value: { operator: { name: 'ina', role: 'installer' } } });
  });

  it('limits an installer to its role: no API keys, no operators (403)', async () => {
    const cookie = await login(INSTALLER);
    const key = await call('apiKeys:create', { ownerId: 'a::1', scopes: ['claim'] }, cookie);
    expect(key.status).toBe(403);
    expect(key.json).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(
      (await call('operators:create', { name: 'x', role: 'admin', password: 'long-enough-pw' }, cookie))
        .status,
    ).toBe(403);
    const admins = await call('apiKeys:list', {}, adminCookie);
    expect(admins.status).toBe(200);
    // what an installer may do works, through the real core
    const claim = await call(
      'gateways:claim',
      { ownerId: 'a::1', items: [{ gateway: '00-00-00-FF-FE-00-0A-BC', claim: '6CVH-EQSA' }] },
      cookie,
    );
    expect(claim.json).toEqual({ ok: true, value: [{ gateway: '0:ff:fe00:abc' }] });
    const whoami = await call('session:whoami', {}, cookie);
    expect((whoami.json as { value: { channels: string[] } }).value.channels).not.toContain('apiKeys:create');
  });

  it('does not accept a session cookie set before login after the login (no fixation)', async () => {
    const before = await login(INSTALLER);
    expect((await call('station:status', {}, before)).status).toBe(200);
    const planted = `${SESSION_COOKIE}=attacker-chosen-value`;
    for (const cookie of [before, planted]) {
      const after = await login(INSTALLER, cookie);
      expect(after).not.toBe(cookie);
      expect((await call('station:status', {}, cookie)).status).toBe(401);
      expect((await call('station:status', {}, after)).status).toBe(200);
    }
  });

  it('refuses cross-site requests even with a valid session cookie (CSRF)', async () => {
    const attempt = (
      headers: Record<string, string>,
      body = JSON.stringify({ name: 'csrf', role: 'admin', password: 'csrf-password-1' }),
    ) =>
      s.request('POST', '/bridge/operators:create', { headers: { cookie: adminCookie, ...headers }, body });
    const noHeader = await attempt({ 'content-type': 'application/json', origin: `https://${s.host}` });
    expect(noHeader.status).toBe(403);
    const foreign = await attempt({ ...uiHeaders(s, adminCookie), origin: 'https://evil.example' });
    expect(foreign.status).toBe(403);
    const nullOrigin = await attempt({ ...uiHeaders(s, adminCookie), origin: 'null' });
    expect(nullOrigin.status).toBe(403);
    const crossSite = await attempt({ ...uiHeaders(s, adminCookie), 'sec-fetch-site': 'cross-site' });
    expect(crossSite.status).toBe(403);
    const form = await attempt(
      { ...uiHeaders(s, adminCookie), 'content-type': 'application/x-www-form-urlencoded' },
      'name=csrf&role=admin&password=csrf-password-1',
    );
    expect(form.status).toBe(415);
    const plain = await attempt({ ...uiHeaders(s, adminCookie), 'content-type': 'text/plain' });
    expect(plain.status).toBe(415);
    for (const a of [noHeader, foreign, nullOrigin, crossSite, form, plain]) {
      expect(a.json).toMatchObject({ ok: false });
    }
    const list = await call('operators:list', {}, adminCookie);
    expect((list.json as { value: { name: string }[] }).value.map((o) => o.name)).not.toContain('csrf');
    // login is protected the same way (no login CSRF)
    const loginCsrf = await s.request('POST', '/bridge/login', {
      headers: { 'content-type': 'application/json', origin: 'https://evil.example', 'x-gwjs-bridge': '1' },
      body: JSON.stringify(INSTALLER),
    });
    expect(loginCsrf.status).toBe(403);
    expect(loginCsrf.headers['set-cookie']).toBeUndefined();
  });

  it('answers bad input with envelopes, never 500', async () => {
    const unknown = await call('system:exec', {}, adminCookie);
    expect(unknown.status).toBe(403);
    const invalid = await call('gateways:query', { offset: -1, limit: 10 }, adminCookie);
    expect(invalid.status).toBe(400);
    expect(invalid.json).toMatchObject({ ok: false, error: { code: 'invalid_request' } });
    expect((invalid.json as { error: { message: string } }).error.message).toContain('offset');
    const badJson = await s.request('POST', '/bridge/station:status', {
      headers: uiHeaders(s, adminCookie),
      body: '{',
    });
    expect(badJson.status).toBe(400);
    expect(badJson.json).toMatchObject({ ok: false, error: { code: 'invalid_json' } });
  });

  it('logs out: the session ends and the cookie is cleared', async () => {
    const cookie = await login(INSTALLER);
    const out = await call('logout', {}, cookie);
    expect(String(out.headers['set-cookie'])).toContain('Max-Age=0');
    expect((await call('station:status', {}, cookie)).status).toBe(401);
  });

  it('throttles repeated failed logins with 429 and Retry-After', async () => {
    let last;
    for (let i = 0; i < 11; i++) last = await call('login', { name: 'ghost', password: `wrong-${i}` });
    expect(last!.status).toBe(429);
    expect(last!.headers['retry-after']).toBeDefined();
    expect(last!.json).toMatchObject({ ok: false, error: { code: 'rate_limited' } });
  });
});
