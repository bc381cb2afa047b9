/**
 * File picker for a trust certificate, client certificate or private key (PEM or DER). The file is
 * read as bytes in the browser and kept as Base64; the picker says what it found.
 */
import { useId, useState, type ReactNode } from 'react';
import { describeCredential, readCredentialFile, type CredentialFile } from '../stores/credential-file';
import { formatCount } from './format';

/** Props of {@link CredentialPicker}. */
interface CredentialPickerProps {
  label: string;
  file: CredentialFile | null;
  onChange: (file: CredentialFile | null) => void;
  hint?: string;
  /** `name` of the file input (tests and e2e find it by this) */
  name: string;
}

/** The picker: "Choose file…" / the chosen file's name and kind / Remove. */
export function CredentialPicker({ label, file, onChange, hint, name }: CredentialPickerProps): ReactNode {
  const id = useId();
  const [error, setError] = useState<string | null>(null);
  return (
    <div className="field">
      <span id={`${id}-label`}>{label}</span>
      <div className="row gap">
        <label className="btn secondary file-btn">
          {file ? 'Replace…' : 'Choose file…'}
          <input
            type="file"
            name={name}
            aria-labelledby={`${id}-label`}
            accept=".pem,.crt,.cer,.der,.key,.trust,.ca,application/x-pem-file,application/x-x509-ca-cert"
            onChange={async (e) => {
              const f = e.target.files?.[0];
              e.target.value = '';
              if (!f) return;
              try {
                setError(null);
                onChange(await readCredentialFile(f));
              } catch {
                setError(`${f.name} could not be read.`);
              }
            }}
          />
        </label>
        {file && (
          <>
            <span className="mono" title={`${formatCount(file.size)} bytes`}>
              {file.name}
            </span>
            <span className={`chip ${file.encoding === 'unknown' ? 'err' : 'ok'}`}>
              {describeCredential(file)}
            </span>
            <button type="button" className="btn link" onClick={() => onChange(null)}>
              Remove
            </button>
          </>
        )}
      </div>
      {error ? <small className="bad">{error}</small> : hint && <small>{hint}</small>}
    </div>
  );
}
