/**
 * The station's site pack (docs/sync.md "Site packs"): the remote's pack of the linked owner's
 * gateways, stored in `sync_site_pack` / `sync_site_pack_gateways` (migration 0021) and held in
 * memory for CUPS (`cups/site-pack-door.ts`), so a poll reads nothing from the store. A new pack
 * replaces the old one in one transaction; what CUPS saw of a gateway (`seen_generation`) survives
 * the replacement. Only verifiers (SHA-256 of high-entropy tokens) are stored, never a token.
 */
import { base64ToBytes, hexToBytes } from '../../../src-shared/bytes';
import { crc32 } from '../../../src-shared/crc32';
import type { SitePackResponse, SitePackVerifier } from '../../../src-shared/contract/site-pack';
import type { SitePackItem, SitePackStatus } from '../../../src-shared/contract/site-pack-views';
import { euiFromHex, euiHex, formatId6, parseIdField } from '../../../src-shared/ids';
import { isoAt, type CoreEnv } from '../env';
import type { Tx } from '../ports';
import { BatchInsert, bytesOrNull, intOf, intOrNull, textOf, textOrNull } from '../rows';

/** The desired CUPS state of a packed gateway, with its blobs decoded and their CRCs. */
export interface PackDesired {
  cupsUri: string | null;
  cupsCred: Uint8Array | null;
  cupsCredFromToken: boolean;
  lnsUri: string | null;
  lnsCred: Uint8Array | null;
  lnsCredCrc: number | null;
}

/** One verifier, its digest as bytes (compared in constant time). */
export interface PackVerifier {
  kind: SitePackVerifier['kind'];
  generation: number | null;
  digest: Uint8Array;
}

/** A packed gateway as CUPS uses it. */
export interface PackEntry {
  hex: string;
  origin: 'batch' | 'added';
  tokenGeneration: number;
  tokenTarget: number;
  verifiers: PackVerifier[];
  desired: PackDesired | null;
  setupAt: string | null;
  /** the generation the gateway last authenticated with here */
  seenGeneration: number | null;
  seenAt: string | null;
}

interface StoredDesired {
  cupsUri: string | null;
  cupsCred: string | null;
  cupsCredFromToken: boolean;
  lnsUri: string | null;
  lnsCred: string | null;
}

function desiredOf(json: string | null): PackDesired | null {
  if (json === null) return null;
  const d = JSON.parse(json) as StoredDesired;
  const lnsCred = d.lnsCred === null ? null : base64ToBytes(d.lnsCred);
  return {
    cupsUri: d.cupsUri,
    cupsCred: d.cupsCred === null ? null : base64ToBytes(d.cupsCred),
    cupsCredFromToken: d.cupsCredFromToken,
    lnsUri: d.lnsUri,
    lnsCred,
    lnsCredCrc: lnsCred === null ? null : crc32(lnsCred),
  };
}

function entryOf(r: Parameters<typeof textOf>[0]): PackEntry {
  const verifiers = JSON.parse(textOf(r, 'verifiers')) as SitePackVerifier[];
  return {
    hex: textOf(r, 'eui'),
    origin: textOf(r, 'origin') === 'added' ? 'added' : 'batch',
    tokenGeneration: intOf(r, 'token_generation'),
    tokenTarget: intOf(r, 'token_target'),
    verifiers: verifiers.map((v) => ({
      kind: v.kind,
      generation: v.generation,
      digest: hexToBytes(v.sha256),
    })),
    desired: desiredOf(textOrNull(r, 'desired')),
    setupAt: textOrNull(r, 'setup_at'),
    seenGeneration: intOrNull(r, 'seen_generation'),
    seenAt: textOrNull(r, 'seen_at'),
  };
}

const id6Of = (hex: string) => formatId6(euiFromHex(hex));

/** The stored site pack and its in-memory copy (see the module comment). */
export class SitePack {
  #entries: Map<string, PackEntry> | undefined;
  #trust: Uint8Array | null = null;
  #loading: Promise<void> | undefined;

