/**
 * The key ceremony between twin HSMs and the custodian backup (docs/twin-hsm.md), admin only:
 *
 * 1. receiving side: {@link Ceremony.createTransportKey} → transport.pub;
 * 2. sending side: {@link Ceremony.exportBatch} wraps the batch root key inside its HSM to it;
 * 3. receiving side: {@link Ceremony.importBatch} unwraps inside its HSM into a non-exportable key,
 *    checks the KCV and the file MAC under the staged key, and only then creates the batch — so a
 *    wrong KCV, a tampered file, a file for another transport key or an overlapping range changes
 *    nothing;
 * 4. {@link Ceremony.backup} / {@link Ceremony.restore}: a wrapped export to a recovery transport key
 *    split into M-of-N Shamir shares;
 * 5. {@link Ceremony.seal}: the root key can never be wrapped out again.
 *
 * Longer than ~400 lines on purpose: the steps share the HSM staging and the transcript rule below,
 * so they stay one class; the file, share and transcript formats are apart (`files.ts`,
 * `shares.ts`, `transcript.ts`).
 *
 * Every step appends to the batch's (or transport key's) hash-chained transcript in the audit log
 * (`transcript.ts`), in the transaction that makes the change.
 */
import { timingSafeEqual } from 'node:crypto';
import { DomainError, isDomainError } from '../../../src-shared/errors';
import type { BatchRow, RequestContext } from '../api';
import { requireAdmin } from '../authorize';
import type { Batches } from '../batches';
import { isoAt, type CoreEnv } from '../env';
import type { KeyHandle } from '../ports';
import {
  TRANSPORT_FORMAT,
  WRAPPED_FORMAT,
  algorithmOf,
  oaepHashOf,
  parseTransportFile,
  parseWrappedFile,
  sha256Hex,
  wrapMacInput,
  type TransportKeyFile,
  type WrappedKeyFile,
} from './files';
import { combineShares, splitSecret } from './shamir';
import { checkShareSet, formatShare, parseShare, type BackupShare } from './shares';
import {
  appendStep,
  readChain,
  requireIntact,
  transportChain,
  verifyChain,
  type ChainCheck,
  type TranscriptEntry,
} from './transcript';

/** A transcript as exported: the batch's chain and the chains of the transport keys it names. */
export interface Transcript {
  format: 'gwjs-ceremony-transcript';
  version: 1;
  batch: BatchRow | null;
  batchId: string;
  station: string;
  exportedAt: string;
  chains: { chain: string; entries: TranscriptEntry[]; check: ChainCheck }[];
}

/** What a finished export or backup step reports to the operator. */
interface WrappedExport {
  file: WrappedKeyFile;
  text: string;
  kcv: string;
  fileSha256: string;
}

const fileText = (v: unknown) => `${JSON.stringify(v, null, 2)}\n`;

/** The ceremony service. `station` names this station in files (SHA-256 of its CA certificate). */
export class Ceremony {
  constructor(
    private readonly env: CoreEnv,
    private readonly batches: Batches,
    private readonly station: string,
  ) {}

  /** Step 1 (receiving side): a transport key pair inside this HSM; answers transport.pub. */
  async createTransportKey(
    ctx: RequestContext,
    label = 'gwjs ceremony transport key',
  ): Promise<{ file: TransportKeyFile; text: string }> {
    requireAdmin(ctx);
    const key = await this.env.hsm.createTransportKey(label);
    const at = isoAt(this.env.clock.now());
    const file: TransportKeyFile = {
      format: TRANSPORT_FORMAT,
      version: 1,
      algorithm: 'RSA-OAEP',
      oaepHash: key.oaepHash,
      publicKey: Buffer.from(key.spki).toString('base64'),
      fingerprint: key.fingerprint,
      label,
      station: this.station,
      hsm: (await this.env.hsm.status()).kind,
      createdAt: at,
    };
    const text = fileText(file);
    await this.env.store.transaction((tx) =>
      appendStep(tx, ctx, at, transportChain(key.fingerprint), 'transport_key.create', {
        transportKey: key.fingerprint,
        oaepHash: key.oaepHash,
        hsm: file.hsm,
        station: this.station,
        fileSha256: sha256Hex(text),
      }),
    );
    return { file, text };
  }

