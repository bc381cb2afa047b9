/**
 * The plan of a CUPS answer (SPEC §3.6): what the answer says and the store effects it needs,
 * decided from the gateway's state without writing anything. An in-sync poll of a cached gateway
 * plans "14 zero bytes, no effects" and touches no store; everything that needs the store is an
 * explicit {@link CupsEffect} that `materialize.ts` runs in one transaction — so the effects are
 * exactly the places a store shared by several server instances must make atomic.
 *
 * The plan reads the store only where deciding needs it: the signature key CRCs of a due firmware
 * (SPEC §3.4: send only a signature the station can verify). Firmware images and signatures are
 * never cached, so a deleted upload is never sent.
 */
import type { UpdateInfoRequest, UpdateInfoResponse } from '../../../src-shared/cups-wire';
import type { Batch } from '../batches';
import type { CertificateIdentity } from '../client-certs/identity';
import type { CoreConfig } from '../config';
import type { GatewayRow } from '../gateways/rows';
import type { SetupDigest } from '../gateways/setup-rows';
import type { Store } from '../ports';
import { intOf } from '../rows';
import type { Credential } from './authenticate';
import { decideUpdate, type DesiredState } from './decide';
import { planRetire, type RetireEffect } from './retire';
import type { CupsTokens, TokenOwner } from './tokens';

/** Remember a client certificate first met at CUPS (issued elsewhere), so it can be revoked by gateway. */
interface RecordCertificateEffect {
  kind: 'record_certificate';
  router: bigint;
  identity: CertificateIdentity;
}

/** Read the stored credential blobs of the setup (rarely needed: only when the station lacks one). */
export interface LoadBlobsEffect {
  kind: 'load_blobs';
  hex: string;
  cupsCred: boolean;
  tcCred: boolean;
}

/** Claim the once-only firmware delivery (SPEC §3.4) and send the image with this key's signature. */
export interface DeliverFirmwareEffect {
  kind: 'deliver_firmware';
  hex: string;
  fwcrc: number;
  fwAfter: string | null;
  keyCrc: number;
  /** the `package` the station reported (kept with the delivery record) */
  package: string | null;
}

/** A store effect a CUPS answer needs; every writing one is a compare-and-set on what the plan saw. */
type CupsEffect = RecordCertificateEffect | RetireEffect | LoadBlobsEffect | DeliverFirmwareEffect;

/** What a CUPS request gets: "not configured" (404), or a 200 answer. */
export interface CupsPlan {
  kind: 'not_configured' | 'answer';
  /** the segments known without the store or the HSM (URIs) */
  response: UpdateInfoResponse;
  /** the server-issued cupsCred to derive through the HSM (no store needed) */
  issueCupsCred: { owner: TokenOwner; generation: number } | undefined;
  /** store effects, in the order they run; empty = no transaction */
  effects: CupsEffect[];
  /** a firmware update is due but none of the station's keys verifies a signature (SPEC §3.4) */
  firmwareBlocked: boolean;
}

/** What {@link planAnswer} decides from. */
interface PlanInput {
  req: UpdateInfoRequest;
  /** the router as 16 hex */
  hex: string;
  row: GatewayRow | undefined;
  setup: SetupDigest | undefined;
  /** the batch that derives the gateway's tokens (undefined for an added gateway) */
  batch: Batch | undefined;
  /** how the request authenticated; undefined = plain HTTP (unauthenticated) */
  credential: Credential | undefined;
  /** the request's time, ISO-8601 */
  nowIso: string;
}

/** Collaborators of {@link planAnswer}. */
export interface PlanDeps {
  store: Store;
  tokens: CupsTokens;
  server: CoreConfig['server'];
}

