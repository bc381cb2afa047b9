/**
 * A station's sync (docs/sync.md): the remote link, the outbox, the engine and the loop behind
 * one service — what `gwjs sync`, `gwjs serve`, the IPC/bridge handlers and the screens call.
 * Longer than ~400 lines on purpose: one facade over the link and engine state all doors share.
 */
import type {
  OperationVersions,
  OutboxEntryView,
  Resolution,
  SyncStatus,
} from '../../../src-shared/contract/sync-views';
import type { OwnerService, Principal, RequestContext } from '../api';
import { requireAdmin } from '../authorize';
import { isoAt, type CoreEnv } from '../env';
import { SyncEngine, SyncStopped, type PullReport, type PushReport } from './engine';
import { linkApiKey, loadLink, removeLink, saveLink, type SyncLink, type SyncLinkInput } from './link';
import { SyncLoop, type BackoffOptions } from './loop';
import { Outbox, SYNC_PRINCIPAL_ID, itemGatewayHex, type OutboxEntry, type OutboxState } from './outbox';
import type { RemoteApi } from './remote';
import type { Batches } from '../batches';
import type { ContactLog } from '../cups/contact-log';
import { SitePack } from './site-pack';
import type {
  OfflineClaim,
  SitePackCandidate,
  SitePackItem,
  SitePackStatus,
} from '../../../src-shared/contract/site-pack-views';
import { textOf, textOrNull } from '../rows';
import { AuditWriter } from '../audit';
import { euiFromHex, euiHex, formatId6, parseIdField } from '../../../src-shared/ids';
import { base64ToBytes, bytesToHex } from '../../../src-shared/bytes';
import { DomainError, isDomainError } from '../../../src-shared/errors';
import {
  applyRemoteVersions,
  checkAdoptable,
  type MirrorState,
  type RemoteSecrets,
  type RemoteVersion,
} from './adopt';
import { runCommitHooks, type WriteOperation } from './commit';
import { entryGatewayHexes, entryView, versionsOf } from './views';

/** Builds the HTTPS client of a link (the adapter). */
export type RemoteFactory = (link: SyncLink, apiKey: string) => RemoteApi;

/** Sync status (UI header, dashboard, `gwjs sync status`): the shape of `src-shared/contract/sync-views.ts`. */
export type { SyncStatus, Resolution } from '../../../src-shared/contract/sync-views';

/**
 * The station's own gateways as adopting the remote's version touches them (docs/sync.md
 * "Conflicts"): the local batches (a twin's rows name theirs) and what CUPS caches of a gateway.
 */
export interface AdoptTargets {
  batches: Batches;
  /** forgets what CUPS cached of a gateway (its row or setup changed) */
  forget: (hex: string) => void;
  /** the last CUPS contacts: an un-claimed gateway's is forgotten, as by a delete */
  contacts: Pick<ContactLog, 'forget'>;
}

/** Options of {@link StationSync}. */
export interface StationSyncOptions {
  intervalMs?: number;
  backoff?: Partial<BackoffOptions>;
}

const SYNC_PRINCIPAL: Principal = {
  kind: 'system',
  id: SYNC_PRINCIPAL_ID,
  ownerId: null,
  scopes: new Set(['admin']),
};

/** What a factory link (no owner, docs/sync.md "Factory records") cannot do. */
function factoryLinkHasNo(what: string): DomainError {
  return new DomainError(
    'not_configured',
    `sync: a factory link has no owner, so no ${what}; link with --owner for one (gwjs sync link)`,
  );
}

/**
 * Oldest a site pack gets while the link is up: a round refreshes it once it is this old, even when
 * nothing moved, so a certificate revoked at the remote stops working offline within this time
 * of the station being online (docs/sync.md "Site packs").
 */
export const SITE_PACK_MAX_AGE_MS = 15 * 60_000;