  /** Step 2 (sending side): the batch root key wrapped inside the HSM to `transportText`. */
  async exportBatch(ctx: RequestContext, batchId: string, transportText: string): Promise<WrappedExport> {
    requireAdmin(ctx);
    return this.#export(ctx, batchId, transportText, 'export', {});
  }

  /**
   * Step 3 (receiving side): imports a wrapped root key; `expectKcv` is the KCV the sending
   * operator reads out (optional, compared too).
   */
  async importBatch(
    ctx: RequestContext,
    wrappedText: string,
    options: { expectKcv?: string | undefined } = {},
  ): Promise<{ batch: BatchRow; kcv: string }> {
    requireAdmin(ctx);
    return this.#import(ctx, wrappedText, 'import', options.expectKcv, {});
  }

  /** Makes the batch's root key non-exportable for good (after the ceremony and the backup). */
  async seal(ctx: RequestContext, batchId: string): Promise<{ batch: BatchRow }> {
    requireAdmin(ctx);
    const batch = await this.batches.get(batchId);
    await this.env.hsm.sealRootKey(batch.brkHandle);
    const at = isoAt(this.env.clock.now());
    await this.env.store.transaction(async (tx) => {
      requireIntact(batchId, await readChain(tx, batchId));
      await appendStep(tx, ctx, at, batchId, 'seal', { batch: rangeOf(batch.row), kcv: batch.row.kcv });
    });
    return { batch: batch.row };
  }

