/**
 * The Gateway API `POST /update-info` (SPEC §3.1, §3.6) behind the HTTP door.
 *
 * Order: the gateway's state; authentication over TLS (`authenticate.ts`; plain HTTP is
 * unauthenticated: a station never sends a credential there, so it gets URIs only — never a
 * credential segment, never firmware — and its contact is recorded as unauthenticated); the rate
 * limit; the plan (`plan.ts`: not configured → 404, else the answer and the store effects it
 * needs); the effects and the answer's bytes (`materialize.ts`); the audit of what the effects
 * changed; the contact record.
 *
 * Rate limits (SPEC §3.6 → 429, docs/cups.md): a failure (400, 401, 403, an unknown router over
 * plain HTTP) takes from its address's failure bucket — once that is empty further failures answer
 * 429 and are neither audited nor counted as their kind; an authenticated request takes from its
 * router's bucket, after authentication; a plain-HTTP request from a separate per-router bucket.
 * So a valid token or client certificate is never throttled by someone else's failures, and
 * naming a router without its credential costs that router nothing.
 *
 * Hot path: the gateway's state (row + setup digest) comes from a {@link GatewayStateCache}, tokens
 * are checked against cached SHA-256 digests (the HSM is only asked on a cache miss), the answer is
 * decided by CRC comparison, and the contact goes to the in-memory {@link ContactLog} — an in-sync
 * poll of a cached gateway plans no effect and touches no store. Reads happen only where a decision
 * needs them (state not cached, a client certificate, a due firmware's signature keys); writes only
 * as the plan's effects, in one relaxed-durability transaction. State changes (generation retired,
 * firmware delivered once) are audited in a following fully durable transaction, which also puts
 * them on disk before the station is answered.
 */
import {
  encodeUpdateInfoResponse,
  type UpdateInfoRequest,
  type UpdateInfoResponse,
} from '../../../src-shared/cups-wire';
import { DomainError } from '../../../src-shared/errors';
import { euiHex, formatId6 } from '../../../src-shared/ids';
import type { CupsAnswer, CupsAuth, CupsService, Principal } from '../api';
import { AuditWriter } from '../audit';
import type { Batches } from '../batches';
import type { ClientCertificates } from '../client-certs/service';
import { isoAt, type CoreEnv } from '../env';
import { RateLimiter } from '../rate-limit';
import {
  authenticate,
  REQUIRED,
  type AuthenticateDeps,
  type Credential,
  type CupsAudit,
} from './authenticate';
import type { ContactLog } from './contact-log';
import { materialize, type MaterializeDeps } from './materialize';
import { planAnswer, type PlanDeps } from './plan';
import { GatewayStateCache, readGatewayState, type GatewayState } from './state-cache';
import { CupsTokens } from './tokens';
import { authenticateByPack, planFromPack } from './site-pack-door';
import type { PackEntry, SitePack } from '../sync/site-pack';

/** The principal CUPS-driven state changes are audited under. */
const CUPS_PRINCIPAL: Principal = { kind: 'system', id: 'cups', ownerId: null, scopes: new Set() };

/** Length of the answer that changes nothing (SPEC §3.2). */
const NO_CHANGE_BYTES = 14;

const NO_AUDITS: readonly CupsAudit[] = [];

const NOT_CONFIGURED: CupsAnswer = { status: 404, reason: 'not configured', outcome: 'not_configured' };

/** What {@link CupsHandler} is built from. */
interface CupsHandlerDeps {
  env: CoreEnv;
  batches: Batches;
  clientCerts: ClientCertificates;
  /** the last contact per gateway (also read by `info`) */
  contacts: ContactLog;
  /** the site pack: CUPS for gateways without a local root key (docs/sync.md "Site packs") */
  sitePack?: SitePack | undefined;
}

/** True when a TLS request carries no credential at all (no Authorization header, no certificate). */
function isBare(auth: CupsAuth): boolean {
  return (
    (auth.authorization === undefined || auth.authorization === '') &&
    auth.clientCertificate === undefined &&
    auth.clientCertificateRejected === undefined
  );
}

/** True when a response carries no segment: it is sent as 14 zero bytes (SPEC §3.2). */
function sendsNothing(r: UpdateInfoResponse): boolean {
  return (
    r.cupsUri === undefined &&
    r.tcUri === undefined &&
    r.cupsCred === undefined &&
    r.tcCred === undefined &&
    r.update === undefined
  );
}