/** The station's sync service. */
export class StationSync {
  readonly outbox: Outbox;
  /** the site pack local CUPS serves from (docs/sync.md "Site packs") */
  readonly sitePack: SitePack;
  #link: SyncLink | undefined;
  #engine: SyncEngine | undefined;
  #remote: RemoteApi | undefined;
  #loop: SyncLoop | undefined;
  /** the process runs the loop (gwjs serve, desktop): a link made later starts it too */
  #loopWanted = false;
  #online: boolean | null = null;
  #lastSuccessAt: string | null = null;
  /** when a pull of the change feed last succeeded (this process) */
  #lastPullAt: string | null = null;
  #storedSuccessAt: string | null = null;
  #errorStored = false;
  readonly #options: { intervalMs: number; backoff: BackoffOptions };
  readonly #traffic = { requests: 0, bytesOut: 0, bytesIn: 0 };

  constructor(
    private readonly env: CoreEnv,
    private readonly owner: OwnerService,
    private readonly remoteFactory: RemoteFactory,
    options: StationSyncOptions = {},
    sitePack?: SitePack,
    private readonly local?: AdoptTargets,
  ) {
    this.outbox = new Outbox(env);
    this.sitePack = sitePack ?? new SitePack(env);
    // a firmware delivery made from the pack goes to the remote (docs/sync.md "Firmware from the pack")
    this.sitePack.onDelivered = async (tx, d) => {
      const link = this.#link;
      if (link === undefined || link.ownerHex === null) return;
      const item = {
        gateway: formatId6(euiFromHex(d.hex)),
        fwcrc: d.fwcrc,
        fwafter: d.fwAfter,
        sentAt: d.sentAt,
        keyCrc: d.keyCrc,
        package: d.package,
      };
      await this.outbox.enqueue(tx, 'firmware-sent', link.ownerHex, [item], d.sentAt);
    };
    this.#options = {
      intervalMs: options.intervalMs ?? 30_000,
      backoff: { baseMs: 1_000, maxMs: 5 * 60_000, ...options.backoff },
    };
  }

  /** Loads the stored link (call once after the core is built). */
  async open(): Promise<void> {
    this.#setLink(await loadLink(this.env));
  }

  #setLink(link: SyncLink | undefined): void {
    this.#remote?.close();
    this.#remote = undefined;
    this.#engine = undefined;
    this.#link = link;
    this.outbox.setLink(link);
  }

  async #engineOf(): Promise<SyncEngine> {
    if (this.#link === undefined)
      throw new DomainError('not_configured', 'sync: this station has no remote link (gwjs sync link)');
    if (this.#engine === undefined) {
      const apiKey = await linkApiKey(this.env);
      this.#remote = this.remoteFactory(this.#link, apiKey);
      this.#engine = new SyncEngine(this.env, this.outbox, this.#link, this.#remote);
      this.#engine.traffic.requests = this.#traffic.requests;
    }
    return this.#engine;
  }

  /**
   * Links the station to a remote (admin). Pending operations of another owner stay queued. Where
   * the process runs the loop (a link made from the Sync screen of `gwjs serve`), it starts now.
   */
  async link(ctx: RequestContext, input: SyncLinkInput): Promise<SyncStatus> {
    this.#setLink(await saveLink(this.env, ctx, input));
    if (this.#loopWanted) this.startLoop();
    return this.status();
  }

  /** Removes the link (admin); the loop stops (and starts again with the next link). */
  async unlink(ctx: RequestContext): Promise<void> {
    await this.#stopRunningLoop();
    await removeLink(this.env, ctx);
    // another remote's (or no remote's) pack must not be served
    await this.sitePack.clear();
    this.#setLink(undefined);
  }

  /** Pulls the change feed once. @throws DomainError('not_configured') on a factory link. */
  async pull(ctx: RequestContext): Promise<PullReport> {
    requireAdmin(ctx);
    if (this.#link?.ownerHex === null) throw factoryLinkHasNo('change feed');
    return this.#recorded(async (e) => this.#pulled(await e.pull()));
  }

  /** Pushes the outbox once. */
  async push(ctx: RequestContext): Promise<PushReport> {
    requireAdmin(ctx);
    return this.#recorded(async (e) => e.push());
  }

  /** One round now: pull, push, pull (through the loop when it runs, so rounds never overlap). */
  async syncNow(ctx: RequestContext): Promise<SyncStatus> {
    requireAdmin(ctx);
    if (this.#loop !== undefined) await this.#loop.now();
    else await this.#round();
    return this.status();
  }

  async #round(): Promise<void> {
    await this.#recorded(async (e) => {
      // a factory link has no owner: no feed to pull, no pack; it only pushes (docs/sync.md)
      if (this.#link?.ownerHex === null) {
        await e.push();
        return;
      }
      const before = this.#pulled(await e.pull());
      const pushed = await e.push();
      const after = this.#pulled(await e.pull());
      // the pack follows the remote: refreshed when anything moved (or it was never fetched), so a
      // quiet round costs no pack request — and at least every SITE_PACK_MAX_AGE_MS, because what
      // the change feed does not carry (a certificate revoked at the remote) must reach the pack
      // too (docs/sync.md "Site packs")
      const status = await this.sitePack.status();
      if (
        status.present &&
        (status.fetchedAt === null ||
          this.env.clock.now() - Date.parse(status.fetchedAt) >= SITE_PACK_MAX_AGE_MS ||
          before.changes + after.changes > 0 ||
          pushed.sent + pushed.rejected + pushed.conflict > 0)
      ) {
        await this.#refreshPack(e);
      }
    });
  }

  async #refreshPack(e: SyncEngine): Promise<SitePackStatus> {
    const selection = (await this.sitePack.selection()) ?? null;
    const link = this.#link!;
    if (link.ownerHex === null) throw factoryLinkHasNo('site pack');
    const pack = await e.sitePack(
      selection?.map((h) => formatId6(euiFromHex(h))),
      await this.sitePack.heldFirmware(),
    );
    if (pack.ownerid !== link.ownerId6)
      throw new SyncStopped(
        `site pack: the remote packed owner ${pack.ownerid}, not ${link.ownerId6}`,
        false,
      );
    await this.sitePack.replace(link.ownerHex, selection, pack);
    this.env.logger.info(
      { gateways: pack.gateways.length, skipped: pack.skipped.length, createdAt: pack.createdAt },
      'sync: site pack stored',
    );
    return this.sitePack.status();
  }

  /**
   * Chooses the gateways of the site pack (ids in any form; null = every gateway of the owner;
   * undefined = keep the current choice) and fetches the pack from the remote at once
   * (docs/sync.md "Site packs"). Offline, the choice is stored and fetched by the next round.
   * @throws DomainError('not_configured' | 'invalid_request'); SyncStopped when the remote fails.
   */
  async fetchSitePack(ctx: RequestContext, gateways?: readonly string[] | null): Promise<SitePackStatus> {
    requireAdmin(ctx);
    if (this.#link === undefined)
      throw new DomainError('not_configured', 'sync: this station has no remote link (gwjs sync link)');
    const ownerHex = this.#link.ownerHex;
    if (ownerHex === null) throw factoryLinkHasNo('site pack');
    if (gateways !== undefined) {
      await this.sitePack.choose(ownerHex, gateways === null ? null : SitePack.parseSelection(gateways));
    } else if ((await this.sitePack.selection()) === undefined) {
      await this.sitePack.choose(ownerHex, null);
    }
    return this.#recorded((e) => this.#refreshPack(e));
  }

  /** What the stored pack holds as a whole (no network access). */
  sitePackStatus(): Promise<SitePackStatus> {
    return this.sitePack.status();
  }

  /** The packed gateways (the picker; no blob, no verifier). */
  sitePackGateways(): Promise<SitePackItem[]> {
    return this.sitePack.list();
  }

  /**
   * What the site-pack picker offers: every gateway the owner holds at the remote as the mirror
   * last pulled it, whether it is packed and set up there.
   */
  async sitePackCandidates(): Promise<SitePackCandidate[]> {
    await this.sitePack.ready();
    const rows = await this.env.store.read((tx) =>
      tx.all('SELECT eui, state FROM sync_mirror WHERE state IS NOT NULL ORDER BY eui'),
    );
    return rows.map((r) => {
      const hex = textOf(r, 'eui');
      const state = JSON.parse(textOf(r, 'state')) as { setup: unknown };
      return {
        gateway: formatId6(euiFromHex(hex)),
        packed: this.sitePack.entry(hex) !== undefined,
        configured: state.setup !== null,
      };
    });
  }

  #pulled<T>(report: T): T {
    this.#lastPullAt = isoAt(this.env.clock.now());
    return report;
  }

  /**
   * How far behind sync is (docs/sync.md "Sync lag", the `/metrics` gauges), by the core's clock:
   * seconds since the oldest outbox entry still pending was made (0 when none), and since the
   * last successful pull (null when the station is not linked or never pulled).
   */
  async lag(): Promise<{ pushSeconds: number; pullSeconds: number | null }> {
    const now = this.env.clock.now();
    const oldest = await this.outbox.oldestPendingAt();
    const pulled =
      this.#link === undefined || this.#link.ownerHex === null
        ? null
        : (this.#lastPullAt ?? (await loadLink(this.env))?.lastSuccessAt ?? null);
    return {
      pushSeconds: oldest === null ? 0 : Math.max(0, (now - Date.parse(oldest)) / 1000),
      pullSeconds: pulled === null ? null : Math.max(0, (now - Date.parse(pulled)) / 1000),
    };
  }

  /** Runs `fn` on the engine, recording success or the error in the link row. */
  async #recorded<T>(fn: (e: SyncEngine) => Promise<T>): Promise<T> {
    const engine = await this.#engineOf();
    const at = isoAt(this.env.clock.now());
    try {
      const out = await fn(engine);
      this.#online = true;
      this.#lastSuccessAt = at;
      // the stored time is refreshed at most once a minute (and at once after an error), so a
      // steady loop does not write the store every round; status() shows the exact time
      const stored = this.#storedSuccessAt;
      if (this.#errorStored || stored === null || Date.parse(at) - Date.parse(stored) >= 60_000) {
        await this.env.store.transaction((tx) =>
          tx.run("UPDATE sync_link SET last_success_at = ?, last_error = NULL WHERE id = 'remote'", [at]),
        );
        this.#storedSuccessAt = at;
        this.#errorStored = false;
      }
      return out;
    } catch (e) {
      this.#online = !(e instanceof SyncStopped && e.transient);
      const message = e instanceof Error ? e.message : String(e);
      await this.env.store
        .transaction((tx) =>
          tx.run("UPDATE sync_link SET last_error = ?, last_error_at = ? WHERE id = 'remote'", [message, at]),
        )
        .then(() => {
          this.#errorStored = true;
        })
        .catch(() => undefined);
      throw e;
    } finally {
      this.#traffic.requests = engine.traffic.requests;
      this.#traffic.bytesOut = engine.traffic.bytesOut;
      this.#traffic.bytesIn = engine.traffic.bytesIn;
    }
  }

  /** Starts the loop (without a link: once one is made). */
  startLoop(): void {
    this.#loopWanted = true;
    if (this.#link === undefined || this.#loop !== undefined) return;
    this.#loop = new SyncLoop(() => this.#round(), {
      ...this.#options,
      random01: () => {
        const b = this.env.random.bytes(4);
        return (((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0) / 2 ** 32;
      },
      now: () => this.env.clock.now(),
    });
    this.#loop.start();
  }

  /** Stops the loop and waits for a running round; a later link does not start it. */
  async stopLoop(): Promise<void> {
    this.#loopWanted = false;
    await this.#stopRunningLoop();
  }

  async #stopRunningLoop(): Promise<void> {
    const loop = this.#loop;
    this.#loop = undefined;
    await loop?.stop();
  }

  /** The status (no network access). */
  async status(): Promise<SyncStatus> {
    const link = this.#link === undefined ? undefined : await loadLink(this.env);
    const next = this.#loop?.nextAt ?? null;
    return {
      linked: link !== undefined,
      url: link?.url ?? null,
      ownerId: link?.ownerId6 ?? null,
      caFingerprint: link?.caFingerprint ?? null,
      online: this.#online,
      looping: this.#loop !== undefined,
      lastSuccessAt: this.#lastSuccessAt ?? link?.lastSuccessAt ?? null,
      lastError: link?.lastError ?? null,
      lastErrorAt: link?.lastErrorAt ?? null,
      nextAttemptAt: next === null ? null : isoAt(next),
      failures: this.#loop?.failures ?? 0,
      cursor: link?.cursor ?? null,
      counts: await this.outbox.counts(),
      traffic: { ...this.#traffic },
    };
  }

  /** Outbox entries (admin or installer screens). */
  async entries(filter: {
    states?: readonly OutboxState[];
    afterSeq?: number;
    limit?: number;
  }): Promise<OutboxEntry[]> {
    return this.outbox.list(filter);
  }

  /**
   * Resolves a rejected or conflicting operation (docs/sync.md "Conflicts"): `drop` forgets it,
   * `reapply` queues it again as a new operation based on the remote's current state (claims need
   * the PINs again: `pins` by gateway), `adopt` makes each gateway's local state the
   * remote's (`adopt.ts`; never queued). Audited per gateway (`sync.reapply` / `sync.drop` /
   * `sync.adopt`) in the transaction that marks the operation — for an adopt also the one that
   * writes the remote's state.
   * @throws DomainError('not_found' | 'conflict' | 'invalid_request').
   */
  async resolve(
    ctx: RequestContext,
    seq: number,
    action: Resolution,
    pins: Record<string, string> = {},
  ): Promise<OutboxEntry> {
    requireAdmin(ctx);
    const entry = await this.entry(seq);
    if (entry.state !== 'conflict' && entry.state !== 'rejected') {
      throw new DomainError(
        'conflict',
        `outbox: operation ${seq} is ${entry.state}, only rejected or conflicting ones are resolved`,
      );
    }
    if (action === 'adopt' && (entry.operation === 'factory' || entry.ownerHex === null)) {
      // a factory record has no remote version to take (docs/sync.md "Factory records")
      throw new DomainError(
        'invalid_request',
        `action: operation ${seq} is a factory record: re-apply or drop it, there is no remote version to adopt`,
        { field: 'action' },
      );
    }
    // adopt: the remote's version of every gateway, written with the outbox mark below (adopt.ts)
    const adopted = action === 'adopt' ? await this.#remoteVersions(entry, entry.ownerHex!) : undefined;
    let items = entry.items;
    if (action === 'reapply' && entry.operation === 'claim') {
      // PINs by gateway in any id form (the screens name gateways by ID6)
      const byHex = new Map(Object.entries(pins).map(([g, pin]) => [itemGatewayHex(g) ?? g, pin]));
      items = entry.items.map((i) => {
        const gw = (i as { gateway: string }).gateway;
        const pin = pins[gw] ?? byHex.get(itemGatewayHex(i) ?? gw);
        if (pin === undefined)
          throw new DomainError('invalid_request', `pins: the claim PIN of ${gw} is needed to re-apply`, {
            field: 'pins',
          });
        return { gateway: gw, claim: pin };
      });
    }
    const at = isoAt(this.env.clock.now());
    let changed: string[] = [];
    await this.env.store.transaction(async (tx) => {
      const state: OutboxState = action === 'adopt' ? 'adopted' : 'dropped';
      if (adopted !== undefined) {
        const done = await applyRemoteVersions(tx, { ...adopted.local, at }, adopted.versions);
        changed = done.changed;
        for (const hex of done.released) this.local?.contacts.forget(hex);
        for (const hex of changed) this.local?.forget(hex);
        const ownerHex = adopted.local.ownerHex;
        await runCommitHooks(this.env.commitHooks, tx, {
          operation: entry.operation as WriteOperation,
          owner: { id: euiFromHex(ownerHex), hex: ownerHex, id6: formatId6(euiFromHex(ownerHex)) },
          ctx: { principal: SYNC_PRINCIPAL },
          items: [],
          results: [],
          changed,
          at,
        });
      }
      await tx.run('UPDATE sync_outbox SET state = ? WHERE seq = ?', [state, seq]);
      const requeued =
        action === 'reapply'
          ? await this.outbox.enqueue(tx, entry.operation, entry.ownerHex, items, at)
          : undefined;
      const audit = new AuditWriter(tx, ctx, at);
      for (const hex of entryGatewayHexes(entry)) {
        await audit.queue(`sync.${action}`, formatId6(euiFromHex(hex)), {
          seq,
          opId: entry.opId,
          operation: entry.operation,
          was: entry.state,
          ...(requeued !== undefined ? { requeuedAs: requeued } : {}),
        });
      }
      await audit.flush();
    });
    for (const hex of changed) this.local?.forget(hex);
    if (adopted?.packStale === true) {
      // a station without the root key serves CUPS from the pack: take the remote's verifiers and
      // credentials now (offline: the next round does)
      await this.#recorded((e) => this.#refreshPack(e)).catch(() => undefined);
    }
    return this.entry(seq);
  }

  /**
   * The remote's version of each gateway of an operation (adopt.ts): the mirror's state — a gateway
   * the mirror does not have is not held by the owner there when the remote refused its item or
   * the operation was a claim or an add — and the blobs and token digests of a site pack fetched
   * for them now, or, with the link down, of the stored pack.
   * @throws DomainError('conflict') when a version is not known here.
   */
  async #remoteVersions(
    entry: OutboxEntry,
    ownerHex: string,
  ): Promise<{
    versions: RemoteVersion[];
    local: { ownerHex: string; batchIdOf: (hex: string) => string | null };
    packStale: boolean;
  }> {
    const hexes = entryGatewayHexes(entry);
    const mirror = (await this.mirrorOf(hexes)) as Record<string, { state: MirrorState }>;
    const refused = new Set(
      Array.isArray(entry.answer)
        ? entry.answer.flatMap((i) => (i.code === undefined ? [] : [itemGatewayHex(i.gateway) ?? '']))
        : entry.answer !== null
          ? hexes
          : [],
    );
    const states = hexes.map((hex): MirrorState => {
      const m = mirror[hex];
      if (m !== undefined) return m.state;
      if (entry.operation === 'claim' || entry.operation === 'add' || refused.has(hex)) return null;
      throw new DomainError(
        'conflict',
        `adopt: the remote’s version of ${formatId6(euiFromHex(hex))} is not known here (pull first)`,
      );
    });
    const secrets = new Map<string, RemoteSecrets>();
    let fetched = false;
    if (states.some((s) => s !== null)) {
      try {
        const engine = await this.#engineOf();
        const pack = await engine.sitePack(hexes.map((h) => formatId6(euiFromHex(h))));
        fetched = true;
        for (const g of pack.gateways) {
          secrets.set(euiHex(parseIdField(g.gateway, 'gateway')), {
            cupsCred: g.desired?.cupsCred == null ? null : base64ToBytes(g.desired.cupsCred),
            lnsCred: g.desired?.lnsCred == null ? null : base64ToBytes(g.desired.lnsCred),
            headerSha256: g.verifiers.find((v) => v.kind === 'header')?.sha256 ?? null,
          });
        }
      } catch (e) {
        if (!(e instanceof SyncStopped) && !isDomainError(e)) throw e;
        await this.sitePack.ready();
        for (const h of hexes) {
          const p = this.sitePack.entry(h);
          if (p === undefined) continue;
          const header = p.verifiers.find((v) => v.kind === 'header');
          secrets.set(h, {
            cupsCred: p.desired?.cupsCred ?? null,
            lnsCred: p.desired?.lnsCred ?? null,
            headerSha256: header === undefined ? null : bytesToHex(header.digest),
          });
        }
      }
    }
    const versions = hexes.map((hex, i) => ({ hex, state: states[i]!, secrets: secrets.get(hex) }));
    checkAdoptable(versions);
    const batchOf = this.local === undefined ? undefined : await this.local.batches.snapshot();
    return {
      versions,
      local: {
        ownerHex,
        batchIdOf: (hex) => batchOf?.(BigInt(`0x${hex}`))?.row.id ?? null,
      },
      packStale: fetched && (await this.sitePack.status()).present,
    };
  }

  /** One outbox entry. @throws DomainError('not_found'). */
  async entry(seq: number): Promise<OutboxEntry> {
    const entry = (await this.outbox.list({ afterSeq: seq - 1, limit: 1 }))[0];
    if (entry === undefined || entry.seq !== seq)
      throw new DomainError('not_found', `outbox: no operation ${seq}`, { field: 'seq' });
    return entry;
  }

  /**
   * Both versions of the gateways of one operation (the conflict view): this station's state and
   * the remote's (mirror), with the remote's answer. @throws DomainError('not_found').
   */
  async versions(seq: number): Promise<OperationVersions> {
    const entry = await this.entry(seq);
    return { entry: entryView(entry), gateways: await versionsOf(this.env, entry) };
  }

  /** A page of the outbox as the screens see it (secrets held back), in push order. */
  async outboxPage(filter: {
    states?: readonly OutboxState[] | undefined;
    afterSeq?: number | undefined;
    limit?: number | undefined;
  }): Promise<{ entries: OutboxEntryView[]; more: boolean }> {
    const limit = filter.limit ?? 200;
    const rows = await this.outbox.list({
      ...(filter.states !== undefined ? { states: filter.states } : {}),
      afterSeq: filter.afterSeq ?? 0,
      limit: limit + 1,
    });
    return { entries: rows.slice(0, limit).map(entryView), more: rows.length > limit };
  }

  /**
   * One round now for the screens' "Sync now": like {@link syncNow}, but a round the link stopped
   * (remote down, key refused, HSM locked) answers the status with the reason instead of throwing.
   * @throws DomainError('not_configured') without a link.
   */
  async syncNowReport(ctx: RequestContext): Promise<SyncStatus & { roundError: string | null }> {
    requireAdmin(ctx);
    if (this.#link === undefined)
      throw new DomainError('not_configured', 'sync: this station has no remote link (gwjs sync link)');
    let roundError: string | null = null;
    try {
      await this.syncNow(ctx);
    } catch (e) {
      // what stopped the round is also the link's last error (status); the screen shows it at once
      roundError = e instanceof Error ? e.message : String(e);
    }
    return { ...(await this.status()), roundError };
  }

  /** Offline claims and what the remote said of them (docs/sync.md "Offline claims"). */
  async claims(): Promise<OfflineClaim[]> {
    const rows = await this.env.store.read((tx) =>
      tx.all('SELECT * FROM sync_claims ORDER BY created_at, eui'),
    );
    return rows.map((r) => ({
      gateway: formatId6(euiFromHex(textOf(r, 'eui'))),
      ownerId: formatId6(euiFromHex(textOf(r, 'owner_id'))),
      opId: textOf(r, 'op_id'),
      state: textOf(r, 'state') as OfflineClaim['state'],
      message: textOrNull(r, 'message'),
      createdAt: textOf(r, 'created_at'),
      answeredAt: textOrNull(r, 'answered_at'),
    }));
  }

  /** Mirror entries of some gateways (conflict view: the remote's side). */
  async mirrorOf(hexes: readonly string[]): Promise<Record<string, unknown>> {
    const out: Record<string, unknown> = {};
    await this.env.store.read(async (tx) => {
      for (const h of hexes) {
        const r = await tx.get('SELECT * FROM sync_mirror WHERE eui = ?', [h]);
        if (r !== undefined)
          out[h] = { ...r, state: r.state === null ? null : (JSON.parse(textOf(r, 'state')) as unknown) };
      }
    });
    return out;
  }

  /** Stops the loop and closes the remote connections. */
  async close(): Promise<void> {
    await this.stopLoop();
    this.#remote?.close();
  }
}

export { itemGatewayHex };