  constructor(private readonly env: CoreEnv) {}

  /** Loads the pack into memory once (CUPS awaits it before its first pack lookup). */
  ready(): Promise<void> {
    if (this.#entries !== undefined) return Promise.resolve();
    return (this.#loading ??= this.#load().finally(() => {
      this.#loading = undefined;
    }));
  }

  async #load(): Promise<void> {
    const { rows, pack } = await this.env.store.read(async (tx) => ({
      rows: await tx.all('SELECT * FROM sync_site_pack_gateways'),
      pack: await tx.get("SELECT cups_trust FROM sync_site_pack WHERE id = 'pack'"),
    }));
    this.#trust = pack === undefined ? null : bytesOrNull(pack, 'cups_trust');
    this.#entries = new Map(rows.map((r) => [textOf(r, 'eui'), entryOf(r)]));
  }

  /** The packed gateway `hex` (call {@link ready} first); undefined when not in the pack. */
  entry(hex: string): PackEntry | undefined {
    return this.#entries?.get(hex);
  }

  /** The remote's CUPS trust (DER) of the pack, if any. */
  get cupsTrust(): Uint8Array | null {
    return this.#trust;
  }

  /** Number of packed gateways in memory (0 before {@link ready}). */
  get size(): number {
    return this.#entries?.size ?? 0;
  }

  /** The chosen gateways (16 hex), null = all, undefined = no pack row yet. */
  async selection(): Promise<string[] | null | undefined> {
    const r = await this.env.store.read((tx) =>
      tx.get("SELECT selection FROM sync_site_pack WHERE id = 'pack'"),
    );
    if (r === undefined) return undefined;
    const s = textOrNull(r, 'selection');
    return s === null ? null : (JSON.parse(s) as string[]);
  }

  /**
   * Parses a selection of gateway ids (any form) into 16-hex EUIs, in order, without repeats.
   * @throws DomainError('invalid_request') naming `gateways[i]`.
   */
  static parseSelection(ids: readonly string[]): string[] {
    return [...new Set(ids.map((raw, i) => euiHex(parseIdField(raw, `gateways[${i}]`))))];
  }

  /** Records the selection (null = all) without touching the packed gateways. */
  async choose(ownerHex: string, selection: string[] | null): Promise<void> {
    await this.env.store.transaction((tx) => this.#upsertPack(tx, ownerHex, selection));
  }

  async #upsertPack(tx: Tx, ownerHex: string, selection: string[] | null): Promise<void> {
    await tx.run(
      `INSERT INTO sync_site_pack (id, owner_id, selection) VALUES ('pack', ?, ?)
       ON CONFLICT (id) DO UPDATE SET owner_id = excluded.owner_id, selection = excluded.selection`,
      [ownerHex, selection === null ? null : JSON.stringify(selection)],
    );
  }

  /** Replaces the stored pack with `pack` (one transaction), then the in-memory copy. */
  async replace(ownerHex: string, selection: string[] | null, pack: SitePackResponse): Promise<void> {
    const at = isoAt(this.env.clock.now());
    await this.env.store.transaction(async (tx) => {
      await this.#upsertPack(tx, ownerHex, selection);
      await tx.run(
        "UPDATE sync_site_pack SET created_at = ?, fetched_at = ?, cups_trust = ?, cups_uri = ? WHERE id = 'pack'",
        [pack.createdAt, at, pack.cupsTrust === null ? null : base64ToBytes(pack.cupsTrust), pack.cupsUri],
      );
      const seen = new Map(
        (await tx.all('SELECT eui, seen_generation, seen_at FROM sync_site_pack_gateways')).map((r) => [
          textOf(r, 'eui'),
          { generation: intOrNull(r, 'seen_generation'), at: textOrNull(r, 'seen_at') },
        ]),
      );
      await tx.run('DELETE FROM sync_site_pack_gateways');
      const insert = new BatchInsert(
        tx,
        `INSERT INTO sync_site_pack_gateways (eui, origin, token_generation, token_target, verifiers, desired,
           setup_at, seen_generation, seen_at) VALUES`,
        '(?, ?, ?, ?, ?, ?, ?, ?, ?)',
      );
      for (const g of pack.gateways) {
        const hex = euiHex(parseIdField(g.gateway, 'gateway'));
        const s = seen.get(hex);
        await insert.add([
          hex,
          g.origin,
          g.tokenGeneration,
          g.tokenTarget,
          JSON.stringify(g.verifiers),
          g.desired === null ? null : JSON.stringify(g.desired),
          g.setupAt,
          s?.generation ?? null,
          s?.at ?? null,
        ]);
      }
      await insert.flush();
    });
    this.#entries = undefined;
    await this.ready();
  }

  /** Records the generation a gateway authenticated with at this station's CUPS. */
  async recordSeen(hex: string, generation: number, at: string): Promise<void> {
    await this.env.store.transaction((tx) =>
      tx.run('UPDATE sync_site_pack_gateways SET seen_generation = ?, seen_at = ? WHERE eui = ?', [
        generation,
        at,
        hex,
      ]),
    );
    const e = this.#entries?.get(hex);
    if (e !== undefined) {
      e.seenGeneration = generation;
      e.seenAt = at;
    }
  }

  /** The pack as a whole (status, `gwjs sync site-pack status`). */
  async status(): Promise<SitePackStatus> {
    const { pack, n } = await this.env.store.read(async (tx) => ({
      pack: await tx.get("SELECT * FROM sync_site_pack WHERE id = 'pack'"),
      n: await tx.get('SELECT COUNT(*) AS n FROM sync_site_pack_gateways'),
    }));
    const selection = pack === undefined ? null : textOrNull(pack, 'selection');
    return {
      present: pack !== undefined,
      ownerId: pack === undefined ? null : id6Of(textOf(pack, 'owner_id')),
      selection: selection === null ? null : (JSON.parse(selection) as string[]).map(id6Of),
      createdAt: pack === undefined ? null : textOrNull(pack, 'created_at'),
      fetchedAt: pack === undefined ? null : textOrNull(pack, 'fetched_at'),
      remoteCupsUri: pack === undefined ? null : textOrNull(pack, 'cups_uri'),
      hasCupsTrust: pack !== undefined && bytesOrNull(pack, 'cups_trust') !== null,
      gateways: n === undefined ? 0 : intOf(n, 'n'),
    };
  }

  /** The packed gateways, by EUI (the picker; no blob, no verifier). */
  async list(): Promise<SitePackItem[]> {
    const rows = await this.env.store.read((tx) =>
      tx.all('SELECT * FROM sync_site_pack_gateways ORDER BY eui'),
    );
    return rows.map((r) => {
      const e = entryOf(r);
      return {
        gateway: id6Of(e.hex),
        origin: e.origin,
        tokenGeneration: e.tokenGeneration,
        tokenTarget: e.tokenTarget,
        verifiers: e.verifiers.length,
        configured: e.desired !== null,
        cupsUri: e.desired?.cupsUri ?? null,
        lnsUri: e.desired?.lnsUri ?? null,
        hasCupsCred: e.desired !== null && (e.desired.cupsCred !== null || e.desired.cupsCredFromToken),
        hasLnsCred: e.desired?.lnsCred != null,
        setupAt: e.setupAt,
        seenGeneration: e.seenGeneration,
        seenAt: e.seenAt,
      };
    });
  }

  /** Forgets the pack (unlink: another remote's pack must not be served). */
  async clear(): Promise<void> {
    await this.env.store.transaction(async (tx) => {
      await tx.run('DELETE FROM sync_site_pack_gateways');
      await tx.run('DELETE FROM sync_site_pack');
    });
    this.#entries = new Map();
    this.#trust = null;
  }
}
