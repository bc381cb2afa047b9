/**
 * Gateways: the owner's gateways (or every gateway, for admins) in a windowed table that reads
 * pages from the server as it scrolls, filtered server-side by any id form or an EUI prefix and by
 * state; the selected row opens the detail panel.
 */
import { useCallback, useEffect, useMemo, useState, type ReactNode } from 'react';
import { GATEWAY_STATES, type GatewayRow, type GatewayState } from '../../src-shared/ipc';
import { ErrorNotice } from '../components/ErrorNotice';
import { formatAge, formatTime, outcomeLabel, outcomeTone, formatCount } from '../components/format';
import { ScreenHeader } from '../components/ScreenHeader';
import { useNarrow } from '../components/use-media';
import { VirtualTable, type Column } from '../components/VirtualTable';
import { useGateways } from '../stores/gateways-store';
import { useNav } from '../stores/nav-store';
import { useSession } from '../stores/session-store';
import { GatewayDetailPanel } from './GatewayDetail';

const STATE_LABEL: Record<GatewayState, string> = {
  any: 'Any state',
  unconfigured: 'Not set up',
  configured: 'Set up',
  never_seen: 'Never seen',
  failing: 'Last contact failed',
};

const COL: Record<string, Column<GatewayRow>> = {
  gateway: {
    key: 'gateway',
    title: 'Gateway (ID6)',
    width: 'minmax(150px, 1.1fr)',
    className: 'mono',
    render: (r) => r.gateway,
  },
  eui: {
    key: 'eui',
    title: 'EUI-64',
    width: 'minmax(185px, 1.2fr)',
    className: 'mono',
    render: (r) => r.eui,
  },
  owner: {
    key: 'owner',
    title: 'Owner',
    width: 'minmax(80px, 0.6fr)',
    className: 'mono',
    render: (r) => r.owner ?? (r.unit ? 'unclaimed' : '—'),
  },
  origin: { key: 'origin', title: 'Origin', width: '70px', render: (r) => r.origin },
  setup: {
    key: 'setup',
    title: 'Setup',
    width: '104px',
    render: (r) =>
      r.configured ? <span className="chip ok">set up</span> : <span className="muted">not set up</span>,
  },
  contact: {
    key: 'contact',
    title: 'Last contact',
    width: '104px',
    render: (r) => <span title={formatTime(r.lastContactAt)}>{formatAge(r.lastContactAt)}</span>,
  },
  outcome: {
    key: 'outcome',
    title: 'Outcome',
    width: '136px',
    render: (r) =>
      r.lastOutcome ? (
        <span className={`chip ${outcomeTone(r.lastOutcome)}`}>{outcomeLabel(r.lastOutcome)}</span>
      ) : (
        '—'
      ),
  },
};

/**
 * The columns that fit: the owner only when every owner is listed; origin and outcome only when the
 * detail panel leaves room (1280 px wide screens); on a phone only the ID6, setup and last contact
 * (the detail panel has the rest).
 */
function gatewayColumns(allOwners: boolean, detailOpen: boolean, phone = false): Column<GatewayRow>[] {
  if (phone) {
    return [
      { ...COL.gateway!, width: 'minmax(140px, 1fr)' },
      { ...COL.setup!, width: '100px' },
      { ...COL.contact!, title: 'Seen', width: '80px' },
    ];
  }
  const keys = ['gateway', 'eui'];
  if (allOwners) keys.push('owner');
  if (!detailOpen) keys.push('origin');
  keys.push('setup', 'contact');
  if (!detailOpen) keys.push('outcome');
  return keys.map((k) => COL[k]!);
}

/** Milliseconds of typing pause before the filter is sent. */
const SEARCH_DEBOUNCE_MS = 150;

