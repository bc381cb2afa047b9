/**
 * Identity checker (SPEC §1 and its note for users): one id in any form → ID6, EUI-64 and MAC side
 * by side, with the locally-administered and FFFE/`euiprefix` warnings explained.
 */
import type { ReactNode } from 'react';
import { CopyButton } from '../components/CopyButton';
import { ScreenHeader } from '../components/ScreenHeader';
import { useIdentity } from '../stores/identity-store';
import { Field } from '../components/Field';
import { PlainTable } from '../components/PlainTable';

function Form({ title, value, note }: { title: string; value: string | null; note: string }): ReactNode {
  return (
    <div className="card" aria-label={title}>
      <div className="muted">{title}</div>
      <div className="value" data-testid={`id-${title}`}>
        {value ?? '—'}
      </div>
      <div className="row gap" style={{ marginTop: 6 }}>
        {value && <CopyButton text={value} />}
        <small className="muted">{note}</small>
      </div>
    </div>
  );
}

/** The identity checker screen. */
export function IdentityScreen(): ReactNode {
  const { input, analysis, history, setInput, keep } = useIdentity();
  return (
    <section className="screen" aria-label="Identity checker">
      <ScreenHeader title="Identity checker" focusSelector="#identity-input" />
      <form
        className="card stack"
        onSubmit={(e) => {
          e.preventDefault();
          keep();
        }}
      >
        <Field
          label="Any id: ID6, EUI-64, MAC-48 or 16 hex digits"
          hint={
            <>
              {!analysis.ok && !analysis.empty && (
                <small className="bad" role="status">
                  {analysis.error}
                </small>
              )}
            </>
          }
        >
          <input
            id="identity-input"
            type="text"
            className="mono"
            style={{ fontSize: 17 }}
            value={input}
            onChange={(e) => setInput(e.target.value)}
            aria-invalid={!analysis.ok && !analysis.empty}
            spellCheck={false}
            autoComplete="off"
            placeholder="b8:27:eb:12:34:56"
          />
        </Field>
      </form>
      <div className="id-forms">
        <Form title="ID6" value={analysis.ok ? analysis.id6 : null} note="what APIs and logs show" />
        <Form title="EUI-64" value={analysis.ok ? analysis.eui64 : null} note="on labels; routerid" />
        <Form
          title="MAC"
          value={analysis.ok ? analysis.mac : null}
          note={
            analysis.ok && !analysis.mac ? 'not built from a MAC (no FF FE in the middle)' : 'FF FE removed'
          }
        />
      </div>
      {analysis.ok && analysis.warnings.length > 0 && (
        <div className="stack" aria-label="Warnings">
          {analysis.warnings.map((w) => (
            <div key={w.kind} className={`notice ${w.kind === 'from-mac' ? 'info' : 'warn'}`} role="status">
              {w.text}
            </div>
          ))}
        </div>
      )}
      {analysis.ok && analysis.warnings.length === 0 && (
        <div className="notice ok" role="status">
          A globally unique id: a Basics Station with this routerid reports exactly {analysis.id6}.
        </div>
      )}
      <div className="card">
        <h2>Good to know</h2>
        <ul style={{ margin: 0, paddingLeft: 18 }}>
          <li>
            A MAC-48 becomes an EUI-64 by inserting <code>FF FE</code> between the first and the last three
            bytes — no bit is flipped: <code>b8:27:eb:12:34:56</code> → <code>B8-27-EB-FF-FE-12-34-56</code>.
          </li>
          <li>
            A Basics Station whose <code>routerid</code> has its top 16 bits zero treats it as a MAC and
            inserts FFFE, so the <code>router</code> it reports differs from what was typed — unless{' '}
            <code>euiprefix</code> is <code>::0</code>.
          </li>
          <li>
            Addresses with bit 0x02 of the first byte set are locally administered (random Wi-Fi MACs); they
            are not a reliable gateway identity.
          </li>
        </ul>
      </div>
      {history.length > 0 && (
        <div className="card">
          <h2>Checked (Enter keeps an id here)</h2>
          <PlainTable>
            {history.map((h) => (
              <tr key={h.id6}>
                <td className="mono">{h.input}</td>
                <td className="mono">{h.id6}</td>
              </tr>
            ))}
          </PlainTable>
        </div>
      )}
    </section>
  );
}
