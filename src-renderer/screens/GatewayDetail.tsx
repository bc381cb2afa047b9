/**
 * Detail panel of one gateway: identity, setup with secrets masked (which credentials are set and
 * the CRC CUPS will send, against the CRC the gateway last reported), last contact with the
 * reported station/model/package, firmware, and the gateway's audit trail.
 */
import type { ReactNode } from 'react';
import type { GatewayInfoView } from '../../src-shared/ipc';
import { ErrorNotice } from '../components/ErrorNotice';
import { formatAge, formatCrc, formatTime, outcomeLabel, outcomeTone } from '../components/format';
import type { GatewayDetail } from '../stores/gateways-store';
import { analyzeId } from '../stores/identity-store';

type Side = NonNullable<GatewayInfoView['setup']>['cups'];

const MODE_TEXT: Record<Side['mode'], string> = {
  none: 'no credentials (plain)',
  'server-auth': 'server authentication only',
  token: 'token',
  'client-cert': 'client certificate',
};

function SetupSide({
  title,
  side,
  reported,
}: {
  title: string;
  side: Side;
  reported: number | null;
}): ReactNode {
  const inSync = side.crc !== null && reported !== null && side.crc === reported;
  return (
    <>
      <h3>{title}</h3>
      <dl className="kv">
        <dt>Address</dt>
        <dd className="mono">{side.uri ?? 'this station (default)'}</dd>
        <dt>Authentication</dt>
        <dd>{MODE_TEXT[side.mode]}</dd>
        <dt>Credentials</dt>
        <dd>
          {[
            side.trustSet && 'trust ✓',
            side.certSet && 'certificate ✓',
            side.keySet && (side.certSet ? 'key ✓' : 'token ✓'),
          ]
            .filter(Boolean)
            .join(' · ') || '—'}{' '}
          <span className="muted">(secrets are never shown)</span>
        </dd>
        <dt>Credential CRC</dt>
        <dd className="mono">
          {formatCrc(side.crc)}{' '}
          {side.crc !== null && reported !== null && (
            <span className={`chip ${inSync ? 'ok' : 'warn'}`}>
              {inSync ? 'gateway in sync' : `gateway reports ${formatCrc(reported)}`}
            </span>
          )}
        </dd>
      </dl>
    </>
  );
}

/** Props of {@link GatewayDetailPanel}. */
export interface GatewayDetailPanelProps {
  detail: GatewayDetail;
  onClose: () => void;
  onSetup?: ((gateway: string) => void) | undefined;
  onDelete?: ((gateway: string) => void) | undefined;
}

/** The panel. */
export function GatewayDetailPanel({
  detail,
  onClose,
  onSetup,
  onDelete,
}: GatewayDetailPanelProps): ReactNode {
  const { info, audit, loading, error, gateway } = detail;
  const id = analyzeId(gateway);
  const contact = info?.lastContact ?? null;
  return (
    <aside
      className="gw-detail"
      aria-label={`Gateway ${gateway}`}
      onKeyDown={(e) => {
        if (e.key === 'Escape') onClose();
      }}
    >
      <div className="detail-head">
        <h2>{gateway}</h2>
        <button type="button" className="btn secondary" onClick={onClose} aria-label="Close detail">
          ✕
        </button>
      </div>
      <div className="row gap" style={{ marginBottom: 8 }}>
        {onSetup && (
          <button type="button" className="btn" onClick={() => onSetup(gateway)}>
            Set up…
          </button>
        )}
        {onDelete && (
          <button type="button" className="btn secondary" onClick={() => onDelete(gateway)}>
            Delete / transfer…
          </button>
        )}
      </div>
      {loading && <p className="muted">Loading…</p>}
      <ErrorNotice error={error} />
      <h3>Identity</h3>
      <dl className="kv">
        <dt>ID6</dt>
        <dd className="mono">{gateway}</dd>
        <dt>EUI-64</dt>
        <dd className="mono">{info?.eui ?? (id.ok ? id.eui64 : '—')}</dd>
        {id.ok && id.mac && (
          <>
            <dt>MAC</dt>
            <dd className="mono">{id.mac}</dd>
          </>
        )}
        {info && (
          <>
            <dt>Owner</dt>
            <dd className="mono">{info.owner ?? '—'}</dd>
            <dt>Origin</dt>
            <dd>{info.origin === 'batch' ? `batch ${info.batch ?? ''}` : 'added'}</dd>
            <dt>Claimed</dt>
            <dd>{info.claimed ? formatTime(info.claimedAt) : 'no'}</dd>
            <dt>Token generation</dt>
            <dd>{info.tokenGeneration}</dd>
          </>
        )}
      </dl>
      {info &&
        (info.setup ? (
          <>
            <SetupSide title="CUPS" side={info.setup.cups} reported={contact?.cupsCredCrc ?? null} />
            <SetupSide title="LNS" side={info.setup.lns} reported={contact?.tcCredCrc ?? null} />
            <p className="muted">Setup changed {formatTime(info.setup.updatedAt)}</p>
          </>
        ) : (
          <>
            <h3>Setup</h3>
            <p className="muted">Not set up yet: CUPS answers “not configured”.</p>
          </>
        ))}
      {info?.firmware && (
        <>
          <h3>Firmware</h3>
          <dl className="kv">
            <dt>Image CRC</dt>
            <dd className="mono">{formatCrc(info.firmware.fwcrc)}</dd>
            <dt>After</dt>
            <dd>{formatTime(info.firmware.fwafter)}</dd>
            <dt>State</dt>
            <dd>
              {info.firmware.state}
              {info.firmware.sentAt ? ` (sent ${formatTime(info.firmware.sentAt)})` : ''}
            </dd>
          </dl>
        </>
      )}
      <h3>Last contact</h3>
      {contact ? (
        <dl className="kv">
          <dt>When</dt>
          <dd title={formatTime(contact.at)}>
            {formatTime(contact.at)} ({formatAge(contact.at)})
          </dd>
          <dt>Outcome</dt>
          <dd>
            <span className={`chip ${outcomeTone(contact.outcome)}`}>{outcomeLabel(contact.outcome)}</span>
          </dd>
          <dt>From</dt>
          <dd className="mono">{contact.address ?? '—'}</dd>
          <dt>Station</dt>
          <dd>{contact.station ?? '—'}</dd>
          <dt>Model</dt>
          <dd>{contact.model ?? '—'}</dd>
          <dt>Package</dt>
          <dd>{contact.package ?? '—'}</dd>
          <dt>Reported CRCs</dt>
          <dd className="mono">
            cups {formatCrc(contact.cupsCredCrc)} · tc {formatCrc(contact.tcCredCrc)}
          </dd>
          <dt>Signing keys</dt>
          <dd className="mono">
            {contact.keys.length ? contact.keys.map((k) => formatCrc(k)).join(' ') : 'none'}
          </dd>
        </dl>
      ) : (
        <p className="muted">{info ? 'This gateway has not contacted the station yet.' : '—'}</p>
      )}
      <h3>Audit trail</h3>
      {audit.length === 0 ? (
        <p className="muted">No entries.</p>
      ) : (
        <table className="plain" aria-label="Audit trail">
          <tbody>
            {audit.map((a) => (
              <tr key={a.id}>
                <td title={formatTime(a.at)} style={{ whiteSpace: 'nowrap' }}>
                  {formatTime(a.at)}
                </td>
                <td>
                  <strong>{a.action}</strong>
                  <div className="muted">{a.actor}</div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </aside>
  );
}
