/**
 * The gateways table of the UI (the Gateways screen): one page of an owner's gateways, filtered
 * server-side by any id form, owner and state, with the total count — built to stay fast at
 * 100 000 rows: the page is chosen on the `gateways_owner (owner_id, eui)` index (or the primary
 * key) before the per-row joins, an EUI prefix search is an index range, never `LIKE`.
 * Also the live CUPS activity feed of the dashboard (newest `cups_contacts` rows by time, see
 * `src-shared/activity-feed.ts`).
 */
import { ACTIVITY_LAG_MS } from '../../../src-shared/activity-feed';
import { DomainError } from '../../../src-shared/errors';
import { euiFromHex, euiHex, formatEui64, formatId6, parseId, parseIdField } from '../../../src-shared/ids';
import type { GatewayPage, GatewayQuery } from '../../../src-shared/channels/gateways';
import type { ActivityItem, GatewayRow } from '../../../src-shared/ipc';
import { UNIT_STATES, type UnitState } from '../../../src-shared/factory-channels';
import type { Clock, SqlValue, Store } from '../ports';

const isUnitState = (v: string | null): v is UnitState => UNIT_STATES.includes(v as UnitState);

/** CUPS outcomes that count as healthy for the `failing` filter (anything else is failing). */
const HEALTHY_OUTCOMES: readonly string[] = ['ok', 'updated', 'unchanged', 'no_change', 'configured'];

/** Gateways table and activity feed. */
export interface GatewayQueryService {
  query(q: GatewayQuery): Promise<GatewayPage>;
  /**
   * CUPS contacts, oldest first. Without `after`: the newest `limit`. With `after` (the `cursor`
   * of an earlier answer; `''` = the start): the newest `limit` of those not older than the cursor
   * minus the lag — contacts written behind (late) are answered again, so a follower drops what it
   * has seen (`src-shared/activity-feed.ts`). `ownerId` restricts to one owner's gateways.
   */
  activity(input: {
    after?: string | undefined;
    limit?: number | undefined;
    ownerId?: string | null | undefined;
  }): Promise<{ items: ActivityItem[]; cursor: string }>;
}

/**
 * Reads an activity cursor: the time of the newest contact answered so far (ISO-8601), `''` at
 * the start of the feed.
 * @throws DomainError('invalid_request') naming `after` when it is not one.
 */
function parseActivityCursor(cursor: string): number | undefined {
  if (cursor === '') return undefined;
  const t = /^\d{4}-\d\d-\d\dT[0-9:.]+(?:Z|[+-]\d\d:\d\d)$/.test(cursor) ? Date.parse(cursor) : Number.NaN;
  if (Number.isNaN(t)) {
    throw new DomainError(
      'invalid_request',
      `after: ${JSON.stringify(cursor.slice(0, 80))} is not an activity cursor (use the cursor of the previous answer)`,
      { field: 'after' },
    );
  }
  return t;
}

/** How a search string narrows the EUI: exact id, a range of EUIs (prefix), or nothing matches. */
type EuiFilter =
  | { kind: 'none' }
  | { kind: 'exact'; eui: string }
  | { kind: 'range'; lo: string; hi: string }
  | { kind: 'empty' };

/**
 * Interprets the search box: a complete id in any SPEC §1.2 form matches exactly; a partial EUI
 * (`58-A0-CB`, `58a0cb`) or partial ID6 (`58a0:cbff:fe`) matches by EUI prefix; anything else
 * matches nothing (while the user is still typing, an empty table is kinder than an error).
 */
