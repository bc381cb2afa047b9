/**
 * The owner's side of a manifest (docs/factory-line.md), on the Claim screen: pick the manifest file and
 * the private key file; both are read and decrypted in this browser (WebCrypto — the key is never
 * sent anywhere). A manifest made for another key, or changed in any byte, is refused. The opened
 * gateways become the bulk claim list.
 */
import type { ReactNode } from 'react';
import { ErrorNotice, Notice } from '../../components/ErrorNotice';
import { claimListOf, useManifest } from '../../stores/factory-manifest';
import { formatCount } from '../../components/format';

/** Props of {@link ManifestImport}. */
interface ManifestImportProps {
  /** gets the claim list (`gateway,pin` lines) and a source label once the manifest is opened */
  onOpened(claimList: string, source: string): void;
}

/** Manifest import card. */
export function ManifestImport({ onOpened }: ManifestImportProps): ReactNode {
  const m = useManifest();
  const open = async () => {
    const gateways = await m.open();
    if (gateways !== null) onOpened(claimListOf(gateways), `manifest ${m.fileName ?? ''}`.trim());
  };
  return (
    <div className="card stack" aria-label="Import an owner manifest">
      <p className="muted">
        A manifest from the factory lists the gateways of a batch with their claim PINs, encrypted to your
        key. It is opened here, in this browser, with your private key.
      </p>
      <div className="row gap">
        <label className="btn secondary file-btn">
          Manifest file…
          <input
            id="manifest-file"
            type="file"
            accept=".json,application/json"
            onChange={(e) => {
              const f = e.target.files?.[0];
              if (f) void f.text().then((t) => m.setManifest(f.name, t));
            }}
          />
        </label>
        <span className="mono">{m.fileName ?? 'none chosen'}</span>
      </div>
      {m.header && (
        <Notice kind="info">
          {formatCount(m.header.count)} gateways of batch {m.header.batch ?? '–'}, made {m.header.createdAt},
          for key <code>{m.header.kid}</code>
          {m.opened === null ? ' (not yet opened: the header is checked when it is)' : ''}.
        </Notice>
      )}
      <div className="row gap">
        <label className="btn secondary file-btn">
          Private key (PEM)…
          <input
            id="manifest-private-key"
            type="file"
            accept=".pem,.key,text/plain"
            onChange={(e) => {
              const f = e.target.files?.[0];
              if (f) void f.text().then((t) => m.setKey(f.name, t));
            }}
          />
        </label>
        <span className="mono">{m.keyName ?? 'none chosen'}</span>
      </div>
      <div className="row gap">
        <button
          type="button"
          className="btn"
          id="manifest-open"
          disabled={m.fileText === null || m.keyText === null}
          onClick={() => void open()}
        >
          Open and use as claim list
        </button>
      </div>
      {m.opened && <Notice kind="ok">Opened: {m.opened.length} gateways, integrity checked.</Notice>}
      <ErrorNotice error={m.importError} context="factory" />
    </div>
  );
}
