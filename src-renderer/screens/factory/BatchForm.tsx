/**
 * New batch form (docs/factory-line.md): the EUI range (EUI-64, ID6 or MAC-48 — a MAC range is turned
 * into EUI-64 by inserting FF FE, SPEC §1.2, shown live), flavor, model, the public CUPS URI and
 * the trust bundles carry. The root key is generated in the station's HSM; the KCV shows in the
 * table. An overlapping range is refused with the station's message naming the batch it meets.
 */
import type { FormEvent, ReactNode } from 'react';
import { readRangeEnd, rangeSize, useBatches, type RangeEnd } from '../../stores/factory-batches';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Field, TextField } from '../../components/Field';
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
        <TextField
          label="First gateway"
          hint={<EndCheck end={first} id="batch-first-check" />}
          value={form.first}
          onChange={(first) => setForm({ first })}
          input={{
            id: 'batch-first',
            className: 'mono',
            'aria-describedby': 'batch-first-check',
            spellCheck: false,
          }}
        />
        <TextField
          label="Last gateway"
          hint={<EndCheck end={last} id="batch-last-check" />}
          value={form.last}
          onChange={(last) => setForm({ last })}
          input={{
            id: 'batch-last',
            className: 'mono',
            'aria-describedby': 'batch-last-check',
            spellCheck: false,
          }}
        />
        <TextField
          label="Flavor"
          value={form.flavor}
          onChange={(flavor) => setForm({ flavor })}
          input={{ id: 'batch-flavor', placeholder: 'e.g. corecell-v2' }}
        />
        <TextField
          label="Model"
          value={form.model}
          onChange={(model) => setForm({ model })}
          input={{ id: 'batch-model', placeholder: 'e.g. GW-8 outdoor' }}
        />
        <TextField
          label="Public CUPS URI for the bundles (empty = this station)"
          value={form.cupsUri}
          onChange={(cupsUri) => setForm({ cupsUri })}
          input={{ id: 'batch-cups', className: 'mono', placeholder: 'https://join.example.com:443' }}
        />
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
