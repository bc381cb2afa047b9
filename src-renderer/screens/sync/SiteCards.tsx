/**
 * The Sync screen's offline side: the **site-pack picker** — the gateways this station may serve
 * offline (docs/sync.md "Site packs": every gateway of the owner, or those ticked among the ones it
 * holds at the remote — the mirror's), fetched
 * from the remote at once — and the **LAN CUPS switch** (docs/sync.md "The LAN CUPS door"): open
 * CUPS on an address of this machine, with its own certificate, or close it.
 */
import { useEffect, useState, type FormEvent, type ReactNode } from 'react';
import { ErrorNotice, Notice } from '../../components/ErrorNotice';
import { Field } from '../../components/Field';
import { formatCount, formatTime } from '../../components/format';
import { useSession } from '../../stores/session-store';
import { useSite } from '../../stores/site-store';

/** The site-pack picker. */
export function SitePackCard(): ReactNode {
  const { pack, choose, busy } = useSite();
  const can = useSession((s) => s.can);
  const selection = pack?.status.selection ?? null;
  const [all, setAll] = useState(selection === null);
  // the picked gateways (ID6), starting from the pack's own choice
  const [picked, setPicked] = useState<string[]>(selection ?? []);
  const toggle = (g: string) =>
    setPicked(picked.includes(g) ? picked.filter((x) => x !== g) : [...picked, g]);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void choose(all ? null : picked);
  };
  const s = pack?.status;
  return (
    <form className="card stack" aria-label="Site pack" onSubmit={submit}>
      <h2>Site pack — gateways this station may serve offline</h2>
      {s === undefined ? (
        <p className="muted">Loading…</p>
      ) : !s.present ? (
        <p className="muted">No site pack yet: this station serves CUPS offline only for its own batches.</p>
      ) : (
        <dl className="kv">
          <dt>Gateways</dt>
          <dd data-testid="pack-count">{formatCount(s.gateways)}</dd>
          <dt>Chosen</dt>
          <dd>{s.selection === null ? 'every gateway of the owner' : s.selection.join(', ')}</dd>
          <dt>Fetched</dt>
          <dd>{formatTime(s.fetchedAt)}</dd>
          <dt>Remote CUPS</dt>
          <dd className="wrap-anywhere">{s.remoteCupsUri ?? '—'}</dd>
        </dl>
      )}
      {pack !== null && pack.gateways.length > 0 && (
        <div className="table-scroll">
          <table className="plain cards-narrow" aria-label="Packed gateways">
            <thead>
              <tr>
                <th>Gateway</th>
                <th>Set up</th>
                <th>LNS</th>
                <th>Token generation</th>
                <th>Seen here</th>
              </tr>
            </thead>
            <tbody>
              {pack.gateways.map((g) => (
                <tr key={g.gateway}>
                  <td data-label="Gateway" className="mono">
                    {g.gateway}
                  </td>
                  <td data-label="Set up">{g.configured ? 'yes' : 'no (CUPS answers 404)'}</td>
                  <td data-label="LNS" className="wrap-anywhere">
                    {g.lnsUri ?? '—'}
                  </td>
                  <td data-label="Token generation" className="num">
                    {g.tokenGeneration}
                  </td>
                  <td data-label="Seen here">
                    {g.seenAt === null ? '—' : `gen ${g.seenGeneration ?? '?'} · ${formatTime(g.seenAt)}`}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {can('sync:sitePackChoose') && (
        <>
          <div className="radio-row" role="radiogroup" aria-label="Which gateways">
            <label>
              <input type="radio" checked={all} onChange={() => setAll(true)} />
              Every gateway of the owner
            </label>
            <label>
              <input type="radio" checked={!all} onChange={() => setAll(false)} />
              Only these
            </label>
          </div>
          {!all && (
            <fieldset
              className="stack"
              aria-label="Gateways to pack"
              style={{ border: 0, padding: 0, margin: 0 }}
            >
              {(pack?.candidates ?? []).length === 0 && (
                <p className="muted">
                  The owner holds no gateway at the remote yet (as the last pull saw it): sync first.
                </p>
              )}
              {(pack?.candidates ?? []).map((c) => (
                <label key={c.gateway} className="row gap" style={{ alignItems: 'center' }}>
                  <input
                    type="checkbox"
                    checked={picked.includes(c.gateway)}
                    onChange={() => toggle(c.gateway)}
                  />
                  <span className="mono">{c.gateway}</span>
                  <span className="muted">
                    {c.configured ? 'set up at the remote' : 'not set up (CUPS would answer 404)'}
                    {c.packed ? ' · in the pack' : ''}
                  </span>
                </label>
              ))}
            </fieldset>
          )}
          <div>
            <button type="submit" className="btn" disabled={busy || (!all && picked.length === 0)}>
              Fetch site pack
            </button>
          </div>
        </>
      )}
    </form>
  );
}

/** The LAN CUPS switch. */
export function LanDoorCard(): ReactNode {
  const { lan, setLan, busy } = useSite();
  const can = useSession((s) => s.can);
  const addresses = lan?.addresses ?? [];
  const [address, setAddress] = useState('');
  const [port, setPort] = useState('8443');
  const saved = lan?.saved ?? null;
  useEffect(() => {
    if (address !== '' || addresses.length === 0) return;
    // the saved choice first (when its address is still this machine's), else a LAN address
    const mine = saved !== null && addresses.some((a) => a.address === saved.address);
    setAddress(mine ? saved.address : (addresses.find((a) => !a.internal) ?? addresses[0]!).address);
    if (saved !== null) setPort(String(saved.port));
  }, [address, addresses, saved]);
  if (lan === null) return null;
  const active = lan.active;
  const savedText =
    saved === null
      ? null
      : `${saved.open ? 'open' : 'closed'} — ${saved.address.includes(':') ? `[${saved.address}]` : saved.address}:${saved.port}`;
  const open = (e: FormEvent) => {
    e.preventDefault();
    const p = Number(port);
    void setLan(address, Number.isInteger(p) ? p : undefined);
  };
  return (
    <form className="card stack" aria-label="LAN CUPS door" onSubmit={open}>
      <h2>LAN CUPS door</h2>
      {!lan.available ? (
        <p className="muted">
          This process cannot open a LAN door (only the desktop app and gwjs serve can).
        </p>
      ) : active !== null ? (
        <dl className="kv">
          <dt>State</dt>
          <dd>
            <span className="chip ok">open</span>
          </dd>
          <dt>CUPS URI</dt>
          <dd>
            <code data-testid="lan-cups-uri">{active.cupsUri}</code>
          </dd>
          <dt>Certificate (SHA-256)</dt>
          <dd className="mono wrap-anywhere">{active.certFingerprint}</dd>
          <dt>Opened</dt>
          <dd data-testid="lan-opened-by">
            {lan.openedBy === 'saved'
              ? 'at start, from the saved choice'
              : lan.openedBy === 'flag'
                ? 'by gwjs serve --lan for this run (the saved choice stays)'
                : 'from this switch'}
          </dd>
        </dl>
      ) : (
        <p className="muted" style={{ margin: 0 }}>
          Closed: gateways on the site’s LAN cannot reach this station’s CUPS.
        </p>
      )}
      {lan.startError !== null && (
        <div className="notice warn" role="alert" data-testid="lan-start-error">
          Not reopened at start: {lan.startError}. Choose an address below to open it again.
        </div>
      )}
      {lan.available && savedText !== null && (
        <p className="muted" style={{ margin: 0 }} data-testid="lan-saved">
          Kept for the next start: {savedText}
        </p>
      )}
      {lan.available && can('station:setLanDoor') && (
        <>
          <div className="grid-2">
            <Field label="LAN address">
              <select value={address} onChange={(e) => setAddress(e.target.value)}>
                {addresses.map((a) => (
                  <option key={`${a.interface}-${a.address}`} value={a.address}>
                    {a.address} ({a.interface}
                    {a.internal ? ', this machine only' : ''})
                  </option>
                ))}
              </select>
            </Field>
            <Field label="LAN port">
              <input
                type="number"
                min={1}
                max={65535}
                value={port}
                onChange={(e) => setPort(e.target.value)}
              />
            </Field>
          </div>
          <div className="row gap">
            <button type="submit" className="btn" disabled={busy || address === ''}>
              {active === null ? 'Open LAN door' : 'Move LAN door'}
            </button>
            {active !== null && (
              <button
                type="button"
                className="btn secondary"
                disabled={busy}
                onClick={() => void setLan(null)}
              >
                Close LAN door
              </button>
            )}
          </div>
        </>
      )}
    </form>
  );
}

/** Errors and results of the offline side, shown above its cards. */
export function SiteNotices(): ReactNode {
  const { error, done } = useSite();
  return (
    <>
      <ErrorNotice error={error} />
      {done !== null && <Notice kind="ok">{done}</Notice>}
    </>
  );
}
