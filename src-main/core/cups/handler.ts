/**
 * The Gateway API `POST /update-info` (SPEC §3.1, §3.6) behind the HTTP door.
 *
 * Order: rate limits (per address, then per router → 429); authentication; configuration (not
 * claimed or never set up → 404 "not configured"); the answer from {@link decideUpdate}; the contact
 * record. Authentication, by what the connection carries (SPEC §3.1):
 * - TLS + a client certificate the TLS layer verified against the configured client CAs: the
 *   certificate must name exactly the request's `router`, allow clientAuth and not be revoked
 *   (`client-certs/service.ts`); otherwise 403, audited. A presented certificate that did not
 *   verify is 403 too. Such a gateway is never sent a server-issued token cupsCred (the server
 *   does not hold its private key; it keeps its certificate set).
 * - TLS + `Authorization` header: a batch gateway must present `Bearer <token>` of generation g or
 *   g + 1 (SPEC §2), an added gateway the token it was added with; otherwise 401. g is retired (the
 *   rotation completed) when the gateway authenticates with g + 1, or while a rotation is in flight
 *   reports the CRC of the cupsCred carrying g + 1; until then both are accepted, so a gateway that
 *   never picks up g + 1 keeps working with g.
 * - TLS with neither (server-auth only, e.g. a token-less bootstrap): 401.
 * - plain HTTP: a station never sends a credential there, so the request is unauthenticated; it
 *   gets URIs only — never a credential segment, never firmware, whatever the setup says — and
 *   its contact is recorded as unauthenticated. Credentials travel only inside TLS.
 *
 * Hot path: the gateway's state (row + setup digest) comes from a {@link GatewayStateCache}, tokens
 * are checked against cached SHA-256 digests (the HSM is only asked on a cache miss), the answer is
 * decided by CRC comparison, and the contact goes to the in-memory {@link ContactLog} — an in-sync
 * poll of a cached gateway touches no store. The answer is first computed without the store; where
 * it needs one (state not cached, a client certificate to look up, a generation to retire,
 * firmware due, a stored credential blob to send), it is computed again from the start inside one
 * relaxed-durability transaction that reads the state afresh. State changes (generation retired,
 * firmware delivered once) are audited in a following fully durable transaction, which also puts
 * them on disk before the station is answered.
 */
import { crc32 } from '../../../src-shared/crc32';
import {
  encodeUpdateInfoResponse,
  tokenBlob,
  type UpdateInfoRequest,
  type UpdateInfoResponse,
} from '../../../src-shared/cups-wire';
import { DomainError } from '../../../src-shared/errors';
import { euiHex, formatId6 } from '../../../src-shared/ids';
import type { CupsAnswer, CupsAuth, CupsService, Principal } from '../api';
import { AuditWriter } from '../audit';
import type { Batch, Batches } from '../batches';
import { refusalAudit, type ClientCertificates } from '../client-certs/service';
import type { CertificateIdentity } from '../client-certs/identity';
import { digestsEqual, sha256 } from '../digest';
import { isoAt, type CoreEnv } from '../env';
import { gatewayRowOf, GATEWAY_COLUMNS, type GatewayRow } from '../gateways/rows';
import { sideBlob, type StoredSide } from '../gateways/setup-merge';
import { loadSetups, setupDigestOf, SETUP_DIGEST_COLUMNS, type SetupDigest } from '../gateways/setup-rows';
import { recordDelivery } from '../firmware/delivery';
import { recordRotationDone, type RotationCompletion } from '../rotation/history';
import { cupsKeyFileContent, cupsTokenFromGmk, deriveGmk, MAX_TOKEN_GENERATION } from '../kdf';
import { RateLimiter } from '../rate-limit';
import type { Tx } from '../ports';
import { bytesOrNull, intOf } from '../rows';
import type { ContactLog } from './contact-log';
import { decideUpdate, isInSync, type DesiredState, type UpdatePlan } from './decide';
import { GatewayStateCache, type GatewayState } from './state-cache';
import { TokenCache, type TokenEntry } from './token-cache';

/** The principal CUPS-driven state changes are audited under. */
export const CUPS_PRINCIPAL: Principal = { kind: 'system', id: 'cups', ownerId: null, scopes: new Set() };

const BEARER = /^Bearer +([A-Za-z0-9_-]{43})$/;