export function euiFilterOf(search: string | undefined): EuiFilter {
  const s = (search ?? '').trim();
  if (s === '') return { kind: 'none' };
  try {
    return { kind: 'exact', eui: euiHex(parseId(s).id) };
  } catch {
    // not a complete id: try a prefix
  }
  let prefix: string | undefined;
  if (/^[0-9A-Fa-f]{1,16}$/.test(s)) prefix = s;
  else if (/^[0-9A-Fa-f]{2}([-:][0-9A-Fa-f]{2})*[-:]?[0-9A-Fa-f]?$/.test(s) && !s.includes('::')) {
    prefix = s.replace(/[-:]/g, '');
  } else if (/^[0-9A-Fa-f]{1,4}(:[0-9A-Fa-f]{1,4}){0,3}:?$/.test(s)) {
    // ID6 without `::`: every complete group is 4 digits once zero-padded; the last may be partial
    const groups = s.split(':');
    const last = groups.pop()!;
    prefix = groups.map((g) => g.padStart(4, '0')).join('') + last;
  }
  if (prefix === undefined || prefix.length > 16) return { kind: 'empty' };
  const p = prefix.toUpperCase();
  return { kind: 'range', lo: p.padEnd(16, '0'), hi: p.padEnd(16, 'F') };
}

interface PageDbRow {
  [k: string]: SqlValue;
  eui: string;
  owner_id: string | null;
  origin: string | null;
  claimed_at: string | null;
  unit_state: string | null;
  setup_eui: string | null;
  last_at: string | null;
  last_outcome: string | null;
}

interface ContactDbRow {
  [k: string]: SqlValue;
  eui: string;
  at: string;
  outcome: string;
  address: string | null;
  station: string | null;
  model: string | null;
}

