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
 * Hot path: one relaxed-durability transaction holding one indexed read (no credential bytes),
 * token checks against cached SHA-256 digests (the HSM is only asked on a cache miss), CRC
 * comparisons and the contact write. State changes (generation retired, firmware delivered once)
 * are audited in a following fully durable transaction, which also puts them on disk before the
 * station is answered.
 */
import { crc32 } from '../../../src-shared/crc32';
import {
  encodeUpdateInfoResponse,
  tokenBlob,
  type UpdateInfoRequest,
  type UpdateInfoResponse,
} from '../../../src-shared/cups-wire';
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
import { saveContact } from './contacts';
import { decideUpdate, isInSync, type DesiredState, type UpdatePlan } from './decide';
import { TokenCache, type TokenEntry } from './token-cache';

/** The principal CUPS-driven state changes are audited under. */
export const CUPS_PRINCIPAL: Principal = { kind: 'system', id: 'cups', ownerId: null, scopes: new Set() };

const BEARER = /^Bearer +([A-Za-z0-9_-]{43})$/;

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

/** CUPS request handling; `forget` drops cached token digests of a gateway. */
export class CupsHandler implements CupsService {
  readonly #tokens: TokenCache;
  readonly #perRouter: RateLimiter;
  readonly #perAddress: RateLimiter;

  constructor(
    private readonly env: CoreEnv,
    private readonly batches: Batches,
    private readonly clientCerts: ClientCertificates,
  ) {
    const now = () => env.clock.now();
    this.#tokens = new TokenCache(env.config.tokenCacheEntries);
    this.#perRouter = new RateLimiter(env.config.cupsRateLimit.perRouter, now);
    this.#perAddress = new RateLimiter(env.config.cupsRateLimit.perAddress, now);
  }

  /** Forgets cached token digests of a gateway (after delete, setup or rotation). */
  forget(hex: string): void {
    this.#tokens.forget(hex);
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
    // looked up before the transaction: a directory miss reads the store itself
    const batch = await this.batches.batchOf(req.router);
    const audits: AuditItem[] = [];
    const answer = await this.env.store.transaction(
      (tx) => this.#answer(tx, req, auth, address, hex, batch, audits),
      { durability: 'relaxed' },
    );
    if (audits.length > 0) {
      // a fully durable record also makes the relaxed one before it durable: the state change is
      // on disk before the station hears about it
      await this.env.store.transaction(async (tx) => {
        const audit = new AuditWriter(
          tx,
          { principal: CUPS_PRINCIPAL, address },
          isoAt(this.env.clock.now()),
        );
        for (const a of audits) await audit.queue(a.action, formatId6(req.router), a.detail);
        await audit.flush();
      });
    }
    return answer;
  }

