/**
 * Batches (SPEC §2): ranges of gateway EUIs sharing one root key (BRK) held in the HSM. Ranges
 * never overlap, and a new range may not swallow a gateway that entered through `add`; both are
 * checked in the creating transaction. Batches are never deleted, so the in-memory directory only
 * grows; a miss re-reads the table (at most once a second) to see batches another process created.
 */
import { bytesToHex } from '../../src-shared/bytes';
import type { BatchInput } from '../../src-shared/channels/access';
import { DomainError } from '../../src-shared/errors';
import { euiFromHex, euiHex, formatId6, parseIdField } from '../../src-shared/ids';
import { parseEndpointUri } from '../../src-shared/uri';
import type { BatchRow, BatchService, RequestContext } from './api';
import { auditWriter } from './audit';
import { requireAdmin } from './authorize';
import { isoAt, type CoreEnv } from './env';
import { KDF_ID } from './kdf';
import type { KeyHandle, SqlRow, Tx } from './ports';
import { textOf, textOrNull } from './rows';

/** A batch as the core uses it: the public row plus the range as ids and the key handle. */
export interface Batch {
  row: BatchRow;
  first: bigint;
  last: bigint;
  brkHandle: KeyHandle;
}

const RELOAD_AFTER_MISS_MS = 1000;
const COLUMNS = 'id, first_eui, last_eui, brk_handle, kcv, flavor, cups_uri, kdf, created_at';

function batchOf(r: SqlRow): Batch {
  const first = euiFromHex(textOf(r, 'first_eui'));
  const last = euiFromHex(textOf(r, 'last_eui'));
  return {
    first,
    last,
    brkHandle: textOf(r, 'brk_handle'),
    row: {
      id: textOf(r, 'id'),
      firstEui: formatId6(first),
      lastEui: formatId6(last),
      kcv: textOf(r, 'kcv'),
      flavor: textOrNull(r, 'flavor'),
      cupsUri: textOrNull(r, 'cups_uri'),
      kdf: KDF_ID,
      createdAt: textOf(r, 'created_at'),
    },
  };
}

/** Batches: creation, import of a twin's key, lookup by EUI. */
export class Batches implements BatchService {
  /** sorted by `first`; ranges are disjoint */
  #sorted: Batch[] = [];
  #loaded = false;
  #lastReload = -Infinity;

  constructor(private readonly env: CoreEnv) {}

  /** Creates a batch with a new root key generated inside the HSM (admin only). */
  async create(ctx: RequestContext, input: BatchInput): Promise<BatchRow> {
    return this.#create(ctx, input, 'batch.create', (label) => this.env.hsm.generateRootKey(label));
  }

  /**
   * Creates a batch around a raw 32-byte root key imported into the HSM (twin set-up, tests; admin
   * only). The caller zeroes `rootKey` afterwards.
   */
  async import(ctx: RequestContext, input: BatchInput, rootKey: Uint8Array): Promise<BatchRow> {
    if (!(rootKey instanceof Uint8Array) || rootKey.length !== 32) {
      throw new DomainError('invalid_request', 'rootKey: a batch root key is exactly 32 bytes', {
        field: 'rootKey',
      });
    }
    return this.#create(ctx, input, 'batch.import', (label) => this.env.hsm.importRootKey(label, rootKey));
  }

  /**
   * Creates a batch around a root key a key ceremony brings in (docs/twin-hsm.md): the batch keeps
   * its twin's id, `makeKey` unwraps the key inside the HSM, and `inTx` writes the ceremony's
   * transcript entry in the batch's own transaction (admin only).
   * @throws DomainError('already_exists') when a batch with that id exists; ('batch_conflict').
   */
  async adopt(
    ctx: RequestContext,
    input: BatchInput & { id: string },
    makeKey: (label: string) => Promise<KeyHandle>,
    inTx: (tx: Tx, row: { id: string; kcv: string; brkHandle: KeyHandle }) => Promise<void>,
  ): Promise<BatchRow> {
    if (!/^[0-9a-f]{16}$/.test(input.id)) {
      throw new DomainError('invalid_request', `batch: ${JSON.stringify(input.id)} is not a batch id`, {
        field: 'batch',
      });
    }
    return this.#create(ctx, input, 'batch.ceremony_import', makeKey, { id: input.id, inTx });
  }

  /** The batch with `id`, with its key handle (core-internal). */
  async get(id: string): Promise<Batch> {
    await this.#reload();
    const hit = this.#sorted.find((b) => b.row.id === id);
    if (hit === undefined)
      throw new DomainError('not_found', `batch: no batch ${JSON.stringify(id)}`, { field: 'batch' });
    return hit;
  }

  /** Every batch, by first EUI (admin only). */
  async list(ctx: RequestContext): Promise<BatchRow[]> {
    requireAdmin(ctx);
    await this.#reload();
    return this.#sorted.map((b) => b.row);
  }

  /** The public row of the batch whose range holds `eui`, if any. */
  async findForEui(eui: bigint): Promise<BatchRow | undefined> {
    return (await this.batchOf(eui))?.row;
  }