/** Creates the query service. */
export function createGatewayQueryService(deps: {
  store: Store;
  clock: Clock;
  /** how far behind its cursor the activity feed looks again (default {@link ACTIVITY_LAG_MS}) */
  activityLagMs?: number | undefined;
}): GatewayQueryService {
  const { store, clock } = deps;
  const lagMs = deps.activityLagMs ?? ACTIVITY_LAG_MS;

  return {
    async query(q) {
      const started = clock.now();
      const where: string[] = [];
      const params: SqlValue[] = [];
      if (q.ownerId !== null && q.ownerId !== undefined) {
        where.push('g.owner_id = ?');
        params.push(euiHex(parseIdField(q.ownerId, 'ownerId')));
      } else {
        where.push('g.owner_id IS NOT NULL');
      }
      const f = euiFilterOf(q.search);
      if (f.kind === 'empty')
        return { total: 0, offset: q.offset, rows: [], elapsedMs: clock.now() - started };
      if (f.kind === 'exact') {
        where.push('g.eui = ?');
        params.push(f.eui);
      } else if (f.kind === 'range') {
        where.push('g.eui BETWEEN ? AND ?');
        params.push(f.lo, f.hi);
      }
      let joins = '';
      switch (q.state ?? 'any') {
        case 'any':
          break;
        case 'configured':
          where.push('EXISTS (SELECT 1 FROM setups s WHERE s.eui = g.eui)');
          break;
        case 'unconfigured':
          where.push('NOT EXISTS (SELECT 1 FROM setups s WHERE s.eui = g.eui)');
          break;
        case 'never_seen':
          where.push('NOT EXISTS (SELECT 1 FROM cups_contacts c WHERE c.eui = g.eui)');
          break;
        case 'failing':
          joins = ' JOIN cups_contacts c ON c.eui = g.eui';
          where.push(`c.outcome NOT IN (${HEALTHY_OUTCOMES.map(() => '?').join(', ')})`);
          params.push(...HEALTHY_OUTCOMES);
          break;
      }
      const from = `FROM gateways g${joins} WHERE ${where.join(' AND ')}`;
      // Every owner, a search, no state filter: personalized units nobody has claimed yet are
      // found too (factory_units, docs/station-ui.md "Gateways"), listed without an owner.
      const withUnits =
        (q.ownerId === null || q.ownerId === undefined) && f.kind !== 'none' && (q.state ?? 'any') === 'any';
      let ids = `SELECT g.eui AS eui ${from}`;
      const idParams = [...params];
      if (withUnits) {
        const unitWhere = f.kind === 'exact' ? 'u.eui = ?' : 'u.eui BETWEEN ? AND ?';
        ids += ` UNION SELECT u.eui AS eui FROM factory_units u WHERE ${unitWhere} AND NOT EXISTS (SELECT 1 FROM gateways o WHERE o.eui = u.eui AND o.owner_id IS NOT NULL)`;
        idParams.push(...(f.kind === 'exact' ? [f.eui] : [f.lo, f.hi]));
      }
      const { total, rows } = await store.read(async (tx) => {
        const count = await tx.get<{ n: number | string }>(
          withUnits ? `SELECT COUNT(*) AS n FROM (${ids}) x` : `SELECT COUNT(*) AS n ${from}`,
          withUnits ? idParams : params,
        );
        // Pick the page on the index first, then join the page's rows only.
        const page = await tx.all<PageDbRow>(
          `SELECT p.eui, g.owner_id, g.origin, g.claimed_at, s.eui AS setup_eui, c2.at AS last_at, c2.outcome AS last_outcome, u.state AS unit_state
           FROM (${
             withUnits
               ? `SELECT eui FROM (${ids}) i ORDER BY eui`
               : `SELECT g.eui AS eui ${from} ORDER BY g.eui`
           } LIMIT ? OFFSET ?) p
           LEFT JOIN gateways g ON g.eui = p.eui
           LEFT JOIN setups s ON s.eui = p.eui
           LEFT JOIN cups_contacts c2 ON c2.eui = p.eui
           LEFT JOIN factory_units u ON u.eui = p.eui
           ORDER BY p.eui`,
          [...idParams, q.limit, q.offset],
        );
        return { total: Number(count?.n ?? 0), rows: page };
      });
      return {
        total,
        offset: q.offset,
        rows: rows.map((r) => {
          const id = euiFromHex(r.eui);
          return {
            gateway: formatId6(id),
            eui: formatEui64(id),
            owner: r.owner_id === null ? null : formatId6(euiFromHex(r.owner_id)),
            origin: r.origin === 'added' ? 'added' : 'batch',
            claimedAt: r.claimed_at,
            configured: r.setup_eui !== null,
            lastContactAt: r.last_at,
            lastOutcome: r.last_outcome,
            unit: isUnitState(r.unit_state) ? r.unit_state : null,
          } satisfies GatewayRow;
        }),
        elapsedMs: clock.now() - started,
      };
    },

    async activity(input) {
      const limit = Math.min(Math.max(input.limit ?? 50, 1), 200);
      const after = input.after === undefined ? undefined : parseActivityCursor(input.after);
      const ownerFilter = input.ownerId ? euiHex(parseIdField(input.ownerId, 'ownerId')) : undefined;
      const ownerSql = ownerFilter ? ' AND c.eui IN (SELECT eui FROM gateways WHERE owner_id = ?)' : '';
      const ownerParams = ownerFilter ? [ownerFilter] : [];
      // with a cursor, look again `lagMs` behind it: contacts written behind arrive late
      const since = after === undefined ? undefined : new Date(after - lagMs).toISOString();
      const rows = await store.read(async (tx) =>
        (
          await tx.all<ContactDbRow>(
            `SELECT c.eui, c.at, c.outcome, c.address, c.station, c.model FROM cups_contacts c
             WHERE ${since === undefined ? '1 = 1' : 'c.at >= ?'}${ownerSql}
             ORDER BY c.at DESC, c.eui DESC LIMIT ?`,
            [...(since === undefined ? [] : [since]), ...ownerParams, limit],
          )
        ).reverse(),
      );
      const items = rows.map((r): ActivityItem => ({
        gateway: formatId6(euiFromHex(r.eui)),
        at: r.at,
        outcome: r.outcome,
        address: r.address,
        station: r.station,
        model: r.model,
      }));
      const newest = rows.at(-1)?.at;
      const cursor =
        newest !== undefined && (input.after === undefined || newest > input.after)
          ? newest
          : (input.after ?? '');
      return { items, cursor };
    },
  };
}
