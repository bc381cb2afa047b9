/**
 * The key ceremony between twin stations (docs/twin-hsm.md "The ceremony in six steps",
 * docs/station-ui.md): the receiving station creates a transport key and later imports the
 * wrapped file; the sending station wraps a batch's root key to the uploaded transport.pub. At
 * each step what the two operators compare — the transport key's fingerprint, the KCV — is shown
 * large; a refusal (tampered, wrong key, wrong KCV, overlapping range) says so and nothing changed.
 * Files move by download and upload: the stations may never share a network.
 */
import { useEffect, useState, type ChangeEvent, type ReactNode } from 'react';
import type { DownloadView } from '../../../src-shared/ipc';
import { ErrorNotice, Notice } from '../../components/ErrorNotice';
import { Field } from '../../components/Field';
import { Tabs } from '../../components/Tabs';
import { factsOf, useCeremony, type FileFacts } from '../../stores/ceremony-store';

/** The KCV as the operators read it aloud: big, spaced digits. */
function KcvLarge({ kcv, label }: { kcv: string; label: string }): ReactNode {
  return (
    <div className="kcv-block" aria-label={label}>
      <span className="muted">{label}</span>
      <span className="kcv-large mono" data-testid="kcv-large">
        {kcv}
      </span>
    </div>
  );
}

/** A SHA-256 fingerprint in groups of four, large enough to read over the phone. */
function FingerprintLarge({ fingerprint, label }: { fingerprint: string; label: string }): ReactNode {
  return (
    <div className="kcv-block" aria-label={label}>
      <span className="muted">{label}</span>
      <span className="fingerprint-large mono" data-testid="fingerprint-large">
        {fingerprint.match(/.{1,4}/g)?.join(' ')}
      </span>
    </div>
  );
}

