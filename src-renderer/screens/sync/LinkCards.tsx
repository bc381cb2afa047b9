/**
 * The Sync screen's link cards (docs/sync.md "The link"): the status — remote URL, the pinned CA's
 * SHA-256, online or offline, last success and error, pending — and, for admins, the link form:
 * URL, the kind of link — an owner link (the owner this station works for) or a factory link (no
 * owner: factory records only, docs/sync.md "Factory records") — the remote's CA certificate and
 * its expected fingerprint, the API key. The key is write-only: it goes to the station once
 * (sealed in the HSM there) and is never shown again.
 */
import { useState, type FormEvent, type ReactNode } from 'react';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { Field } from '../../components/Field';
import { formatCount, formatTime } from '../../components/format';
import { OwnerOptions } from '../../components/OwnerOptions';
import { useSession } from '../../stores/session-store';
import { useSync } from '../../stores/sync-store';

/** `ab12…` → `AB:12:…`, the form `gwjs init` prints (caFingerprint256). */
export function colonHex(hex: string): string {
  return (hex.toUpperCase().match(/.{1,2}/g) ?? []).join(':');
}

/** `https://host:port` of a URL, or null when it does not parse. */
function originOf(url: string): string | null {
  try {
    return new URL(url).origin;
  } catch {
    return null;
  }
}

/** Online / offline / not yet, as a chip. */
export function LinkStateChip({ online }: { online: boolean | null }): ReactNode {
  if (online === null) return <span className="chip">not synced yet</span>;
  return online ? <span className="chip ok">online</span> : <span className="chip warn">offline</span>;
}

/** The link's status card. */
export function LinkStatusCard(): ReactNode {
  const s = useSync((x) => x.status);
  if (s === null) return <div className="card muted">Loading…</div>;
  if (!s.linked) {
    return (
      <div className="card" aria-label="Link status">
        <h2>Remote link</h2>
        <p className="muted">
          This station is not linked to a remote join server: its operations are not queued for one.
        </p>
      </div>
    );
  }
  return (
    <div className="card" aria-label="Link status">
      <h2>Remote link</h2>
      <dl className="kv">
        <dt>Remote</dt>
        <dd>
          <code data-testid="sync-url">{s.url}</code>
        </dd>
        <dt>Owner</dt>
        <dd className={s.ownerId === null ? undefined : 'mono'} data-testid="sync-owner">
          {s.ownerId ?? 'none — a factory link: it pushes factory records only'}
        </dd>
        <dt>Pinned CA (SHA-256)</dt>
        <dd>
          <code className="mono wrap-anywhere" data-testid="sync-ca">
            {s.caFingerprint === null ? '—' : colonHex(s.caFingerprint)}
          </code>
        </dd>
        <dt>State</dt>
        <dd>
          <LinkStateChip online={s.online} />
          {s.failures > 0 && <span className="muted"> · {s.failures} failed rounds in a row</span>}
        </dd>
        <dt>Last success</dt>
        <dd>{s.lastSuccessAt === null ? 'never' : formatTime(s.lastSuccessAt)}</dd>
        <dt>Last error</dt>
        <dd data-testid="sync-last-error">
          {s.lastError === null ? (
            '—'
          ) : (
            <>
              <span className="wrap-anywhere">{s.lastError}</span>
              {s.lastErrorAt !== null && <span className="muted"> ({formatTime(s.lastErrorAt)})</span>}
            </>
          )}
        </dd>
        {s.nextAttemptAt !== null && (
          <>
            <dt>Next try</dt>
            <dd>{formatTime(s.nextAttemptAt)}</dd>
          </>
        )}
        <dt>Pending</dt>
        <dd data-testid="sync-pending">{formatCount(s.counts.pending ?? 0)}</dd>
      </dl>
    </div>
  );
}

