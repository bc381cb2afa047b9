/**
 * The Batches screen (docs/factory-line.md): every batch with its range, KCV, model, the CUPS
 * URI and trust its bundles carry, and its counters (personalized / printed / verified /
 * blocked); a form for a new batch; and for the selected batch its bundle settings,
 * pre-generation jobs and the owner manifest export.
 */
import { useEffect, useState, type ReactNode } from 'react';
import { ScreenHeader } from '../../components/ScreenHeader';
import { ErrorNotice, Notice } from '../../components/ErrorNotice';
import { useBatches } from '../../stores/factory-batches';
import type { FactoryBatch } from '../../../src-shared/factory-channels';
import { BatchForm } from './BatchForm';
import { JobsPanel } from './JobsPanel';
import { ManifestExportPanel } from './ManifestExportPanel';
import './factory.css';
import { Field } from '../../components/Field';
import { formatCount } from '../../components/format';
import { PlainTable } from '../../components/PlainTable';

function BatchTable(): ReactNode {
  const { batches, selected, select } = useBatches();
  if (batches.length === 0) return <Notice kind="info">No batches yet: create the first one below.</Notice>;
  return (
    <div className="card" style={{ overflowX: 'auto' }}>
      <PlainTable
        columns={[
          'Batch',
          'Range (EUI-64)',
          { caption: 'Size', className: 'num' },
          'KCV',
          'Flavor / model',
          'Bundles carry',
          { caption: 'Personalized', className: 'num' },
          { caption: 'Printed', className: 'num' },
          { caption: 'Verified', className: 'num' },
          { caption: 'Blocked', className: 'num' },
        ]}
        label="Batches"
        className="batch-table"
      >
        {batches.map((b) => (
          <tr key={b.id} aria-selected={b.id === selected} onClick={() => select(b.id)} data-batch={b.id}>
            <td className="mono">{b.id}</td>
            <td className="mono">
              {b.firstEui64} … {b.lastEui64}
            </td>
            <td className="num">{formatCount(BigInt(b.size))}</td>
            <td className="kcv">{b.kcv}</td>
            <td>
              {b.flavor ?? '–'} / {b.model ?? '–'}
            </td>
            <td className="mono">
              {b.cupsUri ?? '(none)'}
              <div className="muted">{b.ownTrust ? 'own trust' : 'station CA'}</div>
            </td>
            <td className="num">{formatCount(b.counts.personalized)}</td>
            <td className="num">{formatCount(b.counts.printed)}</td>
            <td className="num">{formatCount(b.counts.verified)}</td>
            <td
              className="num"
              style={b.counts.blocked > 0 ? { color: 'var(--err)', fontWeight: 700 } : undefined}
            >
              {formatCount(b.counts.blocked)}
            </td>
          </tr>
        ))}
      </PlainTable>
    </div>
  );
}

function BundleSettings({ batch }: { batch: FactoryBatch }): ReactNode {
  const { configure, busy } = useBatches();
  const [model, setModel] = useState(batch.model ?? '');
  const [cupsUri, setCupsUri] = useState(batch.cupsUri ?? '');
  const [trustPem, setTrustPem] = useState('');
  useEffect(() => {
    setModel(batch.model ?? '');
    setCupsUri(batch.cupsUri ?? '');
    setTrustPem('');
  }, [batch.id, batch.model, batch.cupsUri]);
  return (
    <div className="card stack" aria-label="Bundle settings">
      <h2>
        Batch {batch.id} · KCV <span className="kcv">{batch.kcv}</span>
      </h2>
      <dl className="kv">
        <dt>Trust fingerprint</dt>
        <dd className="mono">{batch.trustFingerprint ?? '–'}</dd>
        <dt>Created</dt>
        <dd>{batch.createdAt}</dd>
      </dl>
      <div className="grid-2">
        <Field label="Model">
          <input type="text" value={model} onChange={(e) => setModel(e.target.value)} />
        </Field>
        <Field label="Public CUPS URI">
          <input type="text" className="mono" value={cupsUri} onChange={(e) => setCupsUri(e.target.value)} />
        </Field>
      </div>
      <Field label="New trust (PEM; empty = keep)">
        <textarea className="mono" rows={2} value={trustPem} onChange={(e) => setTrustPem(e.target.value)} />
      </Field>
      <div className="row gap">
        <button
          type="button"
          className="btn secondary"
          disabled={busy}
          onClick={() =>
            void configure(batch.id, {
              model: model.trim() === '' ? null : model.trim(),
              cupsUri: cupsUri.trim() === '' ? null : cupsUri.trim(),
              ...(trustPem.trim() !== '' ? { trustPem } : {}),
            })
          }
        >
          Save bundle settings
        </button>
        {batch.ownTrust && (
          <button
            type="button"
            className="btn link"
            onClick={() => void configure(batch.id, { trustPem: null })}
          >
            Use the station CA
          </button>
        )}
      </div>
      <small className="muted">Changes apply to bundles written from now on.</small>
    </div>
  );
}

/** The Batches screen. */
export function BatchesScreen(): ReactNode {
  const { batches, selected, error, load } = useBatches();
  useEffect(() => {
    void load();
    const timer = setInterval(() => void load(), 5000);
    return () => clearInterval(timer);
  }, [load]);
  const batch = batches.find((b) => b.id === selected);
  return (
    <section className="screen stack" aria-label="Batches">
      <ScreenHeader title="Batches" />
      <ErrorNotice error={error} context="factory" />
      <BatchTable />
      {batch && (
        <div className="grid-2">
          <BundleSettings batch={batch} />
          <ManifestExportPanel batch={batch} />
        </div>
      )}
      {batch && <JobsPanel batch={batch} />}
      <BatchForm />
    </section>
  );
}
