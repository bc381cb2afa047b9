/**
 * Answer checks (docs/owner-api.md "Answers are checked"): when they are on
 * (`validateAnswersByDefault`), what counts as a mismatch (`answerMismatch`: a wrong type, a
 * missing field, an undeclared one), and that both doors act on it — a drifting answer of the Owner
 * API is a logged 500 `internal` over real HTTPS, one of the bridge an `internal` envelope, logged —
 * and pass it through unchanged when the check is off. The drift comes from a real station whose
 * one core method is made to answer wrongly, not from a stand-in for the door.
 */
import { request as httpsRequest } from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { startServer, type RunningServer } from '../../src-main/adapters/http/server';
import type { BridgeCaller } from '../../src-main/bridge/caller';
import { dispatch } from '../../src-main/bridge/dispatch';
import type { HandlerTable } from '../../src-main/bridge/handlers';
import type { Core } from '../../src-main/core/api';
import { answerMismatch, validateAnswersByDefault } from '../../src-shared/contract/issues';
import { CHANNELS } from '../../src-shared/ipc';
import { KDF_VECTORS, MemoryLogger } from '../helpers/core-fixture';
import { startTestServer, type TestServer } from '../helpers/server-fixture';

describe('validateAnswersByDefault', () => {
  it('is on in development and tests, off in production and when NODE_ENV is unset', () => {
    expect(validateAnswersByDefault({ NODE_ENV: 'development' })).toBe(true);
    expect(validateAnswersByDefault({ NODE_ENV: 'test' })).toBe(true);
    expect(validateAnswersByDefault({ NODE_ENV: 'production' })).toBe(false);
    expect(validateAnswersByDefault({})).toBe(false);
    expect(validateAnswersByDefault({ NODE_ENV: 'staging' })).toBe(false);
  });

  it('follows GWJS_VALIDATE_ANSWERS over NODE_ENV (1/true on, 0/false off, anything else: NODE_ENV)', () => {
    expect(validateAnswersByDefault({ NODE_ENV: 'production', GWJS_VALIDATE_ANSWERS: '1' })).toBe(true);
    expect(validateAnswersByDefault({ NODE_ENV: 'production', GWJS_VALIDATE_ANSWERS: 'true' })).toBe(true);
    expect(validateAnswersByDefault({ NODE_ENV: 'test', GWJS_VALIDATE_ANSWERS: '0' })).toBe(false);
    expect(validateAnswersByDefault({ NODE_ENV: 'development', GWJS_VALIDATE_ANSWERS: 'false' })).toBe(false);
    expect(validateAnswersByDefault({ NODE_ENV: 'test', GWJS_VALIDATE_ANSWERS: 'yes' })).toBe(true);
    expect(validateAnswersByDefault({ NODE_ENV: 'production', GWJS_VALIDATE_ANSWERS: '' })).toBe(false);
  });

  it('is on in this test run (vitest sets NODE_ENV=test)', () => {
    expect(process.env.NODE_ENV).toBe('test');
    expect(validateAnswersByDefault(process.env)).toBe(true);
  });
});

describe('answerMismatch', () => {
  const schema = z.object({
    gateway: z.string(),
    items: z.array(z.object({ crc: z.number().int(), note: z.string().optional() })),
    extra: z.record(z.string(), z.number()).optional(),
  });

  it('accepts an answer the schema describes, omitted and undefined optional fields included', () => {
    expect(answerMismatch(schema, { gateway: '::1', items: [{ crc: 1 }, { crc: 2, note: 'x' }] })).toBe(
      undefined,
    );
    expect(answerMismatch(schema, { gateway: '::1', items: [{ crc: 1, note: undefined }] })).toBe(undefined);
    // a record declares every key
    expect(answerMismatch(schema, { gateway: '::1', items: [], extra: { a: 1, b: 2 } })).toBe(undefined);
  });

  it('names a wrong type, a missing field and an undeclared field by their path', () => {
    expect(answerMismatch(schema, { gateway: '::1', items: [{ crc: '1' }] })).toBe(
      'answer.items[0].crc: expected number, got string',
    );
    expect(answerMismatch(schema, { items: [] })).toBe('answer.gateway: required (string)');
    expect(answerMismatch(schema, { gateway: '::1', items: [{ crc: 1 }, { crc: 2, pin: 'x' }] })).toBe(
      'answer.items[1].pin: not declared in the response schema',
    );
    expect(answerMismatch(schema, { gateway: '::1', items: [], secret: 'k' })).toBe(
      'answer.secret: not declared in the response schema',
    );
    expect(answerMismatch(z.array(z.string()), 'x')).toBe('answer: expected array, got string');
  });
});

