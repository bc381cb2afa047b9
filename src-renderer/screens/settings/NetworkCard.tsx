/**
 * Settings → Network (docs/station-ui.md "Network"), admins only: the listen address picked from
 * this machine's interfaces (main reads them; the renderer never does), the public host names
 * gateways use, the CUPS URI bundles carry, and the server certificate the station CA issued for
 * them (IP and DNS names). Saved in `station.json`; the listen address and the CUPS URI apply at the
 * next start, which the card says.
 */
import { useEffect, useState, type FormEvent, type ReactNode } from 'react';
import { tryCall } from '../../api';
import { toUiError, type UiError } from '../../app/error-text';
import { ErrorNotice, Notice } from '../../components/ErrorNotice';
import { Field, TextField } from '../../components/Field';
import type { NetworkView } from '../../../src-shared/channels/network';

const ANY = [
  { address: '0.0.0.0', label: '0.0.0.0 — every IPv4 interface' },
  { address: '::', label: ':: — every interface' },
];

/** The Network card. */
export function NetworkCard(): ReactNode {
  const [view, setView] = useState<NetworkView | null>(null);
  const [error, setError] = useState<UiError | null>(null);
  const [host, setHost] = useState('');
  const [hosts, setHosts] = useState('');
  const [cupsUri, setCupsUri] = useState('');
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);
  const fill = (v: NetworkView) => {
    setView(v);
    setHost(v.saved.host);
    setHosts(v.saved.publicHosts.join(', '));
    setCupsUri(v.saved.cupsUri ?? '');
  };
  useEffect(() => {
    void tryCall('network:get', {}).then((r) => (r.ok ? fill(r.value) : setError(toUiError(r.error))));
  }, []);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setSaved(false);
    const r = await tryCall('network:save', {
      host,
      publicHosts: hosts.split(/[\s,]+/).filter((h) => h !== ''),
      cupsUri: cupsUri.trim() === '' ? null : cupsUri.trim(),
    });
    setBusy(false);
    if (r.ok) {
      fill(r.value);
      setError(null);
      setSaved(true);
    } else setError(toUiError(r.error));
  };
  const known = view?.addresses.some((a) => a.address === host) || ANY.some((a) => a.address === host);
  return (
    <form className="card stack" aria-label="Network" onSubmit={(e) => void submit(e)}>
      <h2>Network</h2>
      {view === null && error === null && <p className="muted">Loading…</p>}
      {view !== null && (
        <>
          <Field label="Listen address" hint="Where CUPS, the Owner API and this UI are served.">
            <select id="network-host" value={host} onChange={(e) => setHost(e.target.value)}>
              {!known && <option value={host}>{host} (not on this machine)</option>}
              {view.addresses.map((a) => (
                <option key={`${a.interface}-${a.address}`} value={a.address}>
                  {a.address} — {a.interface}
                  {a.internal ? ' (this machine only)' : ''}
                </option>
              ))}
              {ANY.map((a) => (
                <option key={a.address} value={a.address}>
                  {a.label}
                </option>
              ))}
            </select>
          </Field>
          <Field
            label="Public host names"
            hint="Names or addresses gateways use to reach the station, comma-separated; the first goes into bundles."
          >
            <input
              id="network-public-hosts"
              type="text"
              className="mono"
              value={hosts}
              onChange={(e) => setHosts(e.target.value)}
            />
          </Field>
          <TextField
            label="CUPS URI bundles carry"
            hint="Empty: https://<first public host>:<port>."
            value={cupsUri}
            onChange={setCupsUri}
            input={{
              id: 'network-cups-uri',
              className: 'mono',
              placeholder: `https://${hosts.split(/[\s,]+/)[0] ?? 'host'}:${view.saved.port}`,
            }}
          />
          <dl className="kv" aria-label="Server certificate">
            <dt>Bundles carry</dt>
            <dd className="mono" data-testid="network-effective-cups-uri">
              {view.effectiveCupsUri}
            </dd>
            <dt>Certificate IPs</dt>
            <dd className="mono" data-testid="network-ip-sans">
              {view.certificate.ipSans.join(', ') || '—'}
            </dd>
            <dt>Certificate names</dt>
            <dd className="mono" data-testid="network-dns-sans">
              {view.certificate.dnsSans.join(', ')}
            </dd>
            <dt>Fingerprint</dt>
            <dd>
              <code className="fingerprint" style={{ overflowWrap: 'anywhere' }}>
                {view.certificate.fingerprint256}
              </code>
            </dd>
          </dl>
          {view.restartNeeded && (
            <Notice kind="warn">
              <span data-testid="network-pending-host">
                Listen address <code>{view.saved.host}</code> takes effect at the next start
              </span>
              ; until then the station listens on <code>{view.running.host}</code>. Public host names, the
              CUPS URI (<code>{view.running.cupsUri}</code>) and the certificate are in use already.
            </Notice>
          )}
          <div className="row gap">
            <button type="submit" className="btn secondary" id="network-save" disabled={busy}>
              Save network settings
            </button>
            {saved && <span className="good">Saved.</span>}
          </div>
        </>
      )}
      <ErrorNotice error={error} />
    </form>
  );
}
