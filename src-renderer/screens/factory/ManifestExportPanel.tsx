/**
 * Manifest export (docs/factory-line.md): the batch's EUIs and PINs, encrypted by the station to the
 * owner's P-256 public key (ECDH-ES + HKDF-SHA256 + AES-256-GCM), downloaded as a file the owner
 * opens on the Claim screen (or with `gwjs claim --manifest`).
 */
import type { ReactNode } from 'react';
import { ErrorNotice, Notice } from '../../components/ErrorNotice';
import { useManifest } from '../../stores/factory-manifest';
import { UNIT_STATES, type FactoryBatch, type UnitState } from '../../../src-shared/factory-channels';
import { Field } from '../../components/Field';
import { formatCount } from '../../components/format';

/** Export card for `batch`. */
export function ManifestExportPanel({ batch }: { batch: FactoryBatch }): ReactNode {
  const m = useManifest();
  const toggle = (s: UnitState, on: boolean) =>
    m.setStates(on ? [...m.states, s] : m.states.filter((x) => x !== s));
  return (
    <div className="card stack" aria-label="Owner manifest">
      <h2>Owner manifest</h2>
      <Field label="Owner’s public key (PEM, EC P-256)">
        <textarea
          id="manifest-key"
          className="mono"
          rows={4}
          value={m.ownerKey}
          onChange={(e) => m.setOwnerKey(e.target.value)}
          placeholder="-----BEGIN PUBLIC KEY-----"
        />
      </Field>
      <div className="row gap">
        <span>Units:</span>
        {UNIT_STATES.map((s) => (
          <label key={s} className="row gap">
            <input
              type="checkbox"
              checked={m.states.includes(s)}
              onChange={(e) => toggle(s, e.target.checked)}
            />{' '}
            {s}
          </label>
        ))}
      </div>
      <div className="row gap">
        <select
          value={m.format}
          onChange={(e) => m.setFormat(e.target.value as 'csv' | 'json')}
          aria-label="Format inside"
        >
          <option value="csv">CSV inside</option>
          <option value="json">JSON inside</option>
        </select>
        <button
          type="button"
          className="btn"
          id="manifest-export"
          disabled={m.exporting || m.ownerKey.trim() === '' || m.states.length === 0}
          onClick={() => void m.exportBatch(batch.id)}
        >
          {m.exporting ? 'Encrypting…' : 'Export encrypted manifest'}
        </button>
      </div>
      {m.exported && (
        <Notice kind="ok">
          {m.exported.fileName}: {formatCount(m.exported.count)} gateways, encrypted to key{' '}
          <code>{m.exported.kid}</code>.
        </Notice>
      )}
      <ErrorNotice error={m.exportError} context="factory" />
    </div>
  );
}
