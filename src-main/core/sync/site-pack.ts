/**
 * The station's site pack (docs/sync.md "Site packs"): the remote's pack of the linked owner's
 * gateways, stored in `sync_site_pack` / `sync_site_pack_gateways` (migration 0021) and held in
 * memory for CUPS (`cups/site-pack-door.ts`), so a poll reads nothing from the store. A new pack
 * replaces the old one in one transaction; what CUPS saw of a gateway (`seen_generation`) survives
 * the replacement. Only verifiers (SHA-256 of high-entropy tokens) are stored, never a token.
 *
 * Firmware (docs/sync.md "Firmware from the pack", migration 0028): the images the packed setups
 * still wait to deliver are stored once by SHA-256 (`sync_site_pack_firmware`), fetched once (the
 * pack request names the held ones, whose bytes the remote leaves out) and deleted with the pack
 * that stops naming them. Only their signatures' key CRCs are held in memory; the bytes are read
 * at delivery. A delivery made here ({@link SitePack.deliver}) is claimed once per setup, kept
 * across pack replacements while the setup's `fwcrc` and `fwafter` stay, and reported to the
 * remote through the {@link SitePack.onDelivered} hook in its transaction (the outbox).
 *
 * Client certificates (docs/sync.md "Client certificates from the pack", migration 0029): per
 * gateway the fingerprints the remote accepts, and the remote's client CAs (PEM), held in memory
 * parsed, so local CUPS checks a presented certificate without a store read.
 *
 * Longer than ~400 lines on purpose: replacing the pack, its in-memory copy, the generation seen
 * and the once-only delivery all read and write the same rows, and each keeps what the others
 * rely on (a replacement carries over what CUPS recorded), so they stay in one class.
 */
import { X509Certificate } from 'node:crypto';
import { base64ToBytes, bytesToHex, hexToBytes } from '../../../src-shared/bytes';
import { crc32 } from '../../../src-shared/crc32';
import type {
  SitePackFirmware,
  SitePackResponse,
  SitePackVerifier,
} from '../../../src-shared/contract/site-pack';
import { DomainError } from '../../../src-shared/errors';
import type { SitePackItem, SitePackStatus } from '../../../src-shared/contract/site-pack-views';
import { euiFromHex, euiHex, formatId6, parseIdField } from '../../../src-shared/ids';
import { sha256 } from '../digest';
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

/** The firmware a packed setup names, with the key CRCs of its signatures (SPEC §3.4). */
export interface PackFirmware extends SitePackFirmware {
  keyCrcs: number[];
}

/** A delivery this station made of a setup's firmware (once per setup). */
export interface PackDelivery {
  fwcrc: number;
  fwAfter: string | null;
  sentAt: string;
  keyCrc: number;
}

/** What {@link SitePack.onDelivered} is told, inside the delivery's transaction. */
export interface PackDeliveryReport extends PackDelivery {
  /** 16 hex */
  hex: string;
  /** the `package` the gateway reported */
  package: string | null;
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
  /** the setup's firmware; null = none, or its image is not held here */
  firmware: PackFirmware | null;
  /** this station's delivery of it; null = not delivered here */
  delivered: PackDelivery | null;
  /** SHA-256 fingerprints of the client certificates the remote accepts for it (SPEC §3.1) */
  certificates: ReadonlySet<string>;
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

function entryOf(r: Parameters<typeof textOf>[0], keyCrcsOf: ReadonlyMap<string, number[]>): PackEntry {
  const verifiers = JSON.parse(textOf(r, 'verifiers')) as SitePackVerifier[];
  const fwJson = textOrNull(r, 'firmware');
  const fw = fwJson === null ? null : (JSON.parse(fwJson) as SitePackFirmware);
  const keyCrcs = fw === null ? undefined : keyCrcsOf.get(fw.sha256);
  const delivered = textOrNull(r, 'fw_delivered');
  const certificates = textOrNull(r, 'certificates');
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
    firmware: fw === null || keyCrcs === undefined ? null : { ...fw, keyCrcs },
    delivered: delivered === null ? null : (JSON.parse(delivered) as PackDelivery),
    certificates: new Set(certificates === null ? [] : (JSON.parse(certificates) as string[])),
  };
}

