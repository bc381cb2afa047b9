/**
 * Detail panel of one gateway: identity, setup with secrets masked (which credentials are set and
 * the CRC CUPS will send, against the CRC the gateway last reported), the CUPS token rotation
 * (state and history, SPEC §2), firmware delivery (state and why, SPEC §3.4), last contact with
 * the reported station/model/package, and the gateway's audit trail.
 */
import type { ReactNode } from 'react';
import type { GatewayInfoView } from '../../src-shared/ipc';
import { ErrorNotice } from '../components/ErrorNotice';
import { formatAge, formatCrc, formatTime, outcomeLabel, outcomeTone } from '../components/format';
import type { GatewayDetail } from '../stores/gateways-store';
import { analyzeId } from '../stores/identity-store';
import { PlainTable } from '../components/PlainTable';

type Side = NonNullable<GatewayInfoView['setup']>['cups'];
type Rotation = NonNullable<GatewayInfoView['rotation']>;
type Firmware = NonNullable<GatewayInfoView['firmware']>;

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

/** How a rotation completed, in words. */
const COMPLETED_HOW: Record<NonNullable<Rotation['history'][number]['completedHow']>, string> = {
  auth: 'the gateway signed in with the new token',
  crc: 'the gateway reported the new credential CRC',
};

/** CUPS token rotation (SPEC §2): the accepted generation, a rotation in flight, and the history. */
function RotationSection({ rotation }: { rotation: Rotation | null }): ReactNode {
  if (rotation === null) {
    return (
      <>
        <h3>CUPS token</h3>
        <p className="muted">Added gateway: it keeps its own token, which the station does not rotate.</p>
      </>
    );
  }
  const inFlight = rotation.state === 'in_flight';
  return (
    <>
      <h3>CUPS token</h3>
      <dl className="kv" aria-label="Token rotation">
        <dt>Generation</dt>
        <dd>{rotation.generation}</dd>
        <dt>Rotation</dt>
        <dd>
          <span className={`chip ${inFlight ? 'warn' : 'ok'}`}>{inFlight ? 'in flight' : 'idle'}</span>{' '}
          {inFlight && (
            <span className="muted">
              generations {rotation.generation} and {rotation.target} both accepted until the gateway uses{' '}
              {rotation.target}
            </span>
          )}
        </dd>
      </dl>
      {rotation.history.length > 0 && (
        <PlainTable columns={['Generation', 'Started', 'Completed']} label="Rotation history">
          {rotation.history.map((h) => (
            <tr key={`${h.from}-${h.to}-${h.startedAt}`}>
              <td className="nowrap">
                {h.from} → {h.to}
              </td>
              <td>
                <span className="nowrap">{formatTime(h.startedAt)}</span>
                <div className="muted">{h.startedBy}</div>
              </td>
              <td>
                {h.completedAt ? (
                  <>
                    <span className="nowrap">{formatTime(h.completedAt)}</span>
                    {h.completedHow && <div className="muted">{COMPLETED_HOW[h.completedHow]}</div>}
                  </>
                ) : (
                  <span className="muted">not yet</span>
                )}
              </td>
            </tr>
          ))}
        </PlainTable>
      )}
    </>
  );
}

/** Firmware delivery states in words and colour. */
const FIRMWARE_STATE: Record<Firmware['state'], { label: string; tone: 'ok' | 'warn' | 'err' | '' }> = {
  pending: { label: 'pending', tone: '' },
  not_yet_due: { label: 'not yet due', tone: '' },
  sent: { label: 'sent', tone: 'warn' },
  done: { label: 'done', tone: 'ok' },
  no_matching_key: { label: 'no matching key', tone: 'err' },
  unknown_firmware: { label: 'unknown firmware', tone: 'err' },
};

/** Firmware update of the gateway (SPEC §3.4): what is set, where delivery stands and why. */
function FirmwareSection({ firmware }: { firmware: Firmware }): ReactNode {
  const state = FIRMWARE_STATE[firmware.state];
  return (
    <>
      <h3>Firmware</h3>
      <dl className="kv" aria-label="Firmware">
        <dt>Image CRC</dt>
        <dd className="mono">{formatCrc(firmware.fwcrc)}</dd>
        <dt>After</dt>
        <dd>{firmware.fwafter ? formatTime(firmware.fwafter) : 'at once'}</dd>
        <dt>State</dt>
        <dd>
          <span className={`chip ${state.tone}`}>{state.label}</span>{' '}
          <span className="muted">{firmware.detail}</span>
        </dd>
        {firmware.sentAt && (
          <>
            <dt>Sent</dt>
            <dd>
              {formatTime(firmware.sentAt)}
              {firmware.keyCrc !== null && (
                <span className="muted"> · signed for key {formatCrc(firmware.keyCrc)}</span>
              )}
            </dd>
          </>
        )}
        {(firmware.packageBefore !== null || firmware.packageAfter !== null) && (
          <>
            <dt>Package</dt>
            <dd>
              {firmware.packageBefore ?? '—'} → {firmware.packageAfter ?? 'not reported yet'}
            </dd>
          </>
        )}
      </dl>
    </>
  );
}

/** Props of {@link GatewayDetailPanel}. */
interface GatewayDetailPanelProps {
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
      {info && <RotationSection rotation={info.rotation} />}
      {info?.firmware && <FirmwareSection firmware={info.firmware} />}
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
          <dt>Authenticated with</dt>
          <dd>{credentialLabel(contact.credential, contact.tokenGeneration)}</dd>
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
        <PlainTable label="Audit trail">
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
        </PlainTable>
      )}
    </aside>
  );
}

/**
 * What the last CUPS contact authenticated with (docs/rotation.md "The station's backup set"): a
 * token generation older than the current one means the station used a fallback credential set.
 */
function credentialLabel(
  credential: string | null | undefined,
  generation: number | null | undefined,
): string {
  if (credential === 'token')
    return generation === null || generation === undefined ? 'token' : `token generation ${generation}`;
  if (credential === 'added_token') return 'its own token (added gateway)';
  if (credential === 'certificate') return 'client certificate';
  return '— (plain HTTP, or not recorded)';
}