/** Length of the answer that changes nothing (SPEC §3.2). */
const NO_CHANGE_BYTES = 14;

/**
 * Result of authentication: which token generation matched (-1 for an added gateway's token), or
 * the client certificate (generation undefined).
 */
type Authn =
  | { ok: true; generation: number | undefined; cert?: { identity: CertificateIdentity; known: boolean } }
  | { ok: false; answer: CupsAnswer };

/** An audit entry a CUPS answer causes (target: the gateway). */
interface AuditItem {
  action: string;
  detail: Record<string, unknown>;
}

/** One request on its way through the handler. */
interface Work {
  req: UpdateInfoRequest;
  auth: CupsAuth;
  address: string;
  /** the router as 16 hex digits */
  hex: string;
  /** the batch whose range holds the router */
  rangeBatch: Batch | undefined;
  /** the request's time (clock ms) and its ISO text */
  now: number;
  nowIso: string;
  audits: AuditItem[];
  /** the gateway's row or setup was written: its cached state is stale */
  changed: boolean;
}

/** An answer and, where the contact is recorded, its outcome. */
interface Answered {
  answer: CupsAnswer;
  contact?: { outcome: string; authenticated: boolean };
}

/**
 * Thrown where the answer computed without the store turns out to need it; the handler then
 * computes it again inside a transaction. Allocated once: it never escapes the handler.
 */
const STORE_NEEDED = new Error('cups: the answer needs the store');

/** The transaction, or {@link STORE_NEEDED} when the answer is computed without one. */
function need(tx: Tx | undefined): Tx {
  if (tx === undefined) throw STORE_NEEDED;
  return tx;
}

/** The gateway's state as CUPS reads it (SPEC §3.6): one indexed read, no credential bytes. */
async function readState(tx: Tx, hex: string): Promise<GatewayState> {
  const found = await tx.get(
    `SELECT ${GATEWAY_COLUMNS}, ${SETUP_DIGEST_COLUMNS}
     FROM gateways g LEFT JOIN setups s ON s.eui = g.eui WHERE g.eui = ?`,
    [hex],
  );
  return found === undefined
    ? { row: undefined, setup: undefined }
    : { row: gatewayRowOf(found), setup: setupDigestOf(found) };
}

/**
 * CUPS request handling. `forget` drops what is cached of a gateway (call it after every write to
 * its row or setup); `close` writes the pending contacts.
 */
export class CupsHandler implements CupsService {
  readonly #tokens: TokenCache;
  readonly #states: GatewayStateCache;
  readonly #perRouter: RateLimiter;
  readonly #perAddress: RateLimiter;
  #closed = false;
  /** the last request time and its ISO text (polls arriving in the same millisecond share it) */
  #isoOf = { ms: Number.NaN, iso: '' };

  constructor(
    private readonly env: CoreEnv,
    private readonly batches: Batches,
    private readonly clientCerts: ClientCertificates,
    /** the last contact per gateway (also read by `info`) */
    readonly contacts: ContactLog,
  ) {
    const now = () => env.clock.now();
    this.#tokens = new TokenCache(env.config.tokenCacheEntries);
    this.#states = new GatewayStateCache(env.config.cupsStateCacheEntries);
    this.#perRouter = new RateLimiter(env.config.cupsRateLimit.perRouter, now);
    this.#perAddress = new RateLimiter(env.config.cupsRateLimit.perAddress, now);
  }

  /**
   * Forgets the cached state and token digests of a gateway: its row or setup changed (claim,
   * setup, delete, add, rotation) or is about to.
   */
  forget(hex: string): void {
    this.#states.invalidate(hex);
    this.#tokens.forget(hex);
  }

  /** Refuses further requests and writes the pending contacts (before the store closes). */
  async close(): Promise<void> {
    this.#closed = true;
    this.#states.clear();
    await this.contacts.close();
  }

  /**
   * Answer to a request the door could not parse (SPEC §3.6 → 400), counted like every outcome;
   * the address is rate-limited all the same.
   */
  badRequest(reason: string, address: string): CupsAnswer {
    const wait = this.#perAddress.take(address);
    const answer: CupsAnswer =
      wait > 0
        ? {
            status: 429,
            reason: 'too many requests from this address',
            outcome: 'rate_limited',
            retryAfter: wait,
          }
        : { status: 400, reason, outcome: 'bad_request' };
    this.env.counters.count('cups', answer.outcome);
    return answer;
  }

