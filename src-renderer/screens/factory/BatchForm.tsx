/**
 * New batch form (docs/factory-line.md): the EUI range (EUI-64, ID6 or MAC-48 — a MAC range is turned
 * into EUI-64 by inserting FF FE, SPEC §1.2, shown live), flavor, model, the public CUPS URI and
 * the trust bundles carry. The root key is generated in the station's HSM; the KCV shows in the
 * table. An overlapping range is refused with the station's message naming the batch it meets.
 */
import type { FormEvent, ReactNode } from 'react';
import { readRangeEnd, rangeSize, useBatches, type RangeEnd } from '../../stores/factory-batches';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Field } from '../../components/Field';
import { formatCount } from '../../components/format';

function EndCheck({ end, id }: { end: RangeEnd; id: string }): ReactNode {
  if (end.ok) {
    return (
      <small id={id} className="good">
        ✓ <code>{end.eui64}</code>
        {end.fromMac ? ' (from a MAC: FF FE inserted)' : ''}
      </small>
    );
  }
  return end.empty ? (
    <small id={id}>EUI-64, ID6 or MAC</small>
  ) : (
    <small id={id} className="bad">
      {end.error}
    </small>
  );
}

/** The create form. */
export function BatchForm(): ReactNode {
  const { form, formError, busy, setForm, create } = useBatches();
  const first = readRangeEnd(form.first);
  const last = readRangeEnd(form.last);
  const size = rangeSize(form.first, form.last);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (size !== null && !busy) void create();
  };
  return (
    <form className="card stack" onSubmit={submit} aria-label="New batch">
      <h2>New batch</h2>
      <div className="grid-2">
        <Field label="First gateway" hint={<EndCheck end={first} id="batch-first-check" />}>
          <input
            id="batch-first"
            type="text"
            className="mono"
            value={form.first}
            onChange={(e) => setForm({ first: e.target.value })}
            aria-describedby="batch-first-check"
            spellCheck={false}
          />
        </Field>
        <Field label="Last gateway" hint={<EndCheck end={last} id="batch-last-check" />}>
          <input
            id="batch-last"
            type="text"
            className="mono"
            value={form.last}
            onChange={(e) => setForm({ last: e.target.value })}
            aria-describedby="batch-last-check"
            spellCheck={false}
          />
        </Field>
        <Field label="Flavor">
          <input
            id="batch-flavor"
            type="text"
            value={form.flavor}
            onChange={(e) => setForm({ flavor: e.target.value })}
            placeholder="e.g. corecell-v2"
          />
        </Field>
        <Field label="Model">
          <input
            id="batch-model"
            type="text"
            value={form.model}
            onChange={(e) => setForm({ model: e.target.value })}
            placeholder="e.g. GW-8 outdoor"
          />
        </Field>
        <Field label="Public CUPS URI for the bundles (empty = this station)">
          <input
            id="batch-cups"
            type="text"
            className="mono"
            value={form.cupsUri}
            onChange={(e) => setForm({ cupsUri: e.target.value })}
            placeholder="https://join.example.com:443"
          />
        </Field>
        <Field label="Trust for that URI, PEM (empty = this station’s CA)">
          <textarea
            className="mono"
            rows={3}
            value={form.trustPem}
            onChange={(e) => setForm({ trustPem: e.target.value })}
            placeholder="-----BEGIN CERTIFICATE-----"
          />
        </Field>
      </div>
      <div className="row gap">
        <button type="submit" className="btn" id="batch-create" disabled={size === null || busy}>
          {busy ? 'Creating…' : 'Create batch'}
        </button>
        {size !== null && <span className="muted">{formatCount(BigInt(size))} gateways</span>}
        {first.ok && last.ok && size === null && (
          <span className="bad">the last gateway is before the first</span>
        )}
      </div>
      <ErrorNotice error={formError} context="factory" />
    </form>
  );
}