/** Plans the answer to one authenticated (or plain-HTTP) request (see the module comment). */
export async function planAnswer(input: PlanInput, deps: PlanDeps): Promise<CupsPlan> {
  const { req, hex, row, setup, batch, credential } = input;
  const effects: CupsEffect[] = [];
  if (credential?.kind === 'certificate' && !credential.known) {
    effects.push({ kind: 'record_certificate', router: req.router, identity: credential.identity });
  }
  if (row === undefined || row.ownerId === null || setup === undefined) {
    return {
      kind: 'not_configured',
      response: {},
      issueCupsCred: undefined,
      effects,
      firmwareBlocked: false,
    };
  }
  // the join server stays the gateway's CUPS and issues its cupsCred (SPEC §3.6 last paragraph)
  const serverIssued: TokenOwner | undefined =
    setup.cupsUri === null && row.origin === 'batch' && batch !== undefined && deps.server.trustDer !== null
      ? { hex, id: req.router, batch }
      : undefined;
  // token entries come from the cache without an await; the HSM is asked only on a miss
  const { tokens } = deps;
  const rotating = serverIssued !== undefined && row.tokenTarget > row.tokenGeneration;
  const targetCredCrc = rotating
    ? (tokens.cachedEntry(hex, row.tokenTarget) ?? (await tokens.entry(serverIssued, row.tokenTarget)))
        .credCrc
    : null;
  const retire = planRetire({ row, credential, reportedCupsCredCrc: req.cupsCredCrc, targetCredCrc });
  if (retire.effect !== undefined) effects.push(retire.effect);

  // the desired state (SPEC §3.6): a plain-HTTP request gets URIs only
  const cupsUri = setup.cupsUri ?? batch?.row.cupsUri ?? deps.server.cupsUri;
  const want: DesiredState = {
    cupsUri,
    cupsCredCrc: null,
    lnsUri: setup.lnsUri,
    lnsCredCrc: null,
    firmware: null,
  };
  if (credential !== undefined) {
    want.lnsCredCrc = setup.lnsCrc;
    // a certificate-mode gateway keeps its certificate set: no token is pushed onto it
    if (serverIssued === undefined) want.cupsCredCrc = setup.cupsCrc;
    else if (credential.kind !== 'certificate') {
      const g = retire.target;
      want.cupsCredCrc =
        rotating && g === row.tokenTarget
          ? targetCredCrc
          : (tokens.cachedEntry(hex, g) ?? (await tokens.entry(serverIssued, g))).credCrc;
    }
    if (firmwareDue(setup, input.nowIso)) want.firmware = await firmwareWant(setup.fwCrc!, deps.store);
  }
  const decided = decideUpdate(req, want);

  const response: UpdateInfoResponse = {};
  if (decided.cupsUri !== undefined) response.cupsUri = decided.cupsUri;
  if (decided.tcUri !== undefined) response.tcUri = decided.tcUri;
  const issued = decided.cupsCred && serverIssued !== undefined;
  const storedCups = decided.cupsCred && !issued;
  if (storedCups || decided.tcCred) {
    effects.push({ kind: 'load_blobs', hex, cupsCred: storedCups, tcCred: decided.tcCred });
  }
  if (decided.firmwareKeyCrc !== undefined && setup.fwCrc !== null) {
    effects.push({
      kind: 'deliver_firmware',
      hex,
      fwcrc: setup.fwCrc,
      fwAfter: setup.fwAfter,
      keyCrc: decided.firmwareKeyCrc,
      package: req.package,
    });
  }
  return {
    kind: 'answer',
    response,
    issueCupsCred: issued ? { owner: serverIssued, generation: retire.target } : undefined,
    effects,
    firmwareBlocked: decided.firmwareBlocked,
  };
}

/** A firmware is set up, not yet delivered for this setup, and its `fwafter` has passed (SPEC §3.4). */
function firmwareDue(setup: SetupDigest, nowIso: string): boolean {
  return (
    setup.fwCrc !== null && setup.fwSentAt === null && (setup.fwAfter === null || setup.fwAfter <= nowIso)
  );
}

/** The due firmware with the CRCs of the keys its uploaded signatures verify with (one store read). */
async function firmwareWant(fwcrc: number, store: Store): Promise<DesiredState['firmware']> {
  const rows = await store.read((tx) =>
    tx.all('SELECT key_crc FROM firmware_signatures WHERE fwcrc = ? ORDER BY key_crc', [fwcrc]),
  );
  return { fwcrc, keyCrcs: rows.map((r) => intOf(r, 'key_crc')), due: true, sent: false };
}