  /** Answers one `update-info` request (SPEC §3.6). */
  async updateInfo(request: UpdateInfoRequest, auth: CupsAuth, address: string): Promise<CupsAnswer> {
    const answer = await this.#handle(request, auth, address);
    this.env.counters.count('cups', answer.outcome);
    return answer;
  }

  async #handle(req: UpdateInfoRequest, auth: CupsAuth, address: string): Promise<CupsAnswer> {
    if (this.#closed) throw new DomainError('internal', 'cups: the core is closed');
    let wait = this.#perAddress.take(address);
    if (wait > 0) {
      return {
        status: 429,
        reason: 'too many requests from this address',
        outcome: 'rate_limited',
        retryAfter: wait,
      };
    }
    const hex = euiHex(req.router);
    wait = this.#perRouter.take(hex);
    if (wait > 0) {
      return {
        status: 429,
        reason: 'too many requests for this router',
        outcome: 'rate_limited',
        retryAfter: wait,
      };
    }
    // looked up first: a directory miss reads the store itself
    const rangeBatch = await this.batches.batchOf(req.router);
    const now = this.env.clock.now();
    if (this.#isoOf.ms !== now) this.#isoOf = { ms: now, iso: isoAt(now) };
    const w: Work = {
      req,
      auth,
      address,
      hex,
      rangeBatch,
      now,
      nowIso: this.#isoOf.iso,
      audits: [],
      changed: false,
    };
    let done: Answered | undefined;
    const cached = this.#states.get(hex);
    if (cached !== undefined) {
      try {
        done = await this.#answer(undefined, cached, w);
      } catch (e) {
        if (e !== STORE_NEEDED) throw e;
        w.audits = [];
      }
    }
    if (done === undefined) {
      const epoch = this.#states.epoch;
      let state: GatewayState | undefined;
      done = await this.env.store.transaction(
        async (tx) => {
          state = await readState(tx, hex);
          return this.#answer(tx, state, w);
        },
        { durability: 'relaxed' },
      );
      if (w.changed) this.#states.invalidate(hex);
      else if (state !== undefined) this.#states.fill(hex, state, epoch);
    }
    if (w.audits.length > 0) {
      // a fully durable record also makes the relaxed one before it durable: the state change is
      // on disk before the station hears about it
      await this.env.store.transaction(async (tx) => {
        const audit = new AuditWriter(tx, { principal: CUPS_PRINCIPAL, address }, w.nowIso);
        for (const a of w.audits) await audit.queue(a.action, formatId6(req.router), a.detail);
        await audit.flush();
      });
    }
    if (done.contact !== undefined) this.#record(w, done.contact.outcome, done.contact.authenticated);
    return done.answer;
  }

  /**
   * Everything after the rate limits. Without `tx` (the state came from the cache) it throws
   * {@link STORE_NEEDED} where the store is needed, before any effect.
   */
  async #answer(tx: Tx | undefined, state: GatewayState, w: Work): Promise<Answered> {
    const { req, auth, hex } = w;
    const { row, setup } = state;
    const batch = row?.origin === 'added' ? undefined : w.rangeBatch;

    let generation: number | undefined;
    let authenticated = false;
    let cert: { identity: CertificateIdentity; known: boolean } | undefined;
    if (auth.secure) {
      const authn = await this.#authenticate(tx, hex, req.router, row, batch, auth, w.audits);
      if (!authn.ok) return { answer: authn.answer };
      generation = authn.generation;
      cert = authn.cert;
      authenticated = true;
    } else if (row === undefined) {
      return { answer: { status: 404, reason: 'not configured', outcome: 'not_configured' } };
    }
    if (cert !== undefined && !cert.known) {
      // a certificate issued elsewhere: remember it, so revoking "every certificate of the gateway" covers it
      await this.clientCerts.recordSeen(need(tx), req.router, cert.identity, w.nowIso);
    }

    if (row === undefined || row.ownerId === null || setup === undefined) {
      return {
        answer: { status: 404, reason: 'not configured', outcome: 'not_configured' },
        contact: { outcome: 'not_configured', authenticated },
      };
    }

    const target = await this.#retire(tx, row, setup, batch, generation, w);
    const want = await this.#desired(tx, row, setup, batch, target, authenticated, cert !== undefined, w);
    const plan = decideUpdate(req, want);
    if (plan.firmwareBlocked) this.env.counters.count('cups', 'firmware_no_matching_key');
    const outcome = isInSync(plan) ? 'in_sync' : 'updated';
    // nothing to send is exactly 14 zero bytes (SPEC §3.2)
    const body =
      outcome === 'in_sync'
        ? new Uint8Array(NO_CHANGE_BYTES)
        : encodeUpdateInfoResponse(await this.#materialize(tx, plan, setup, batch, target, w));
    return { answer: { status: 200, body, outcome }, contact: { outcome, authenticated } };
  }

  /**
   * Retires generation g when the gateway shows it holds a newer one (SPEC §2): it authenticated
   * with g + 1, or — a rotation in flight — it reports the CRC of the cupsCred carrying the target
   * generation. Returns the generation the desired cupsCred carries.
   */
  async #retire(
    tx: Tx | undefined,
    row: GatewayRow,
    setup: SetupDigest,
    batch: Batch | undefined,
    generation: number | undefined,
    w: Work,
  ): Promise<number> {
    const { req } = w;
    if (row.origin !== 'batch') return row.tokenTarget;
    const g = row.tokenGeneration;
    let to: number | undefined;
    let how: RotationCompletion = 'auth';
    if (generation === g + 1) {
      to = generation;
    } else if (row.tokenTarget > g && this.#serverIssuesCupsCred(row, setup, batch)) {
      const gens = [row.tokenTarget];
      const [entry] = this.#cached(row.eui, gens) ?? (await this.#derive(row.eui, req.router, batch, gens));
      if (entry!.credCrc !== null && entry!.credCrc === req.cupsCredCrc) {
        to = row.tokenTarget;
        how = 'crc';
      }
    }
    if (to === undefined) return row.tokenTarget;
    const target = Math.max(row.tokenTarget, to);
    const store = need(tx);
    w.changed = true;
    const { changes } = await store.run(
      'UPDATE gateways SET token_generation = ?, token_target = ? WHERE eui = ? AND token_generation = ?',
      [to, target, row.eui, g],
    );
    if (changes > 0) {
      await recordRotationDone(store, row.eui, g, to, how, w.nowIso);
      w.audits.push({ action: 'token.retire', detail: { retired: g, current: to, how } });
    }
    return target;
  }