  /** Everything after the rate limits, in one relaxed-durability transaction. */
  async #answer(
    tx: Tx,
    req: UpdateInfoRequest,
    auth: CupsAuth,
    address: string,
    hex: string,
    rangeBatch: Batch | undefined,
    audits: AuditItem[],
  ): Promise<CupsAnswer> {
    const found = await tx.get(
      `SELECT ${GATEWAY_COLUMNS}, ${SETUP_DIGEST_COLUMNS}
       FROM gateways g LEFT JOIN setups s ON s.eui = g.eui WHERE g.eui = ?`,
      [hex],
    );
    const row = found === undefined ? undefined : gatewayRowOf(found);
    const setup = found === undefined ? undefined : setupDigestOf(found);
    const batch = row?.origin === 'added' ? undefined : rangeBatch;

    let generation: number | undefined;
    let authenticated = false;
    let cert: { identity: CertificateIdentity; known: boolean } | undefined;
    if (auth.secure) {
      const authn = await this.#authenticate(tx, hex, req.router, row, batch, auth, audits);
      if (!authn.ok) return authn.answer;
      generation = authn.generation;
      cert = authn.cert;
      authenticated = true;
    } else if (row === undefined) {
      return { status: 404, reason: 'not configured', outcome: 'not_configured' };
    }
    if (cert !== undefined && !cert.known) {
      // a certificate issued elsewhere: remember it, so revoking "every certificate of the gateway" covers it
      await this.clientCerts.recordSeen(tx, req.router, cert.identity, isoAt(this.env.clock.now()));
    }

    if (row === undefined || row.ownerId === null || setup === undefined) {
      await this.#record(tx, hex, req, address, 'not_configured', authenticated);
      return { status: 404, reason: 'not configured', outcome: 'not_configured' };
    }

    const target = await this.#retire(tx, req, row, setup, batch, generation, audits);
    const want = await this.#desired(
      tx,
      hex,
      req.router,
      row,
      setup,
      batch,
      target,
      authenticated,
      cert !== undefined,
    );
    const plan = decideUpdate(req, want);
    if (plan.firmwareBlocked) this.env.counters.count('cups', 'firmware_no_matching_key');
    const response = await this.#materialize(tx, req, address, plan, setup, batch, target, audits);
    const outcome = isInSync(plan) ? 'in_sync' : 'updated';
    const body = encodeUpdateInfoResponse(response);
    await this.#record(tx, hex, req, address, outcome, authenticated);
    return { status: 200, body, outcome };
  }

  /**
   * Retires generation g when the gateway shows it holds a newer one (SPEC §2): it authenticated
   * with g + 1, or — a rotation in flight — it reports the CRC of the cupsCred carrying the target
   * generation. Returns the generation the desired cupsCred carries.
   */
  async #retire(
    tx: Tx,
    req: UpdateInfoRequest,
    row: GatewayRow,
    setup: SetupDigest,
    batch: Batch | undefined,
    generation: number | undefined,
    audits: AuditItem[],
  ): Promise<number> {
    if (row.origin !== 'batch') return row.tokenTarget;
    const g = row.tokenGeneration;
    let to: number | undefined;
    let how: RotationCompletion = 'auth';
    if (generation === g + 1) {
      to = generation;
    } else if (row.tokenTarget > g && this.#serverIssuesCupsCred(row, setup, batch)) {
      const [entry] = await this.#entries(row.eui, req.router, batch, [row.tokenTarget]);
      if (entry!.credCrc !== null && entry!.credCrc === req.cupsCredCrc) {
        to = row.tokenTarget;
        how = 'crc';
      }
    }
    if (to === undefined) return row.tokenTarget;
    const target = Math.max(row.tokenTarget, to);
    const { changes } = await tx.run(
      'UPDATE gateways SET token_generation = ?, token_target = ? WHERE eui = ? AND token_generation = ?',
      [to, target, row.eui, g],
    );
    if (changes > 0) {
      await recordRotationDone(tx, row.eui, g, to, how, isoAt(this.env.clock.now()));
      audits.push({ action: 'token.retire', detail: { retired: g, current: to, how } });
    }
    return target;
  }

  async #authenticate(
    tx: Tx,
    hex: string,
    id: bigint,
    row: GatewayRow | undefined,
    batch: Batch | undefined,
    auth: CupsAuth,
    audits: AuditItem[],
  ): Promise<Authn> {
    if (auth.clientCertificate !== undefined) {
      const c = await this.clientCerts.authenticate(tx, auth.clientCertificate, id);
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
    const entries = await this.#entries(hex, id, batch, generations);
    const presented = sha256(m[1]!);
    // compare with every accepted generation: timing says nothing about which one matched
    const matches = entries.map((e) => digestsEqual(presented, e.digest));
    const at = matches.indexOf(true);
    return at < 0 ? rejected : { ok: true, generation: generations[at]! };
  }

  /** Cached token entries of the given generations; one HSM call derives every missing one. */
  async #entries(
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
    tx: Tx,
    hex: string,
    id: bigint,
    row: GatewayRow,
    setup: SetupDigest,
    batch: Batch | undefined,
    target: number,
    authenticated: boolean,
    byCertificate: boolean,
  ): Promise<DesiredState> {
    const cupsUri = setup.cupsUri ?? batch?.row.cupsUri ?? this.env.config.server.cupsUri;
    if (!authenticated) {
      return { cupsUri, cupsCredCrc: null, lnsUri: setup.lnsUri, lnsCredCrc: null, firmware: null };
    }
    let cupsCredCrc = setup.cupsCrc;
    if (this.#serverIssuesCupsCred(row, setup, batch)) {
      // a certificate-mode gateway keeps its certificate set: no token is pushed onto it
      if (byCertificate) cupsCredCrc = null;
      else {
        const [entry] = await this.#entries(hex, id, batch, [target]);
        cupsCredCrc = entry!.credCrc;
      }
    }
    let firmware: DesiredState['firmware'] = null;
    const nowIso = isoAt(this.env.clock.now());
    if (
      setup.fwCrc !== null &&
      setup.fwSentAt === null &&
      (setup.fwAfter === null || setup.fwAfter <= nowIso)
    ) {
      const rows = await tx.all('SELECT key_crc FROM firmware_signatures WHERE fwcrc = ? ORDER BY key_crc', [
        setup.fwCrc,
      ]);
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
    tx: Tx,
    req: UpdateInfoRequest,
    address: string,
    plan: UpdatePlan,
    setup: SetupDigest,
    batch: Batch | undefined,
    target: number,
    audits: AuditItem[],
  ): Promise<UpdateInfoResponse> {
    const id = req.router;
    const hex = euiHex(id);
    const r: UpdateInfoResponse = {};
    if (plan.cupsUri !== undefined) r.cupsUri = plan.cupsUri;
    if (plan.tcUri !== undefined) r.tcUri = plan.tcUri;
    const serverCred = plan.cupsCred && setup.cupsUri === null;
    if (plan.tcCred || (plan.cupsCred && !serverCred)) {
      const stored = (await loadSetups(tx, [hex])).get(hex);
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
      const sentAt = isoAt(this.env.clock.now());
      const fw = await claimFirmware(tx, hex, setup.fwCrc, keyCrc, sentAt);
      if (fw !== undefined) {
        r.signature = { keyCrc, sig: fw.signature };
        r.update = fw.image;
        await recordDelivery(tx, {
          eui: hex,
          sentAt,
          fwcrc: setup.fwCrc,
          fwAfter: setup.fwAfter,
          keyCrc,
          package: req.package,
          address,
        });
        audits.push({
          action: 'firmware.sent',
          detail: { fwcrc: setup.fwCrc, keyCrc, size: fw.image.length, package: req.package },
        });
      }
    }
    return r;
  }

  /** Records the contact (SPEC §3.6 "Record per gateway"). */
  async #record(
    tx: Tx,
    hex: string,
    req: UpdateInfoRequest,
    address: string,
    outcome: string,
    authenticated: boolean,
  ): Promise<void> {
    await saveContact(tx, hex, {
      at: isoAt(this.env.clock.now()),
      address,
      outcome: authenticated ? outcome : `${outcome} (unauthenticated)`,
      station: req.station,
      model: req.model,
      package: req.package,
      cupsUri: req.cupsUri,
      tcUri: req.tcUri,
      cupsCredCrc: req.cupsCredCrc,
      tcCredCrc: req.tcCredCrc,
      keys: req.keys,
    });
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