/** The answer to a configured gateway (SPEC §3.2: 14 zero bytes when nothing changes), or 404. */
function answerOf(response: UpdateInfoResponse | undefined): CupsAnswer {
  if (response === undefined) return NOT_CONFIGURED;
  if (sendsNothing(response))
    return { status: 200, body: new Uint8Array(NO_CHANGE_BYTES), outcome: 'in_sync' };
  return { status: 200, body: encodeUpdateInfoResponse(response), outcome: 'updated' };
}

/**
 * CUPS request handling. `forget` drops what is cached of a gateway (call it after every write to
 * its row or setup); `close` writes the pending contacts.
 */
export class CupsHandler implements CupsService {
  /** the last contact per gateway (also read by `info`) */
  readonly contacts: ContactLog;
  readonly #env: CoreEnv;
  readonly #batches: Batches;
  readonly #tokens: CupsTokens;
  readonly #states: GatewayStateCache;
  /** authenticated requests per router */
  readonly #perRouter: RateLimiter;
  /** plain-HTTP (unauthenticated) requests per router */
  readonly #perRouterPlain: RateLimiter;
  /** failed requests per address */
  readonly #failures: RateLimiter;
  readonly #authDeps: AuthenticateDeps;
  readonly #planDeps: PlanDeps;
  readonly #materializeDeps: MaterializeDeps;
  readonly #pack: SitePack | undefined;
  #closed = false;
  /** the last request time and its ISO text (polls arriving in the same millisecond share it) */
  #isoOf = { ms: Number.NaN, iso: '' };

  constructor(deps: CupsHandlerDeps) {
    const { env, clientCerts } = deps;
    this.#env = env;
    this.#batches = deps.batches;
    this.contacts = deps.contacts;
    this.#pack = deps.sitePack;
    const now = () => env.clock.now();
    const { config } = env;
    this.#tokens = new CupsTokens(env.hsm, config.server.trustDer, config.tokenCacheEntries);
    this.#states = new GatewayStateCache(config.cupsStateCacheEntries);
    this.#perRouter = new RateLimiter(config.cupsRateLimit.perRouter, now);
    this.#perRouterPlain = new RateLimiter(config.cupsRateLimit.perRouter, now);
    this.#failures = new RateLimiter(config.cupsRateLimit.failuresPerAddress, now);
    this.#authDeps = { store: env.store, tokens: this.#tokens, clientCerts };
    this.#planDeps = { store: env.store, tokens: this.#tokens, server: config.server };
    this.#materializeDeps = { store: env.store, tokens: this.#tokens, clientCerts };
  }

  /**
   * Forgets the cached state and token digests of a gateway: its row or setup changed (claim,
   * setup, delete, add, rotation) or is about to.
   */
  forget(hex: string): void {
    this.#states.invalidate(hex);
    this.#tokens.forget(hex);
  }

  /** The server's own CUPS URI changed: every cached gateway state is planned afresh. */
  serverChanged(): void {
    this.#states.clear();
  }

  /** Refuses further requests and writes the pending contacts (before the store closes). */
  async close(): Promise<void> {
    this.#closed = true;
    this.#states.clear();
    await this.contacts.close();
  }

  /**
   * Answer to a request the door could not parse (SPEC §3.6 → 400), counted like every outcome;
   * a failure like any other, so it takes from the address's failure bucket (429 once empty).
   */
  badRequest(reason: string, address: string): CupsAnswer {
    const answer = this.#failed(address, { status: 400, reason, outcome: 'bad_request' });
    this.#env.counters.count('cups', answer.outcome);
    return answer;
  }

  /** Answers one `update-info` request (SPEC §3.6). */
  async updateInfo(request: UpdateInfoRequest, auth: CupsAuth, address: string): Promise<CupsAnswer> {
    const answer = await this.#handle(request, auth, address);
    this.#env.counters.count('cups', answer.outcome);
    return answer;
  }