/** POST JSON over HTTPS, trusting only `ca`. */
function post(url: string, ca: string, key: string, body: unknown) {
  return new Promise<{ status: number; json: unknown }>((resolve, reject) => {
    const payload = Buffer.from(JSON.stringify(body));
    const req = httpsRequest(
      url,
      {
        method: 'POST',
        ca,
        headers: {
          'content-type': 'application/json',
          'content-length': String(payload.length),
          authorization: `Bearer ${key}`,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, json: JSON.parse(Buffer.concat(chunks).toString('utf8')) }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/** `core` with `owner.unlockClaims` answering `drift(real answer)`; everything else as is. */
function driftingUnlock(core: Core, drift: (real: { gateway: string; removed: number }) => unknown): Core {
  const bound = <T extends object>(target: T, p: string | symbol) => {
    const v = Reflect.get(target, p, target) as unknown;
    return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
  };
  const owner = new Proxy(core.owner, {
    get: (target, p) =>
      p === 'unlockClaims'
        ? async (...args: Parameters<Core['owner']['unlockClaims']>) =>
            drift(await target.unlockClaims(...args))
        : bound(target, p),
  });
  return new Proxy(core, { get: (target, p) => (p === 'owner' ? owner : bound(target, p)) });
}

describe('the Owner API door checks its answers', () => {
  let t: TestServer;
  const servers: RunningServer[] = [];
  const serve = async (core: Core, logger: MemoryLogger) => {
    const s = await startServer({
      core,
      tls: { certPem: t.station.tls.certPem, keyPem: t.station.tls.keyPem, caCertPem: t.caPem },
      host: '127.0.0.1',
      port: 0,
      rateLimits: false,
      logger,
    });
    servers.push(s);
    return (body: unknown) => post(`${s.url}/api/v1/gateway/unlock`, t.caPem, t.adminKey, body);
  };
  const unlock = { gateway: KDF_VECTORS.gw1.eui };

  beforeAll(async () => {
    t = await startTestServer({ rateLimits: false });
  });
  afterAll(async () => {
    for (const s of servers) await s.close();
    await t?.close();
  });

  it('answers a matching answer as it is', async () => {
    const logger = new MemoryLogger();
    const call = await serve(t.station.core, logger);
    expect(await call(unlock)).toEqual({ status: 200, json: { gateway: KDF_VECTORS.gw1.id6, removed: 0 } });
    expect(logger.entries.filter((e) => e.level === 'error')).toEqual([]);
  });

  it.each([
    {
      drift: 'a wrong type',
      answer: (r: { gateway: string; removed: number }) => ({ ...r, removed: String(r.removed) }),
      why: 'answer.removed: expected number, got string',
    },
    {
      drift: 'an undeclared field',
      answer: (r: { gateway: string; removed: number }) => ({ ...r, pin: '6CVHEQSA' }),
      why: 'answer.pin: not declared in the response schema',
    },
  ])('turns $drift into a logged 500 internal, sending none of it', async ({ answer, why }) => {
    const logger = new MemoryLogger();
    const call = await serve(driftingUnlock(t.station.core, answer), logger);
    const r = await call(unlock);
    expect(r).toEqual({ status: 500, json: { error: 'internal error', code: 'internal' } });
    const errors = logger.entries.filter((e) => e.level === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]!.msg).toBe('request failed');
    expect((errors[0]!.obj as { err: { message: string } }).err.message).toBe(
      `answer of /api/v1/gateway/unlock does not match its schema: ${why}`,
    );
  });

  it('passes a drifting answer through unchanged with GWJS_VALIDATE_ANSWERS=0', async () => {
    const saved = process.env.GWJS_VALIDATE_ANSWERS;
    process.env.GWJS_VALIDATE_ANSWERS = '0';
    let call;
    const logger = new MemoryLogger();
    try {
      // read when the routes are registered
      call = await serve(
        driftingUnlock(t.station.core, (r) => ({ ...r, removed: 'none', pin: 'x' })),
        logger,
      );
    } finally {
      if (saved === undefined) delete process.env.GWJS_VALIDATE_ANSWERS;
      else process.env.GWJS_VALIDATE_ANSWERS = saved;
    }
    expect(await call(unlock)).toEqual({
      status: 200,
      json: { gateway: KDF_VECTORS.gw1.id6, removed: 'none', pin: 'x' },
    });
    expect(logger.entries.filter((e) => e.level === 'error')).toEqual([]);
  });
});

describe('bridge dispatch checks its answers', () => {
  const admin: BridgeCaller = { name: 'root', role: 'admin', ownerId: null, transport: 'ipc' };
  const owner = { id: 'a::1', name: 'owner a::1', createdAt: '2030-01-01T00:00:00.000Z' };
  /** A table whose `owners:list` answers `answer` (no other channel is called). */
  const answering = (answer: unknown) =>
    ({ 'owners:list': () => Promise.resolve(answer) }) as unknown as HandlerTable;

  it('answers a matching answer as it is', async () => {
    expect(CHANNELS['owners:list'].response.safeParse([owner]).success).toBe(true);
    expect(await dispatch(answering([owner]), admin, 'owners:list', {}, undefined, undefined, true)).toEqual({
      ok: true,
      value: [owner],
    });
  });

  it.each([
    {
      drift: 'a wrong type',
      answer: [{ ...owner, createdAt: 7 }],
      why: 'answer[0].createdAt: expected string, got number',
    },
    {
      drift: 'an undeclared field',
      answer: [owner, { ...owner, apiKey: 'k' }],
      why: 'answer[1].apiKey: not declared in the response schema',
    },
    { drift: 'a wrong shape', answer: { owners: [owner] }, why: 'answer: expected array, got object' },
  ])('turns $drift into a logged internal failure', async ({ answer, why }) => {
    const logged: { obj: object; msg: string | undefined }[] = [];
    const logger = { error: (obj: object, msg?: string) => void logged.push({ obj, msg }) } as never;
    const r = await dispatch(answering(answer), admin, 'owners:list', {}, logger, undefined, true);
    expect(r).toMatchObject({ ok: false, error: { code: 'internal' } });
    const message = (r as { error: { message: string } }).error.message;
    expect(message.startsWith(`owners:list: answer does not match its schema: ${why}`), message).toBe(true);
    expect(logged).toEqual([
      {
        obj: { channel: 'owners:list', why: expect.stringContaining(why) },
        msg: 'bridge answer does not match its schema',
      },
    ]);
  });

  it('checks by default in tests and passes a drifting answer through unchanged when off', async () => {
    const drifting = [{ ...owner, createdAt: 7, apiKey: 'k' }];
    expect(await dispatch(answering(drifting), admin, 'owners:list', {})).toMatchObject({
      ok: false,
      error: { code: 'internal' },
    });
    expect(
      await dispatch(answering(drifting), admin, 'owners:list', {}, undefined, undefined, false),
    ).toEqual({
      ok: true,
      value: drifting,
    });
  });
});