/** The link form (admins). */
export function LinkSettingsCard(): ReactNode {
  const s = useSync((x) => x.status);
  const { link, unlink, busy } = useSync();
  const owners = useSession((x) => x.owners);
  const [url, setUrl] = useState(s?.url ?? '');
  const linked = s?.linked === true;
  /** an owner link, or a factory link: no owner, a factory or admin key (docs/sync.md) */
  const [kind, setKind] = useState<'owner' | 'factory'>(linked && s?.ownerId === null ? 'factory' : 'owner');
  const [ownerId, setOwnerId] = useState(s?.ownerId ?? '');
  const [caPem, setCaPem] = useState('');
  const [fingerprint, setFingerprint] = useState('');
  const [apiKey, setApiKey] = useState('');
  const [confirmUnlink, setConfirmUnlink] = useState(false);
  /** the other origin the sealed key would go to, while its confirmation is open */
  const [confirmKey, setConfirmKey] = useState<string | null>(null);
  // editing a link: an empty CA keeps the pinned one, an empty key the sealed one
  const ready =
    url.trim() !== '' &&
    (kind === 'factory' || ownerId !== '') &&
    (linked || (caPem.trim() !== '' && apiKey.trim() !== ''));

  const send = (keepApiKey: boolean) => {
    void link({
      url: url.trim(),
      ownerId: kind === 'factory' ? null : ownerId,
      ...(caPem.trim() ? { caPem } : {}),
      ...(apiKey.trim() ? { apiKey: apiKey.trim() } : {}),
      ...(keepApiKey ? { keepApiKey: true } : {}),
      ...(fingerprint.trim() ? { caFingerprint: fingerprint.trim() } : {}),
    }).then((ok) => {
      // once linked the form forgets the key: the renderer never keeps it
      if (ok) {
        setApiKey('');
        setCaPem('');
        setFingerprint('');
      }
    });
  };

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!ready) return;
    // the sealed key goes to another host only when the operator says so (docs/sync.md)
    const to = originOf(url.trim());
    if (linked && apiKey.trim() === '' && s?.url != null && to !== null && to !== originOf(s.url)) {
      setConfirmKey(to);
      return;
    }
    send(false);
  };

  // folded while linked: the form is for setting the link up (or replacing it), not for every visit
  return (
    <details className="card link-settings" open={!s?.linked}>
      <summary>
        <h2>Link settings</h2>
        {s?.linked && <span className="muted"> — edit, replace or remove the link</span>}
      </summary>
      <form className="stack" aria-label="Link settings" onSubmit={submit}>
        <Field label="Remote URL" hint="The remote join server, https://host:port.">
          <input
            type="url"
            value={url}
            onChange={(e) => setUrl(e.target.value)}
            placeholder="https://js.example.com:8443"
            className="mono"
          />
        </Field>
        <div className="radio-row" role="radiogroup" aria-label="Kind of link">
          <label>
            <input type="radio" checked={kind === 'owner'} onChange={() => setKind('owner')} />
            Owner link
          </label>
          <label>
            <input type="radio" checked={kind === 'factory'} onChange={() => setKind('factory')} />
            Factory link
          </label>
        </div>
        {kind === 'owner' ? (
          <Field
            label="Owner of the link"
            hint="The owner this station works for; it must exist here and on the remote."
          >
            <select value={ownerId} onChange={(e) => setOwnerId(e.target.value)}>
              <option value="">— choose —</option>
              <OwnerOptions owners={owners} />
            </select>
          </Field>
        ) : (
          <small className="muted">
            No owner: the station reports its factory steps (personalized, printed, verified, blocked) to the
            remote and pulls nothing. Use a factory key (<code>gwjs key create --factory</code> on the remote)
            or an admin key.
          </small>
        )}
        <Field
          label="Remote CA certificate"
          hint={
            linked
              ? 'Empty keeps the pinned CA; paste or load the remote’s <data>/tls/ca.pem to change it.'
              : 'The remote’s <data>/tls/ca.pem: the only certificate this link trusts.'
          }
        >
          <textarea
            rows={3}
            className="mono"
            value={caPem}
            onChange={(e) => setCaPem(e.target.value)}
            placeholder="-----BEGIN CERTIFICATE-----"
          />
        </Field>
        <div className="row gap">
          <label className="btn secondary file-btn">
            Load CA file…
            <input
              type="file"
              accept=".pem,.crt,.cer,application/x-pem-file"
              aria-label="CA certificate file"
              onChange={(e) => {
                const f = e.target.files?.[0];
                e.target.value = '';
                if (f) void f.text().then(setCaPem);
              }}
            />
          </label>
        </div>
        <Field
          label="CA fingerprint (SHA-256)"
          hint="As the remote’s gwjs init printed it (caFingerprint256); the certificate must match it."
        >
          <input
            type="text"
            className="mono"
            value={fingerprint}
            onChange={(e) => setFingerprint(e.target.value)}
            placeholder="AB:CD:…"
            autoComplete="off"
          />
        </Field>
        <Field
          label="API key"
          hint={
            linked
              ? 'Empty keeps the sealed key while the URL keeps its host and port; for another host you confirm sending it there, or enter the key again.'
              : kind === 'factory'
                ? 'The factory (or admin) key on the remote. Sealed in the HSM; never shown again.'
                : 'The owner’s key on the remote. Sealed in the HSM; never shown again.'
          }
        >
          <input
            type="password"
            className="mono"
            value={apiKey}
            onChange={(e) => setApiKey(e.target.value)}
            autoComplete="new-password"
            placeholder={s?.linked ? 'stored (sealed) — empty keeps it' : 'gwjs_…'}
          />
        </Field>
        <div className="row gap">
          <button type="submit" className="btn" disabled={!ready || busy}>
            {s?.linked ? 'Save link' : 'Link'}
          </button>
          {s?.linked && (
            <button type="button" className="btn secondary" onClick={() => setConfirmUnlink(true)}>
              Unlink…
            </button>
          )}
        </div>
        {s?.linked && (
          <small className="muted">
            Replacing the link starts the change feed over; queued operations stay queued (
            {formatCount(s.counts.pending ?? 0)} pending).
          </small>
        )}
      </form>
      {/* outside the form: a dialog is a form of its own */}
      {confirmKey !== null && (
        <ConfirmDialog
          title="Send the stored API key to another host?"
          confirmLabel="Keep the key and save"
          danger
          busy={busy}
          onCancel={() => setConfirmKey(null)}
          onConfirm={() => {
            setConfirmKey(null);
            send(true);
          }}
        >
          <p>
            The link moves from <code>{originOf(s?.url ?? '')}</code> to <code>{confirmKey}</code>. The
            owner’s API key sealed in this station will be sent to <code>{confirmKey}</code> with every sync
            request: do this only if that host is the same remote join server (a new address of it). Otherwise
            cancel and enter that remote’s API key.
          </p>
        </ConfirmDialog>
      )}
      {confirmUnlink && (
        <ConfirmDialog
          title="Unlink from the remote?"
          confirmLabel="Unlink"
          danger
          busy={busy}
          onCancel={() => setConfirmUnlink(false)}
          onConfirm={() => {
            setConfirmUnlink(false);
            void unlink();
          }}
        >
          <p>
            The station stops syncing and the sealed API key is removed from the HSM. The outbox is kept for
            the record; operations made while unlinked are not queued.
          </p>
        </ConfirmDialog>
      )}
    </details>
  );
}