/** The gateways screen. */
export function GatewaysScreen(): ReactNode {
  const g = useGateways();
  const session = useSession((s) => s.session);
  const ownerId = useSession((s) => s.ownerId);
  const can = useSession((s) => s.can);
  const go = useNav((s) => s.go);
  const bound = session?.operator.ownerId ?? null;
  const [scope, setScope] = useState<'owner' | 'all'>(ownerId === null && bound === null ? 'all' : 'owner');
  const [search, setSearch] = useState(g.search);

  const scopeOwner = bound ?? (scope === 'owner' ? ownerId : null);

  useEffect(() => {
    const t = setTimeout(
      () => g.setQuery({ ownerId: scopeOwner, search }),
      g.total === null ? 0 : SEARCH_DEBOUNCE_MS,
    );
    return () => clearTimeout(t);
  }, [scopeOwner, search]);

  const ensureRange = useGateways((s) => s.ensureRange);
  const onRange = useCallback((start: number, end: number) => void ensureRange(start, end), [ensureRange]);
  const row = useGateways((s) => s.row);
  // `version` changes when a page arrives; the getter must change with it to re-render rows.
  const version = g.version;
  const getRow = useMemo(() => (i: number) => (version >= 0 ? row(i) : undefined), [row, version]);

  const total = g.total;
  const phone = useNarrow();
  const columns = useMemo(
    () => gatewayColumns(scopeOwner === null, g.detail !== null, phone),
    [scopeOwner, g.detail, phone],
  );
  const resetKey = `${scopeOwner ?? '*'}|${g.search}|${g.state}`;
  return (
    <section className="screen fill" aria-label="Gateways">
      <ScreenHeader title="Gateways">
        <span className="muted" aria-live="polite" data-testid="gateway-count">
          {total === null ? 'Loading…' : `${formatCount(total)} gateway${total === 1 ? '' : 's'}`}
          {g.elapsedMs !== null && total !== null && ` · ${g.elapsedMs} ms`}
        </span>
        <button type="button" className="btn secondary" onClick={() => g.refresh()}>
          Refresh
        </button>
      </ScreenHeader>
      <div className="row gap">
        <input
          id="gateway-search"
          type="search"
          className="mono"
          style={{ flex: '1 1 320px' }}
          placeholder="Search: ID6, EUI-64, MAC, or the start of an EUI   ( / )"
          aria-label="Search gateways"
          value={search}
          onChange={(e) => setSearch(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'ArrowDown' || e.key === 'Enter') {
              e.preventDefault();
              const grid = document.querySelector<HTMLElement>('.vt');
              grid?.focus();
              if (total) g.select(g.selected ?? 0);
            } else if (e.key === 'Escape') setSearch('');
          }}
        />
        <select
          aria-label="State"
          value={g.state}
          onChange={(e) => g.setQuery({ state: e.target.value as GatewayState })}
        >
          {GATEWAY_STATES.map((s) => (
            <option key={s} value={s}>
              {STATE_LABEL[s]}
            </option>
          ))}
        </select>
        {bound === null && (
          <select
            aria-label="Whose gateways"
            value={scope}
            onChange={(e) => setScope(e.target.value as 'owner' | 'all')}
          >
            <option value="owner" disabled={ownerId === null}>
              {ownerId ? `Owner ${ownerId}` : 'Chosen owner'}
            </option>
            <option value="all">All owners</option>
          </select>
        )}
      </div>
      <ErrorNotice error={g.error} />
      <div
        className={`gw-layout${g.detail ? ' with-detail' : ''}`}
        onKeyDown={(e) => {
          if (e.key === 'Escape' && g.detail) {
            g.select(null);
            document.querySelector<HTMLElement>('.vt')?.focus();
          }
        }}
      >
        <div className="gw-list">
          <VirtualTable
            ariaLabel="Gateways"
            rowCount={total ?? 0}
            getRow={getRow}
            columns={columns}
            selectedIndex={g.selected}
            onSelect={(i) => g.select(i)}
            onActivate={(i) => g.select(i)}
            onRangeChange={onRange}
            dataVersion={g.version}
            scrollResetKey={resetKey}
            empty={
              total === null
                ? 'Loading…'
                : g.search
                  ? `No gateway matches “${g.search}”.`
                  : 'No gateways yet. Claim some on the Claim screen.'
            }
          />
        </div>
        {g.detail && (
          <GatewayDetailPanel
            detail={g.detail}
            onClose={() => {
              g.select(null);
              document.querySelector<HTMLElement>('.vt')?.focus();
            }}
            onSetup={can('gateways:setup') ? (id) => go('setup', [id]) : undefined}
            onDelete={can('gateways:delete') ? (id) => go('delete', [id]) : undefined}
          />
        )}
      </div>
    </section>
  );
}