  /**
   * Custodian backup: the root key wrapped to a recovery transport key (inside the HSM) and the
   * wrapped file split into `n` Shamir shares of which any `m` restore it.
   */
  async backup(
    ctx: RequestContext,
    batchId: string,
    transportText: string,
    n: number,
    m: number,
  ): Promise<WrappedExport & { shares: BackupShare[]; setId: string }> {
    requireAdmin(ctx);
    if (!Number.isInteger(m) || !Number.isInteger(n) || m < 2 || n < m || n > 32) {
      throw new DomainError('invalid_request', `shares: need 2 ≤ threshold ≤ shares ≤ 32, got ${m} of ${n}`, {
        field: 'shares',
      });
    }
    const setId = Buffer.from(this.env.random.bytes(8)).toString('hex');
    let shares: BackupShare[] = [];
    const out = await this.#export(
      ctx,
      batchId,
      transportText,
      'backup',
      { setId, shares: n, threshold: m },
      (w) => {
        const parts = splitSecret(new Uint8Array(Buffer.from(w.text, 'utf8')), n, m, (k) =>
          this.env.random.bytes(k),
        );
        shares = parts.map((p) => formatShare(setId, m, n, w.kcv, p));
        return { shareChecks: shares.map((s) => s.check) };
      },
    );
    return { ...out, shares, setId };
  }

  /** Restores a custodian backup: any m shares → the wrapped file → imported as by {@link importBatch}. */
  async restore(
    ctx: RequestContext,
    shareTexts: readonly string[],
    options: { expectKcv?: string | undefined } = {},
  ): Promise<{ batch: BatchRow; kcv: string }> {
    requireAdmin(ctx);
    const shares = shareTexts.map((t, i) => parseShare(t, i + 1));
    const set = checkShareSet(shares);
    const bytes = combineShares(shares.map((s) => s.share));
    const text = Buffer.from(bytes).toString('utf8');
    bytes.fill(0);
    let parsed: WrappedKeyFile;
    try {
      parsed = parseWrappedFile(text);
    } catch {
      throw new DomainError('share_invalid', 'shares: they do not combine into a wrapped key file', {
        field: 'shares',
      });
    }
    if (parsed.kcv !== set.kcv) throw new DomainError('share_invalid', 'shares: their KCV is not the file’s');
    return this.#import(ctx, text, 'restore', options.expectKcv, {
      setId: set.setId,
      threshold: set.m,
      shares: set.n,
      shareChecks: shares.map((s) => s.check),
    });
  }

  /** The transcript of a batch on this station, each chain verified. */
  async transcript(ctx: RequestContext, batchId: string): Promise<Transcript> {
    requireAdmin(ctx);
    const batch = await this.batches.get(batchId).catch(() => undefined);
    const chains = await this.env.store.read(async (tx) => {
      const own = await readChain(tx, batchId);
      const fps = new Set(
        own.map((e) => e.facts.transportKey).filter((f): f is string => typeof f === 'string'),
      );
      const out = [{ chain: batchId, entries: own }];
      for (const fp of fps) {
        const entries = await readChain(tx, transportChain(fp));
        if (entries.length > 0) out.push({ chain: transportChain(fp), entries });
      }
      return out;
    });
    if (batch === undefined && chains[0]!.entries.length === 0) {
      throw new DomainError('not_found', `batch: no batch or transcript ${JSON.stringify(batchId)}`, {
        field: 'batch',
      });
    }
    return {
      format: 'gwjs-ceremony-transcript',
      version: 1,
      batch: batch?.row ?? null,
      batchId,
      station: this.station,
      exportedAt: isoAt(this.env.clock.now()),
      chains: chains.map((c) => ({ ...c, check: verifyChain(c.entries) })),
    };
  }

  async #export(
    ctx: RequestContext,
    batchId: string,
    transportText: string,
    step: 'export' | 'backup',
    facts: Record<string, unknown>,
    extra?: (w: WrappedExport) => Record<string, unknown>,
  ): Promise<WrappedExport> {
    const transport = parseTransportFile(transportText);
    const batch = await this.batches.get(batchId);
    const { hsm } = this.env;
    const wrapped = await hsm.exportWrapped(batch.brkHandle, {
      spki: transport.spki,
      oaepHash: transport.oaepHash,
    });
    const kcv = await hsm.kcv(batch.brkHandle);
    const unsigned: Omit<WrappedKeyFile, 'mac'> = {
      format: WRAPPED_FORMAT,
      version: 1,
      batch: {
        id: batch.row.id,
        first: batch.row.firstEui,
        last: batch.row.lastEui,
        flavor: batch.row.flavor,
        cupsUri: batch.row.cupsUri,
      },
      kcv,
      algorithm: algorithmOf(transport.oaepHash),
      transportKey: transport.fingerprint,
      sender: { station: this.station, hsm: (await hsm.status()).kind },
      createdAt: isoAt(this.env.clock.now()),
      wrappedKey: Buffer.from(wrapped).toString('base64'),
    };
    const mac = await hsm.hmac(batch.brkHandle, wrapMacInput(unsigned));
    const file: WrappedKeyFile = { ...unsigned, mac: Buffer.from(mac).toString('base64') };
    const text = fileText(file);
    const out: WrappedExport = { file, text, kcv, fileSha256: sha256Hex(text) };
    const more = extra?.(out) ?? {};
    const at = isoAt(this.env.clock.now());
    await this.env.store.transaction(async (tx) => {
      requireIntact(batchId, await readChain(tx, batchId));
      await appendStep(tx, ctx, at, batchId, step, {
        batch: rangeOf(batch.row),
        kcv,
        algorithm: file.algorithm,
        transportKey: transport.fingerprint,
        receiver: transport.station,
        sender: file.sender,
        fileSha256: out.fileSha256,
        ...facts,
        ...more,
      });
    });
    this.env.logger.info(
      { batch: batchId, kcv, transportKey: transport.fingerprint, step },
      'ceremony: root key wrapped',
    );
    return out;
  }

  async #import(
    ctx: RequestContext,
    text: string,
    step: 'import' | 'restore',
    expectKcv: string | undefined,
    facts: Record<string, unknown>,
  ): Promise<{ batch: BatchRow; kcv: string }> {
    const file = parseWrappedFile(text);
    const { hsm } = this.env;
    const transport = await hsm.findTransportKey(file.transportKey);
    if (transport === undefined) {
      throw new DomainError(
        'ceremony_wrong_key',
        `wrapped key file: made for transport key ${file.transportKey.slice(0, 16)}…, which this HSM does not hold`,
        { field: 'file' },
      );
    }
    if (oaepHashOf(file.algorithm) !== transport.oaepHash) {
      throw new DomainError(
        'ceremony_tampered',
        `wrapped key file: ${file.algorithm} is not this transport key's algorithm`,
      );
    }
    const wanted = expectKcv?.trim().toUpperCase();
    if (wanted !== undefined && !/^[0-9A-F]{6}$/.test(wanted)) {
      throw new DomainError('invalid_request', 'expectKcv: 6 hex digits', { field: 'expectKcv' });
    }
    const check = async (staged: KeyHandle) => {
      const kcv = await hsm.kcv(staged);
      if (kcv !== file.kcv) {
        throw new DomainError(
          'kcv_mismatch',
          `kcv: the file says ${file.kcv}, the unwrapped key has ${kcv}`,
          { field: 'kcv' },
        );
      }
      if (wanted !== undefined && kcv !== wanted) {
        throw new DomainError(
          'kcv_mismatch',
          `kcv: the sender read out ${wanted}, the unwrapped key has ${kcv}`,
          {
            field: 'expectKcv',
          },
        );
      }
      const mac = Buffer.from(await hsm.hmac(staged, wrapMacInput(file)));
      const given = Buffer.from(file.mac, 'base64');
      if (given.length !== mac.length || !timingSafeEqual(given, mac)) {
        throw new DomainError(
          'ceremony_tampered',
          'wrapped key file: its MAC does not verify (the file was changed)',
          {
            field: 'file',
          },
        );
      }
    };
    const label = `batch-${file.batch.id}`;
    const batch = await this.batches.adopt(
      ctx,
      {
        id: file.batch.id,
        first: file.batch.first,
        last: file.batch.last,
        ...(file.batch.flavor !== null ? { flavor: file.batch.flavor } : {}),
        ...(file.batch.cupsUri !== null ? { cupsUri: file.batch.cupsUri } : {}),
      },
      async () => {
        try {
          return await hsm.importWrapped(
            transport.handle,
            new Uint8Array(Buffer.from(file.wrappedKey, 'base64')),
            label,
            check,
          );
        } catch (e) {
          // the fingerprint is this key's, so bytes that do not unwrap were changed on the way
          if (isDomainError(e) && e.code === 'ceremony_wrong_key') {
            throw new DomainError(
              'ceremony_tampered',
              'wrapped key file: the wrapped key does not unwrap (the file was changed)',
              {
                field: 'file',
              },
            );
          }
          throw e;
        }
      },
      async (tx, row) => {
        const at = isoAt(this.env.clock.now());
        requireIntact(row.id, await readChain(tx, row.id));
        await appendStep(tx, ctx, at, row.id, step, {
          batch: { id: row.id, first: file.batch.first, last: file.batch.last },
          kcv: row.kcv,
          algorithm: file.algorithm,
          transportKey: transport.fingerprint,
          sender: file.sender,
          receiver: this.station,
          fileSha256: sha256Hex(text),
          ...facts,
        });
      },
    );
    return { batch, kcv: batch.kcv };
  }
}

function rangeOf(row: BatchRow): { id: string; first: string; last: string } {
  return { id: row.id, first: row.firstEui, last: row.lastEui };
}