  async #authenticate(
    tx: Tx | undefined,
    hex: string,
    id: bigint,
    row: GatewayRow | undefined,
    batch: Batch | undefined,
    auth: CupsAuth,
    audits: AuditItem[],
  ): Promise<Authn> {
    if (auth.clientCertificate !== undefined) {
      const c = await this.clientCerts.authenticate(need(tx), auth.clientCertificate, id);
      if (!c.ok) {
        audits.push({ action: 'cups.certificate_refused', detail: refusalAudit(c.reason, c.identity) });
        return { ok: false, answer: { status: 403, reason: c.reason, outcome: c.outcome } };
      }
      return { ok: true, generation: undefined, cert: { identity: c.identity, known: c.known } };
    }
    if (auth.clientCertificateRejected !== undefined) {
      audits.push({
        action: 'cups.certificate_refused',
        detail: refusalAudit(`not trusted: ${auth.clientCertificateRejected}`, undefined),
      });
      return {
        ok: false,
        answer: {
          status: 403,
          reason: `client certificate not trusted (${auth.clientCertificateRejected})`,
          outcome: 'cert_untrusted',
        },
      };
    }
    const header = auth.authorization;
    if (header === undefined || header === '') {
      return {
        ok: false,
        answer: { status: 401, reason: 'authentication required', outcome: 'unauthorized' },
      };
    }
    const rejected: Authn = {
      ok: false,
      answer: { status: 401, reason: 'invalid token', outcome: 'unauthorized' },
    };
    if (row?.origin === 'added') {
      return row.tokenHash !== null && digestsEqual(sha256(header), row.tokenHash)
        ? { ok: true, generation: -1 }
        : rejected;
    }
    const m = BEARER.exec(header);
    if (batch === undefined || m === null) return rejected;
    const g = row?.tokenGeneration ?? 0;
    const generations = g < MAX_TOKEN_GENERATION ? [g, g + 1] : [g];
    const entries = this.#cached(hex, generations) ?? (await this.#derive(hex, id, batch, generations));
    const presented = sha256(m[1]!);
    // compare with every accepted generation: timing says nothing about which one matched
    const matches = entries.map((e) => digestsEqual(presented, e.digest));
    const at = matches.indexOf(true);
    return at < 0 ? rejected : { ok: true, generation: generations[at]! };
  }

  /**
   * Token entries of the given generations from the cache, or undefined when one is missing.
   * Synchronous: the in-sync poll awaits nothing here ({@link #derive} only on a miss).
   */
  #cached(hex: string, generations: readonly number[]): TokenEntry[] | undefined {
    const found: TokenEntry[] = [];
    for (const g of generations) {
      const e = this.#tokens.get(hex, g);
      if (e === undefined) return undefined;
      found.push(e);
    }
    return found;
  }

  /** Token entries of the given generations; one HSM call derives every missing one. */
  async #derive(
    hex: string,
    id: bigint,
    batch: Batch,
    generations: readonly number[],
  ): Promise<TokenEntry[]> {
    const found = generations.map((g) => this.#tokens.get(hex, g));
    if (found.every((e) => e !== undefined)) return found;
    const gmk = await deriveGmk(this.env.hsm, batch.brkHandle, id);
    try {
      return generations.map((g, i) => {
        const hit = found[i];
        if (hit !== undefined) return hit;
        const token = cupsTokenFromGmk(gmk, g);
        const entry: TokenEntry = { digest: sha256(token), credCrc: this.#serverCredCrc(token) };
        this.#tokens.set(hex, g, entry);
        return entry;
      });
    } finally {
      gmk.fill(0);
    }
  }

  #serverCredCrc(token: string): number | null {
    const trust = this.env.config.server.trustDer;
    return trust === null ? null : crc32(tokenBlob(trust, cupsKeyFileContent(token)));
  }

  /** True when the join server issues this gateway's cupsCred (SPEC §3.6 last paragraph). */
  #serverIssuesCupsCred(row: GatewayRow, setup: SetupDigest, batch: Batch | undefined): batch is Batch {
    return (
      setup.cupsUri === null &&
      row.origin === 'batch' &&
      batch !== undefined &&
      this.env.config.server.trustDer !== null
    );
  }

  async #desired(
    tx: Tx | undefined,
    row: GatewayRow,
    setup: SetupDigest,
    batch: Batch | undefined,
    target: number,
    authenticated: boolean,
    byCertificate: boolean,
    w: Work,
  ): Promise<DesiredState> {
    const { hex } = w;
    const id = w.req.router;
    const cupsUri = setup.cupsUri ?? batch?.row.cupsUri ?? this.env.config.server.cupsUri;
    if (!authenticated) {
      return { cupsUri, cupsCredCrc: null, lnsUri: setup.lnsUri, lnsCredCrc: null, firmware: null };
    }
    let cupsCredCrc = setup.cupsCrc;
    if (this.#serverIssuesCupsCred(row, setup, batch)) {
      // a certificate-mode gateway keeps its certificate set: no token is pushed onto it
      if (byCertificate) cupsCredCrc = null;
      else {
        const gens = [target];
        const [entry] = this.#cached(hex, gens) ?? (await this.#derive(hex, id, batch, gens));
        cupsCredCrc = entry!.credCrc;
      }
    }
    let firmware: DesiredState['firmware'] = null;
    if (
      setup.fwCrc !== null &&
      setup.fwSentAt === null &&
      (setup.fwAfter === null || setup.fwAfter <= w.nowIso)
    ) {
      const rows = await need(tx).all(
        'SELECT key_crc FROM firmware_signatures WHERE fwcrc = ? ORDER BY key_crc',
        [setup.fwCrc],
      );
      firmware = {
        fwcrc: setup.fwCrc,
        keyCrcs: rows.map((r) => intOf(r, 'key_crc')),
        due: true,
        sent: false,
      };
    }
    return { cupsUri, cupsCredCrc, lnsUri: setup.lnsUri, lnsCredCrc: setup.lnsCrc, firmware };
  }

  /**
   * Builds the answer's segments: stored blobs are read only now (rarely needed), the server-issued
   * cupsCred is derived through the HSM, and the once-only firmware delivery is claimed.
   */
  async #materialize(
    tx: Tx | undefined,
    plan: UpdatePlan,
    setup: SetupDigest,
    batch: Batch | undefined,
    target: number,
    w: Work,
  ): Promise<UpdateInfoResponse> {
    const { req, address, hex } = w;
    const id = req.router;
    const r: UpdateInfoResponse = {};
    if (plan.cupsUri !== undefined) r.cupsUri = plan.cupsUri;
    if (plan.tcUri !== undefined) r.tcUri = plan.tcUri;
    const serverCred = plan.cupsCred && setup.cupsUri === null;
    if (plan.tcCred || (plan.cupsCred && !serverCred)) {
      const stored = (await loadSetups(need(tx), [hex])).get(hex);
      if (stored === undefined) throw new Error(`setup of ${hex} vanished while answering`);
      if (plan.cupsCred && !serverCred) r.cupsCred = sideBlobOf(stored.cups);
      if (plan.tcCred) r.tcCred = sideBlobOf(stored.lns);
    }
    if (serverCred) {
      const trust = this.env.config.server.trustDer!;
      const gmk = await deriveGmk(this.env.hsm, batch!.brkHandle, id);
      try {
        r.cupsCred = tokenBlob(trust, cupsKeyFileContent(cupsTokenFromGmk(gmk, target)));
      } finally {
        gmk.fill(0);
      }
    }
    const keyCrc = plan.firmwareKeyCrc;
    if (keyCrc !== undefined && setup.fwCrc !== null) {
      const sentAt = w.nowIso;
      const store = need(tx);
      w.changed = true;
      const fw = await claimFirmware(store, hex, setup.fwCrc, keyCrc, sentAt);
      if (fw !== undefined) {
        r.signature = { keyCrc, sig: fw.signature };
        r.update = fw.image;
        await recordDelivery(store, {
          eui: hex,
          sentAt,
          fwcrc: setup.fwCrc,
          fwAfter: setup.fwAfter,
          keyCrc,
          package: req.package,
          address,
        });
        w.audits.push({
          action: 'firmware.sent',
          detail: { fwcrc: setup.fwCrc, keyCrc, size: fw.image.length, package: req.package },
        });
      }
    }
    return r;
  }

  /** Records the contact (SPEC §3.6 "Record per gateway") in the contact log. */
  #record(w: Work, outcome: string, authenticated: boolean): void {
    const { req } = w;
    this.contacts.record(
      w.hex,
      {
        at: w.nowIso,
        address: w.address,
        outcome: authenticated ? outcome : `${outcome} (unauthenticated)`,
        station: req.station,
        model: req.model,
        package: req.package,
        cupsUri: req.cupsUri,
        tcUri: req.tcUri,
        cupsCredCrc: req.cupsCredCrc,
        tcCredCrc: req.tcCredCrc,
        keys: req.keys,
      },
      w.now,
    );
    if (!authenticated) this.env.counters.count('cups', 'unauthenticated');
  }
}