/** The pack's client CAs, parsed (a stored PEM that does not parse is left out). */
function clientCasOf(json: string | null): X509Certificate[] {
  const out: X509Certificate[] = [];
  for (const pem of json === null ? [] : (JSON.parse(json) as string[])) {
    try {
      out.push(new X509Certificate(pem));
    } catch {
      // checked when the pack was stored; never trusted half-read
    }
  }
  return out;
}

interface StoredSignature {
  keyCrc: number;
  signature: string;
}

/** Key CRCs of the signatures of every held image, by SHA-256. */
async function keyCrcsOf(tx: Tx): Promise<Map<string, number[]>> {
  const rows = await tx.all('SELECT sha256, signatures FROM sync_site_pack_firmware');
  return new Map(
    rows.map((r) => [
      textOf(r, 'sha256'),
      (JSON.parse(textOf(r, 'signatures')) as StoredSignature[]).map((x) => x.keyCrc),
    ]),
  );
}

/** The picker's view of a packed gateway's firmware (read from the row: shown even without its image). */
function firmwareView(r: Parameters<typeof textOf>[0]): SitePackItem['firmware'] {
  const json = textOrNull(r, 'firmware');
  if (json === null) return null;
  const fw = JSON.parse(json) as SitePackFirmware;
  const state =
    fw.sentAt !== null ? 'sent' : textOrNull(r, 'fw_delivered') !== null ? 'sent_here' : 'pending';
  return { fwcrc: fw.fwcrc, fwAfter: fw.fwAfter, state };
}

/** The setup's firmware still waits for a delivery by the remote (its image must be held). */
const pendingAtRemote = (fw: SitePackFirmware | null): fw is SitePackFirmware =>
  fw !== null && fw.sentAt === null;

const id6Of = (hex: string) => formatId6(euiFromHex(hex));

/** The stored site pack and its in-memory copy (see the module comment). */
export class SitePack {
  #entries: Map<string, PackEntry> | undefined;
  #trust: Uint8Array | null = null;
  #clientCas: X509Certificate[] = [];
  #loading: Promise<void> | undefined;
  /**
   * Called inside the transaction of a delivery made here (the station's sync queues its report
   * to the remote); a throw rolls the delivery back.
   */
  onDelivered: ((tx: Tx, d: PackDeliveryReport) => Promise<void>) | undefined;

  constructor(private readonly env: CoreEnv) {}