  /** The batch whose range holds `eui`, with its key handle (core-internal). */
  async batchOf(eui: bigint): Promise<Batch | undefined> {
    if (!this.#loaded) await this.#reload();
    const hit = this.#lookup(eui);
    if (hit !== undefined) return hit;
    const now = this.env.clock.now();
    if (now - this.#lastReload < RELOAD_AFTER_MISS_MS) return undefined;
    await this.#reload();
    return this.#lookup(eui);
  }

  /** A lookup function over the batches known now, for a bulk operation (no store access). */
  async snapshot(): Promise<(eui: bigint) => Batch | undefined> {
    await this.#reload();
    return (eui) => this.#lookup(eui);
  }

  #lookup(eui: bigint): Batch | undefined {
    const a = this.#sorted;
    let lo = 0;
    let hi = a.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const b = a[mid]!;
      if (eui < b.first) hi = mid - 1;
      else if (eui > b.last) lo = mid + 1;
      else return b;
    }
    return undefined;
  }

  async #reload(): Promise<void> {
    const rows = await this.env.store.read((tx) =>
      tx.all(`SELECT ${COLUMNS} FROM batches ORDER BY first_eui`),
    );
    this.#sorted = rows.map(batchOf);
    this.#loaded = true;
    this.#lastReload = this.env.clock.now();
  }

  async #create(
    ctx: RequestContext,
    input: BatchInput,
    action: string,
    makeKey: (label: string) => Promise<KeyHandle>,
    adopted?: {
      id: string;
      inTx: (tx: Tx, row: { id: string; kcv: string; brkHandle: KeyHandle }) => Promise<void>;
    },
  ): Promise<BatchRow> {
    requireAdmin(ctx);
    const first = parseIdField(input.first, 'first');
    const last = parseIdField(input.last, 'last');
    if (first > last) {
      throw new DomainError(
        'invalid_request',
        `last: ${formatId6(last)} is before first ${formatId6(first)}`,
        {
          field: 'last',
        },
      );
    }
    const flavor = input.flavor ?? null;
    if (flavor !== null && (typeof flavor !== 'string' || flavor.length === 0 || flavor.length > 64)) {
      throw new DomainError('invalid_request', 'flavor: expected 1–64 characters', { field: 'flavor' });
    }
    const cupsUri =
      input.cupsUri === undefined ? null : parseEndpointUri(input.cupsUri, 'cups', 'cupsUri').uri;
    const [firstHex, lastHex] = [euiHex(first), euiHex(last)];
    // check before creating a key, so a refused batch leaves no orphan key in the HSM
    await this.env.store.read(async (tx) => {
      await checkRangeFree(tx, firstHex, lastHex);
      if (adopted !== undefined) await checkIdFree(tx, adopted.id);
    });
    const id = adopted?.id ?? bytesToHex(this.env.random.bytes(8));
    const brkHandle = await makeKey(`batch-${id}`);
    const kcv = await this.env.hsm.kcv(brkHandle);
    const at = isoAt(this.env.clock.now());
    await this.env.store.transaction(async (tx) => {
      await checkRangeFree(tx, firstHex, lastHex);
      if (adopted !== undefined) await checkIdFree(tx, id);
      await tx.run(`INSERT INTO batches (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, [
        id,
        firstHex,
        lastHex,
        brkHandle,
        kcv,
        flavor,
        cupsUri,
        KDF_ID,
        at,
      ]);
      await auditWriter(this.env, tx, ctx).add(action, id, {
        first: formatId6(first),
        last: formatId6(last),
        kcv,
        flavor,
        cupsUri,
      });
      await adopted?.inTx(tx, { id, kcv, brkHandle });
    });
    await this.#reload();
    const created = this.#lookup(first);
    if (created === undefined) throw new DomainError('internal', `batch ${id} vanished after creation`);
    this.env.logger.info({ batch: id, first: formatId6(first), last: formatId6(last), kcv }, 'batch created');
    return created.row;
  }
}

/** @throws DomainError('already_exists') when a batch with `id` exists. */
async function checkIdFree(tx: Tx, id: string): Promise<void> {
  if ((await tx.get('SELECT id FROM batches WHERE id = ?', [id])) !== undefined) {
    throw new DomainError('already_exists', `batch: this station already holds batch ${id}`, {
      field: 'batch',
    });
  }
}

/** @throws DomainError('batch_conflict') when the range meets a batch or an added gateway. */
async function checkRangeFree(tx: Tx, firstHex: string, lastHex: string): Promise<void> {
  const clash = await tx.get(
    'SELECT id, first_eui, last_eui FROM batches WHERE first_eui <= ? AND last_eui >= ? ORDER BY first_eui LIMIT 1',
    [lastHex, firstHex],
  );
  if (clash !== undefined) {
    throw new DomainError(
      'batch_conflict',
      `first/last: the range overlaps batch ${textOf(clash, 'id')} (${formatId6(euiFromHex(textOf(clash, 'first_eui')))} … ${formatId6(euiFromHex(textOf(clash, 'last_eui')))})`,
    );
  }
  const added = await tx.get(
    "SELECT eui FROM gateways WHERE origin = 'added' AND eui >= ? AND eui <= ? ORDER BY eui LIMIT 1",
    [firstHex, lastHex],
  );
  if (added !== undefined) {
    throw new DomainError(
      'batch_conflict',
      `first/last: the range holds the added gateway ${formatId6(euiFromHex(textOf(added, 'eui')))}`,
    );
  }
}