  async #handle(req: UpdateInfoRequest, auth: CupsAuth, address: string): Promise<CupsAnswer> {
    if (this.#closed) throw new DomainError('internal', 'cups: the core is closed');
    // over TLS without any credential the answer is 401 whatever the state: decided before a read
    if (auth.secure && isBare(auth)) return this.#failed(address, REQUIRED);
    const hex = euiHex(req.router);
    // looked up first: a directory miss reads the store itself
    const rangeBatch = await this.#batches.batchOf(req.router);
    const now = this.#env.clock.now();
    if (this.#isoOf.ms !== now) this.#isoOf = { ms: now, iso: isoAt(now) };
    const nowIso = this.#isoOf.iso;
    if (rangeBatch === undefined && this.#pack !== undefined) {
      // no local root key for this router: the site pack, when it lists it (docs/sync.md)
      await this.#pack.ready();
      const entry = this.#pack.entry(hex);
      if (entry !== undefined) return this.#fromPack(req, auth, address, { hex, entry, now, nowIso });
    }
    const { row, setup } = this.#states.get(hex) ?? (await this.#read(hex));
    const batch = row?.origin === 'added' ? undefined : rangeBatch;

    let credential: Credential | undefined;
    if (auth.secure) {
      const authn = await authenticate({ auth, router: req.router, hex, row, batch }, this.#authDeps);
      if (!authn.ok) {
        const answer = this.#failed(address, authn.answer);
        if (answer === authn.answer && authn.audit !== undefined) {
          await this.#audit([authn.audit], req.router, address, nowIso);
        }
        return answer;
      }
      credential = authn.credential;
    } else if (row === undefined) {
      return this.#failed(address, NOT_CONFIGURED);
    }
    const limited = this.#routerLimited(hex, credential);
    if (limited !== undefined) return limited;

    const plan = await planAnswer({ req, hex, row, setup, batch, credential, nowIso }, this.#planDeps);
    if (plan.firmwareBlocked) this.#env.counters.count('cups', 'firmware_no_matching_key');
    // nothing to derive or run (the in-sync poll): no call, no allocation
    const done =
      plan.effects.length === 0 && plan.issueCupsCred === undefined
        ? { response: plan.response, audits: NO_AUDITS, wrote: false }
        : await materialize(plan, { nowIso, address }, this.#materializeDeps);
    if (done.wrote) this.#states.invalidate(hex);
    if (done.audits.length > 0) await this.#audit(done.audits, req.router, address, nowIso);

    const answer = answerOf(plan.kind === 'not_configured' ? undefined : done.response);
    this.#record(req, { hex, address, now, nowIso }, answer.outcome, credential);
    return answer;
  }

  /**
   * A gateway served from the site pack (`site-pack-door.ts`): the same order as the normal path —
   * authentication over TLS, rate limit, answer, contact — with the pack as the gateway's state.
   * Authenticating with a generation above the one last seen here records it (durable, audited
   * `token.retire` when it is the rotation's g + 1), so the older token is refused from then on. A
   * due firmware update is claimed once per setup (`SitePack.deliver`, durable, with its report to
   * the remote queued in the same transaction) and audited `firmware.sent` with `via: "site pack"`.
   * A refused client certificate is logged and audited (`cups.certificate_refused`).
   */
  async #fromPack(
    req: UpdateInfoRequest,
    auth: CupsAuth,
    address: string,
    at: { hex: string; entry: PackEntry; now: number; nowIso: string },
  ): Promise<CupsAnswer> {
    const { hex, entry, nowIso } = at;
    let credential: Credential | undefined;
    let token: string | undefined;
    if (auth.secure) {
      const authn = authenticateByPack(auth, entry, { clientCas: this.#pack!.clientCas, now: at.now });
      if (!authn.ok) {
        const answer = this.#failed(address, authn.answer);
        if (answer === authn.answer && authn.audit !== undefined) {
          // a refused certificate is said in the log (no secret: a certificate is public)
          this.#env.logger.warn(
            { gateway: formatId6(req.router), address, ...authn.audit.detail },
            'CUPS: client certificate refused (site pack)',
          );
          await this.#audit([authn.audit], req.router, address, nowIso);
        }
        return answer;
      }
      credential = authn.credential;
      token = authn.token;
    }
    const limited = this.#routerLimited(hex, credential);
    if (limited !== undefined) return limited;
    if (credential?.kind === 'token' && credential.generation !== entry.seenGeneration) {
      const retired =
        credential.generation > entry.tokenGeneration && credential.generation > (entry.seenGeneration ?? -1);
      await this.#pack!.recordSeen(hex, credential.generation, nowIso);
      if (retired) {
        await this.#audit(
          [{ action: 'token.retire', detail: { generation: credential.generation, via: 'site pack' } }],
          req.router,
          address,
          nowIso,
        );
      }
    }
    const plan = planFromPack(req, entry, this.#pack!.cupsTrust, credential !== undefined, token, nowIso);
    if (plan.kind === 'answer' && plan.firmwareBlocked)
      this.#env.counters.count('cups', 'firmware_no_matching_key');
    if (plan.kind === 'answer' && plan.firmwareKeyCrc !== undefined) {
      // once per setup (SPEC §3.4): claimed, with its report queued for the remote, before it is sent
      const keyCrc = plan.firmwareKeyCrc;
      const sent = await this.#pack!.deliver(entry, keyCrc, { nowIso, package: req.package });
      if (sent !== undefined) {
        plan.response.signature = { keyCrc, sig: sent.signature };
        plan.response.update = sent.image;
        await this.#audit(
          [
            {
              action: 'firmware.sent',
              detail: {
                fwcrc: entry.firmware!.fwcrc,
                keyCrc,
                size: sent.image.length,
                package: req.package,
                via: 'site pack',
              },
            },
          ],
          req.router,
          address,
          nowIso,
        );
      }
    }
    const answer = answerOf(plan.kind === 'not_configured' ? undefined : plan.response);
    this.#record(req, { hex, address, now: at.now, nowIso }, answer.outcome, credential);
    return answer;
  }

  /** 429 when the router's bucket (authenticated or plain HTTP) is empty, else undefined. */
  #routerLimited(hex: string, credential: Credential | undefined): CupsAnswer | undefined {
    const wait = (credential !== undefined ? this.#perRouter : this.#perRouterPlain).take(hex);
    if (wait === 0) return undefined;
    return {
      status: 429,
      reason: 'too many requests for this router',
      outcome: 'rate_limited',
      retryAfter: wait,
    };
  }

  /** `answer` (a failure), or 429 once the address has used up its failure budget. */
  #failed(address: string, answer: CupsAnswer): CupsAnswer {
    const wait = this.#failures.take(address);
    if (wait === 0) return answer;
    return {
      status: 429,
      reason: 'too many failed requests from this address',
      outcome: 'rate_limited',
      retryAfter: wait,
    };
  }

  /** Reads the gateway's state (one indexed read) and caches it unless an invalidation raced the read. */
  async #read(hex: string): Promise<GatewayState> {
    const epoch = this.#states.epoch;
    const state = await this.#env.store.read((tx) => readGatewayState(tx, hex));
    this.#states.fill(hex, state, epoch);
    return state;
  }

  /**
   * Audits what a CUPS answer caused; fully durable, so it also puts the relaxed effect transaction
   * before it on disk: the state change is durable before the station hears about it.
   */
  async #audit(audits: readonly CupsAudit[], router: bigint, address: string, nowIso: string): Promise<void> {
    await this.#env.store.transaction(async (tx) => {
      const audit = new AuditWriter(tx, { principal: CUPS_PRINCIPAL, address }, nowIso);
      for (const a of audits) await audit.queue(a.action, formatId6(router), a.detail);
      await audit.flush();
    });
  }

  /** Records the contact (SPEC §3.6 "Record per gateway") in the contact log. */
  #record(
    req: UpdateInfoRequest,
    at: { hex: string; address: string; now: number; nowIso: string },
    outcome: string,
    credential: Credential | undefined,
  ): void {
    this.contacts.record(
      at.hex,
      {
        at: at.nowIso,
        address: at.address,
        outcome: credential !== undefined ? outcome : `${outcome} (unauthenticated)`,
        station: req.station,
        model: req.model,
        package: req.package,
        cupsUri: req.cupsUri,
        tcUri: req.tcUri,
        cupsCredCrc: req.cupsCredCrc,
        tcCredCrc: req.tcCredCrc,
        keys: req.keys,
        credential: credential?.kind ?? null,
        tokenGeneration: credential?.kind === 'token' ? credential.generation : null,
      },
      at.now,
    );
    if (credential === undefined) this.#env.counters.count('cups', 'unauthenticated');
  }
}