  /** Loads the pack into memory once (CUPS awaits it before its first pack lookup). */
  ready(): Promise<void> {
    if (this.#entries !== undefined) return Promise.resolve();
    return (this.#loading ??= this.#load().finally(() => {
      this.#loading = undefined;
    }));
  }

  async #load(): Promise<void> {
    const { rows, pack, keys } = await this.env.store.read(async (tx) => ({
      rows: await tx.all('SELECT * FROM sync_site_pack_gateways'),
      pack: await tx.get("SELECT cups_trust, client_cas FROM sync_site_pack WHERE id = 'pack'"),
      keys: await keyCrcsOf(tx),
    }));
    this.#trust = pack === undefined ? null : bytesOrNull(pack, 'cups_trust');
    this.#clientCas = pack === undefined ? [] : clientCasOf(textOrNull(pack, 'client_cas'));
    this.#entries = new Map(rows.map((r) => [textOf(r, 'eui'), entryOf(r, keys)]));
  }

  /** The packed gateway `hex` (call {@link ready} first); undefined when not in the pack. */
  entry(hex: string): PackEntry | undefined {
    return this.#entries?.get(hex);
  }

  /** The remote's CUPS trust (DER) of the pack, if any. */
  get cupsTrust(): Uint8Array | null {
    return this.#trust;
  }

  /** The CA certificates the remote's CUPS verifies client certificates against (call {@link ready} first). */
  get clientCas(): readonly X509Certificate[] {
    return this.#clientCas;
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

  /** SHA-256 of the firmware images held (the next pack request leaves their bytes out). */
  async heldFirmware(): Promise<string[]> {
    const rows = await this.env.store.read((tx) =>
      tx.all('SELECT sha256 FROM sync_site_pack_firmware ORDER BY sha256'),
    );
    return rows.map((r) => textOf(r, 'sha256'));
  }

  /**
   * Replaces the stored pack with `pack` (one transaction), then the in-memory copy. Images sent
   * with bytes must match their SHA-256, CRC and size; every image a setup still waits to deliver
   * must be sent or held. Every client CA must be a PEM certificate.
   * @throws DomainError('invalid_request') naming the image or the CA otherwise (the old pack stays).
   */
  async replace(ownerHex: string, selection: string[] | null, pack: SitePackResponse): Promise<void> {
    const at = isoAt(this.env.clock.now());
    pack.clientCas.forEach((pem, i) => {
      try {
        new X509Certificate(pem);
      } catch {
        throw new DomainError('invalid_request', `site pack: clientCas[${i}] is not a PEM certificate`);
      }
    });
    const sent = new Map<string, Uint8Array>();
    for (const f of pack.firmware) {
      if (f.image === null) continue;
      const bytes = base64ToBytes(f.image);
      if (bytesToHex(sha256(bytes)) !== f.sha256 || crc32(bytes) !== f.fwcrc || bytes.length !== f.size)
        throw new DomainError(
          'invalid_request',
          `site pack: firmware image ${f.sha256} does not match its SHA-256, CRC or size`,
        );
      sent.set(f.sha256, bytes);
    }
    const images = new Map(pack.firmware.map((f) => [f.sha256, f]));
    const needed = new Set(
      pack.gateways
        .map((g) => g.firmware)
        .filter(pendingAtRemote)
        .map((f) => f.sha256),
    );
    await this.env.store.transaction(async (tx) => {
      const held = new Set(
        (await tx.all('SELECT sha256 FROM sync_site_pack_firmware')).map((r) => textOf(r, 'sha256')),
      );
      for (const digest of needed) {
        const f = images.get(digest);
        if (f === undefined || (!sent.has(digest) && !held.has(digest)))
          throw new DomainError(
            'invalid_request',
            `site pack: firmware image ${digest} is neither in the pack nor held here`,
          );
        const signatures = JSON.stringify(f.signatures);
        if (held.has(digest)) {
          await tx.run('UPDATE sync_site_pack_firmware SET signatures = ? WHERE sha256 = ?', [
            signatures,
            digest,
          ]);
        } else {
          await tx.run(
            'INSERT INTO sync_site_pack_firmware (sha256, fwcrc, image, signatures) VALUES (?, ?, ?, ?)',
            [digest, f.fwcrc, sent.get(digest)!, signatures],
          );
        }
      }
      // an image no setup waits for any more is dropped
      for (const digest of held)
        if (!needed.has(digest))
          await tx.run('DELETE FROM sync_site_pack_firmware WHERE sha256 = ?', [digest]);
      await this.#upsertPack(tx, ownerHex, selection);
      await tx.run(
        "UPDATE sync_site_pack SET created_at = ?, fetched_at = ?, cups_trust = ?, cups_uri = ?, client_cas = ? WHERE id = 'pack'",
        [
          pack.createdAt,
          at,
          pack.cupsTrust === null ? null : base64ToBytes(pack.cupsTrust),
          pack.cupsUri,
          JSON.stringify(pack.clientCas),
        ],
      );
      const seen = new Map(
        (await tx.all('SELECT eui, seen_generation, seen_at, fw_delivered FROM sync_site_pack_gateways')).map(
          (r) => [
            textOf(r, 'eui'),
            {
              generation: intOrNull(r, 'seen_generation'),
              at: textOrNull(r, 'seen_at'),
              delivered: textOrNull(r, 'fw_delivered'),
            },
          ],
        ),
      );
      await tx.run('DELETE FROM sync_site_pack_gateways');
      const insert = new BatchInsert(
        tx,
        `INSERT INTO sync_site_pack_gateways (eui, origin, token_generation, token_target, verifiers, desired,
           setup_at, seen_generation, seen_at, firmware, fw_delivered, certificates) VALUES`,
        '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      );
      for (const g of pack.gateways) {
        const hex = euiHex(parseIdField(g.gateway, 'gateway'));
        const s = seen.get(hex);
        // a delivery made here stands while the setup names the same firmware and fwafter
        const was = s?.delivered == null ? null : (JSON.parse(s.delivered) as PackDelivery);
        const kept =
          was !== null &&
          g.firmware !== null &&
          was.fwcrc === g.firmware.fwcrc &&
          was.fwAfter === g.firmware.fwAfter
            ? s!.delivered!
            : null;
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
          g.firmware === null ? null : JSON.stringify(g.firmware),
          kept,
          JSON.stringify(g.certificates),
        ]);
      }
      await insert.flush();
    });
    this.#entries = undefined;
    await this.ready();
  }

  /**
   * Delivers the setup's firmware of `entry` here, once (SPEC §3.4): claims the delivery (a
   * compare-and-set on the stored firmware and no delivery yet), reads the image and the
   * signature of `keyCrc`, and calls {@link onDelivered} — one durable transaction. Undefined when
   * it was claimed meanwhile or the pack changed; the answer then carries no update.
   */
  async deliver(
    entry: PackEntry,
    keyCrc: number,
    at: { nowIso: string; package: string | null },
  ): Promise<{ image: Uint8Array; signature: Uint8Array } | undefined> {
    const fw = entry.firmware;
    if (fw === null || entry.delivered !== null) return undefined;
    const delivery: PackDelivery = { fwcrc: fw.fwcrc, fwAfter: fw.fwAfter, sentAt: at.nowIso, keyCrc };
    const { keyCrcs: _keys, ...stored } = fw;
    const out = await this.env.store.transaction(async (tx) => {
      const { changes } = await tx.run(
        'UPDATE sync_site_pack_gateways SET fw_delivered = ? WHERE eui = ? AND firmware = ? AND fw_delivered IS NULL',
        [JSON.stringify(delivery), entry.hex, JSON.stringify(stored)],
      );
      if (changes === 0) return undefined;
      const r = await tx.get('SELECT image, signatures FROM sync_site_pack_firmware WHERE sha256 = ?', [
        fw.sha256,
      ]);
      const sig =
        r === undefined
          ? undefined
          : (JSON.parse(textOf(r, 'signatures')) as StoredSignature[]).find((x) => x.keyCrc === keyCrc);
      // throwing rolls the claim back: the next poll plans again from what the pack holds
      if (r === undefined || sig === undefined)
        throw new Error(`site pack: firmware ${fw.sha256} vanished during delivery`);
      await this.onDelivered?.(tx, { ...delivery, hex: entry.hex, package: at.package });
      return { image: bytesOrNull(r, 'image')!, signature: base64ToBytes(sig.signature) };
    });
    const e = this.#entries?.get(entry.hex);
    if (out !== undefined && e !== undefined) e.delivered = delivery;
    return out;
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
      clientCas: pack === undefined ? 0 : clientCasOf(textOrNull(pack, 'client_cas')).length,
      gateways: n === undefined ? 0 : intOf(n, 'n'),
    };
  }

  /** The packed gateways, by EUI (the picker; no blob, no verifier). */
  async list(): Promise<SitePackItem[]> {
    const rows = await this.env.store.read((tx) =>
      tx.all('SELECT * FROM sync_site_pack_gateways ORDER BY eui'),
    );
    const keys = await this.env.store.read(keyCrcsOf);
    return rows.map((r) => {
      const e = entryOf(r, keys);
      return {
        gateway: id6Of(e.hex),
        origin: e.origin,
        tokenGeneration: e.tokenGeneration,
        tokenTarget: e.tokenTarget,
        verifiers: e.verifiers.length,
        certificates: e.certificates.size,
        configured: e.desired !== null,
        cupsUri: e.desired?.cupsUri ?? null,
        lnsUri: e.desired?.lnsUri ?? null,
        hasCupsCred: e.desired !== null && (e.desired.cupsCred !== null || e.desired.cupsCredFromToken),
        hasLnsCred: e.desired?.lnsCred != null,
        setupAt: e.setupAt,
        seenGeneration: e.seenGeneration,
        seenAt: e.seenAt,
        firmware: firmwareView(r),
      };
    });
  }

  /** The firmware images held (SHA-256, CRC, size; no bytes), by SHA-256. */
  async images(): Promise<{ sha256: string; fwcrc: number; size: number }[]> {
    const rows = await this.env.store.read((tx) =>
      tx.all('SELECT sha256, fwcrc, LENGTH(image) AS size FROM sync_site_pack_firmware ORDER BY sha256'),
    );
    return rows.map((r) => ({
      sha256: textOf(r, 'sha256'),
      fwcrc: intOf(r, 'fwcrc'),
      size: intOf(r, 'size'),
    }));
  }

  /** Forgets the pack (unlink: another remote's pack must not be served). */
  async clear(): Promise<void> {
    await this.env.store.transaction(async (tx) => {
      await tx.run('DELETE FROM sync_site_pack_gateways');
      await tx.run('DELETE FROM sync_site_pack_firmware');
      await tx.run('DELETE FROM sync_site_pack');
    });
    this.#entries = new Map();
    this.#trust = null;
    this.#clientCas = [];
  }
}
