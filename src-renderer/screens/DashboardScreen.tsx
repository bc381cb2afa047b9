/**
 * Dashboard: where gateways and owners reach this station (URLs, TLS fingerprint), the HSM state,
 * counters, and the live feed of CUPS contacts.
 */
import { useEffect, type ReactNode } from 'react';
import { CopyButton } from '../components/CopyButton';
import { ErrorNotice } from '../components/ErrorNotice';
import { formatAge, formatTime, outcomeLabel, outcomeTone, formatCount } from '../components/format';
import { ScreenHeader } from '../components/ScreenHeader';
import { activityKey } from '../../src-shared/activity-feed';
import { useDashboard } from '../stores/dashboard-store';
import { PlainTable } from '../components/PlainTable';

function Stat({
  label,
  value,
  hint,
}: {
  label: string;
  value: number | undefined;
  hint?: string;
}): ReactNode {
  return (
    <div className="stat" title={hint}>
      <div className="value">{value === undefined ? '—' : formatCount(value)}</div>
      <div className="label">{label}</div>
      {hint && <div className="label muted stat-hint">{hint}</div>}
    </div>
  );
}

function Counters({ title, counts }: { title: string; counts: Record<string, number> }): ReactNode {
  const entries = Object.entries(counts).sort((a, b) => b[1] - a[1]);
  return (
    <div>
      <h3>{title}</h3>
      {entries.length === 0 ? (
        <p className="muted">No requests yet.</p>
      ) : (
        <PlainTable>
          {entries.map(([k, v]) => (
            <tr key={k}>
              <td>
                <span className={`chip ${outcomeTone(k)}`}>{outcomeLabel(k)}</span>
              </td>
              <td className="num">{formatCount(v)}</td>
            </tr>
          ))}
        </PlainTable>
      )}
    </div>
  );
}

/** A SHA-256 fingerprint in two rows of 16 bytes, easy to compare by eye with a printed sheet. */
function Fingerprint({ value, none }: { value: string | null; none: string }): ReactNode {
  if (!value) return <span className="muted">{none}</span>;
  const bytes = value.split(':');
  return (
    <code className="fingerprint" title={`SHA-256 ${value}`}>
      {bytes.slice(0, 16).join(':')}
      <br />
      {bytes.slice(16).join(':')}
    </code>
  );
}