/**
 * Marks the firmware as delivered for this setup and returns image and signature, or undefined
 * when it was delivered before (SPEC §3.4: once per setup).
 */
async function claimFirmware(
  tx: Tx,
  hex: string,
  fwcrc: number,
  keyCrc: number,
  at: string,
): Promise<{ image: Uint8Array; signature: Uint8Array } | undefined> {
  const { changes } = await tx.run(
    'UPDATE setups SET fw_sent_at = ? WHERE eui = ? AND fw_crc = ? AND fw_sent_at IS NULL',
    [at, hex, fwcrc],
  );
  if (changes === 0) return undefined;
  const fw = await tx.get(
    `SELECT f.image, s.signature FROM firmware f JOIN firmware_signatures s ON s.fwcrc = f.fwcrc
     WHERE f.fwcrc = ? AND s.key_crc = ?`,
    [fwcrc, keyCrc],
  );
  const image = fw === undefined ? null : bytesOrNull(fw, 'image');
  const signature = fw === undefined ? null : bytesOrNull(fw, 'signature');
  if (image === null || signature === null) throw new Error(`firmware ${fwcrc} vanished during delivery`);
  return { image, signature };
}

function sideBlobOf(side: StoredSide): Uint8Array {
  const blob = sideBlob(side);
  if (blob === null) throw new Error('a credential was planned for a side without one');
  return blob;
}