/** Saves text or base64 bytes as a file through the browser. */
function saveFile(name: string, data: { text: string } | DownloadView): void {
  const blob =
    'text' in data
      ? new Blob([data.text], { type: 'application/json' })
      : new Blob([Uint8Array.from(atob(data.base64), (c) => c.charCodeAt(0))], { type: data.mimeType });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** Reads a chosen file's text and its public facts. */
async function readChosen(
  e: ChangeEvent<HTMLInputElement>,
  kind: 'transport' | 'wrapped',
): Promise<FileFacts | null> {
  const file = e.target.files?.[0];
  if (!file) return null;
  return factsOf(file.name, await file.text(), kind);
}

/** The transcript downloads of a batch. */
function TranscriptLinks({ batchId }: { batchId: string }): ReactNode {
  const transcript = useCeremony((s) => s.transcript);
  const get = async (format: 'json' | 'pdf') => {
    const file = await transcript(batchId, format);
    if (file) saveFile(file.fileName, file);
  };
  return (
    <div className="row gap">
      <span className="muted">Transcript:</span>
      <button type="button" className="btn secondary" onClick={() => void get('json')}>
        Download JSON
      </button>
      <button type="button" className="btn secondary" onClick={() => void get('pdf')}>
        Download PDF
      </button>
    </div>
  );
}

/** Receiving side: transport key, then the wrapped file. */
function Receive(): ReactNode {
  const { busy, transport, wrappedFile, imported, createTransportKey, chooseWrapped, importWrapped } =
    useCeremony();
  const [expect, setExpect] = useState('');
  return (
    <div className="stack">
      <h3>1. Transport key</h3>
      <p className="muted">
        A key pair made inside this station’s HSM; give its public half (transport.pub) to the sending station
        and compare the fingerprint by phone.
      </p>
      {transport === null ? (
        <div>
          <button type="button" className="btn" disabled={busy} onClick={() => void createTransportKey()}>
            Create transport key
          </button>
        </div>
      ) : (
        <>
          <FingerprintLarge fingerprint={transport.fingerprint} label="Transport key fingerprint (SHA-256)" />
          <div className="row gap">
            <button
              type="button"
              className="btn secondary"
              onClick={() => saveFile(transport.fileName, transport)}
            >
              Download {transport.fileName}
            </button>
            <small className="muted">RSA-OAEP with {transport.oaepHash.toUpperCase()}</small>
          </div>
        </>
      )}
      <h3>2. Import the wrapped key</h3>
      <Field label="Wrapped key file (batch-….wrapped)">
        <input
          type="file"
          accept=".wrapped,application/json"
          aria-label="Wrapped key file"
          onChange={(e) => void readChosen(e, 'wrapped').then(chooseWrapped)}
        />
      </Field>
      {wrappedFile?.problem && <Notice kind="warn">{wrappedFile.problem}</Notice>}
      {wrappedFile && !wrappedFile.problem && (
        <>
          {wrappedFile.kcv && <KcvLarge kcv={wrappedFile.kcv} label="KCV the file claims" />}
          <p className="muted">
            Range {wrappedFile.range ?? '—'}; wrapped to transport key{' '}
            <span className="mono">{wrappedFile.fingerprint?.slice(0, 16)}…</span>
          </p>
          <div className="row gap wrap-end">
            <Field label="KCV the sending operator reads out (optional)" style={{ flex: 1 }}>
              <input
                className="mono"
                value={expect}
                maxLength={6}
                onChange={(e) => setExpect(e.target.value.trim())}
                spellCheck={false}
              />
            </Field>
            <button
              type="button"
              className="btn"
              disabled={busy || (expect !== '' && !/^[0-9A-Fa-f]{6}$/.test(expect))}
              onClick={() => void importWrapped(expect === '' ? undefined : expect)}
            >
              {busy ? 'Importing…' : 'Import into this HSM'}
            </button>
          </div>
        </>
      )}
      {imported && (
        <div className="stack" aria-label="Imported batch">
          <Notice kind="ok">
            Imported batch {imported.batch.id} ({imported.batch.firstEui} … {imported.batch.lastEui}) into
            this HSM. Both operators read the KCV aloud: it must be the same on both stations.
          </Notice>
          <KcvLarge kcv={imported.kcv} label="KCV in this HSM" />
          <TranscriptLinks batchId={imported.batch.id} />
        </div>
      )}
    </div>
  );
}

/** Sending side: a batch wrapped to the receiver's transport.pub. */
function Send(): ReactNode {
  const { busy, batches, transportFile, exported, loadBatches, chooseTransport, exportBatch } = useCeremony();
  const [batchId, setBatchId] = useState('');
  useEffect(() => {
    void loadBatches();
  }, [loadBatches]);
  const exportable = batches.filter((b) => b.exportable);
  const chosen = exportable.find((b) => b.id === batchId) ?? exportable[0];
  return (
    <div className="stack">
      <h3>1. Batch</h3>
      {exportable.length === 0 ? (
        <Notice kind="info">
          No batch here can be wrapped out: only a root key this station created (and has not sealed) can go
          to its twin.
        </Notice>
      ) : (
        <Field label="Batch">
          <select value={chosen?.id ?? ''} onChange={(e) => setBatchId(e.target.value)}>
            {exportable.map((b) => (
              <option key={b.id} value={b.id}>
                {b.id} — {b.firstEui} … {b.lastEui} — KCV {b.kcv}
              </option>
            ))}
          </select>
        </Field>
      )}
      <h3>2. The receiver’s transport key</h3>
      <Field label="transport.pub from the receiving station">
        <input
          type="file"
          accept=".pub,application/json"
          aria-label="Transport key file"
          onChange={(e) => void readChosen(e, 'transport').then(chooseTransport)}
        />
      </Field>
      {transportFile?.problem && <Notice kind="warn">{transportFile.problem}</Notice>}
      {transportFile?.fingerprint && !transportFile.problem && (
        <FingerprintLarge
          fingerprint={transportFile.fingerprint}
          label="Fingerprint in the file: the receiving operator must read the same"
        />
      )}
      {chosen && transportFile && !transportFile.problem && (
        <div>
          <button type="button" className="btn" disabled={busy} onClick={() => void exportBatch(chosen.id)}>
            {busy ? 'Wrapping…' : `Wrap batch ${chosen.id} to this key`}
          </button>
        </div>
      )}
      {exported && (
        <div className="stack" aria-label="Exported batch">
          <h3>3. Give the file to the receiving station</h3>
          <KcvLarge kcv={exported.kcv} label="KCV in this HSM" />
          <div className="row gap">
            <button type="button" className="btn" onClick={() => saveFile(exported.fileName, exported)}>
              Download {exported.fileName}
            </button>
            <small className="muted mono">SHA-256 {exported.fileSha256.slice(0, 16)}…</small>
          </div>
          <TranscriptLinks batchId={exported.batchId} />
        </div>
      )}
    </div>
  );
}

/** The wizard card: receiving and sending side. */
export function CeremonyWizard(): ReactNode {
  const [side, setSide] = useState<'receive' | 'send'>('receive');
  const error = useCeremony((s) => s.error);
  return (
    <div className="card stack" aria-label="Key ceremony">
      <h2>Key ceremony</h2>
      <p className="muted">
        Moves a batch root key from the station that created it to its twin, wrapped inside the two HSMs; it
        is never readable on the way. Every step goes into the batch’s transcript.
      </p>
      <Tabs
        label="Ceremony side"
        value={side}
        onChange={setSide}
        tabs={[
          { id: 'receive', title: 'Receive a key' },
          { id: 'send', title: 'Send a key' },
        ]}
      />
      {error && (
        <div aria-label="Ceremony refused">
          <ErrorNotice error={error} context="ceremony" hint="Nothing was changed." />
        </div>
      )}
      {side === 'receive' ? <Receive /> : <Send />}
    </div>
  );
}