/** The dashboard screen. */
export function DashboardScreen(): ReactNode {
  const { status, feed, error, load, live } = useDashboard();
  useEffect(() => {
    void load();
    return live();
  }, [load, live]);

  const c = status?.counters;
  return (
    <section className="screen" aria-label="Dashboard">
      <ScreenHeader title="Dashboard">
        <button type="button" className="btn secondary" onClick={() => void load()}>
          Refresh
        </button>
      </ScreenHeader>
      <ErrorNotice error={error} />
      {status?.hsm.locked && (
        <div className="notice error hsm-banner" role="alert">
          {status.hsm.tokenRemoved === true ? (
            <>
              <strong>HSM token removed — CUPS is stopped for the whole fleet.</strong> Every gateway poll is
              answered 503 until the token is plugged in again and an admin unlocks it with its PIN in
              Settings; claims, transfers and personalization wait too.
            </>
          ) : (
            <>
              <strong>HSM locked — CUPS is stopped for the whole fleet.</strong> Every gateway poll is
              answered 503 until an admin unlocks the HSM in Settings; claims, transfers and personalization
              wait too.
            </>
          )}
        </div>
      )}
      <div className="grid-4">
        <Stat
          label="Personalized"
          value={c?.personalized}
          hint="units with a bundle (factory line, pre-generation), claimed or not"
        />
        <Stat label="Claimed" value={c?.claimed} hint="gateways with an owner (personalized or added)" />
        <Stat label="Set up" value={c?.configured} />
        <Stat label="Owners" value={c?.owners} />
      </div>
      <div className="grid-2">
        <div className="card">
          <h2>Join server</h2>
          {status ? (
            <dl className="kv">
              {status.urls.map((u, i) => (
                <div key={u} style={{ display: 'contents' }}>
                  <dt>{i === 0 ? 'Address' : ''}</dt>
                  <dd className="copyable">
                    <code>{u}</code>
                    <CopyButton text={u} />
                  </dd>
                </div>
              ))}
              <dt>TLS certificate</dt>
              <dd>
                <Fingerprint value={status.tlsFingerprint} none="not serving TLS" />
              </dd>
              <dt>Station CA</dt>
              <dd>
                <Fingerprint value={status.caFingerprint} none="—" />
              </dd>
              <dt>Version</dt>
              <dd>{status.version}</dd>
            </dl>
          ) : (
            <p className="muted">Loading…</p>
          )}
          <p className="muted" style={{ marginTop: 10, marginBottom: 0 }}>
            Gateways must trust the station CA (their <code>cups.trust</code>); compare the fingerprint with
            the one on the installer’s sheet.
          </p>
        </div>
        <div className="card">
          <h2>HSM</h2>
          {status ? (
            <dl className="kv">
              <dt>State</dt>
              <dd>
                {status.hsm.tokenRemoved === true ? (
                  <span className="chip err">token removed</span>
                ) : (
                  <span className={`chip ${status.hsm.locked ? 'warn' : 'ok'}`}>
                    {status.hsm.locked ? 'locked' : 'unlocked'}
                  </span>
                )}
              </dd>
              <dt>Kind</dt>
              <dd>{status.hsm.kind === 'pkcs11' ? 'PKCS#11 token' : 'Software keystore'}</dd>
              <dt>Root keys</dt>
              <dd>{status.hsm.keyCount}</dd>
              <dt>Detail</dt>
              <dd>{status.hsm.detail}</dd>
            </dl>
          ) : (
            <p className="muted">Loading…</p>
          )}
          {status?.hsm.locked && (
            <p className="notice warn" style={{ marginTop: 10 }}>
              While the HSM is locked, claims cannot check PINs and gateways cannot authenticate to CUPS.
            </p>
          )}
        </div>
      </div>
      {status?.sync?.linked && (
        <div className="card" aria-label="Sync">
          <h2>Sync with the remote join server</h2>
          <dl className="kv">
            <dt>Remote</dt>
            <dd>
              <code>{status.sync.url}</code>
            </dd>
            <dt>State</dt>
            <dd>
              {status.sync.online === null ? 'not synced yet' : status.sync.online ? 'online' : 'offline'}
            </dd>
            <dt>Last success</dt>
            <dd>{status.sync.lastSuccessAt ?? 'never'}</dd>
            <dt>Outbox</dt>
            <dd>
              {status.sync.pending} pending · {status.sync.rejected} rejected · {status.sync.conflict}{' '}
              conflict
            </dd>
            {status.sync.lastError !== null && (
              <>
                <dt>Last error</dt>
                <dd>{status.sync.lastError}</dd>
              </>
            )}
          </dl>
        </div>
      )}
      <div className="grid-2" style={{ gridTemplateColumns: 'minmax(0, 2fr) minmax(0, 1fr)' }}>
        <div className="card">
          <h2>Live CUPS activity</h2>
          {feed.length === 0 ? (
            <p className="muted">No gateway has contacted this station yet.</p>
          ) : (
            <PlainTable columns={['When', 'Gateway', 'Outcome', 'Model', 'From']} label="CUPS contacts">
              {feed.map((f) => (
                <tr key={activityKey(f)}>
                  <td className="nowrap" title={formatTime(f.at)}>
                    {formatAge(f.at)}
                  </td>
                  <td className="mono nowrap">{f.gateway}</td>
                  <td>
                    <span className={`chip ${outcomeTone(f.outcome)}`}>{outcomeLabel(f.outcome)}</span>
                  </td>
                  <td className="nowrap" title={f.station ?? ''}>
                    {f.model ?? '—'}
                  </td>
                  <td className="mono">{f.address ?? '—'}</td>
                </tr>
              ))}
            </PlainTable>
          )}
        </div>
        <div className="card">
          <h2>Requests</h2>
          <Counters title="CUPS" counts={c?.cups ?? {}} />
          <Counters title="Owner API" counts={c?.ownerApi ?? {}} />
        </div>
      </div>
    </section>
  );
}
