/**
 * Reading certificate, key and trust files the operator picks for a setup (SPEC §4.2: trust/cert are
 * Base64 DER, Base64 of PEM text is also accepted and converted by the server). The file's bytes are
 * sent as they are, Base64-encoded; this module only recognizes what the file holds so the form can
 * say "PEM certificate" or warn about a file that is neither PEM nor DER.
 */
import { bytesToBase64 } from '../../src-shared/bytes';

/** What a picked credential file contains. */
export interface CredentialFile {
  name: string;
  size: number;
  /** `pem` (text with BEGIN lines), `der` (binary ASN.1, first byte 0x30) or `unknown` */
  encoding: 'pem' | 'der' | 'unknown';
  /** e.g. `CERTIFICATE`, `EC PRIVATE KEY` for PEM; `ASN.1` for DER; '' otherwise */
  label: string;
  /** Base64 of the file's bytes, as the setup request carries it */
  base64: string;
}

/** Recognizes PEM (first BEGIN label), DER (0x30 SEQUENCE) or neither. */
export function inspectCredential(name: string, bytes: Uint8Array): CredentialFile {
  const head = new TextDecoder('latin1').decode(bytes.subarray(0, Math.min(bytes.length, 4096)));
  const pem = /-----BEGIN ([A-Z0-9 ]+)-----/.exec(head);
  let encoding: CredentialFile['encoding'] = 'unknown';
  let label = '';
  if (pem) {
    encoding = 'pem';
    label = pem[1]!;
  } else if (bytes.length > 2 && bytes[0] === 0x30) {
    encoding = 'der';
    label = 'ASN.1';
  }
  return { name, size: bytes.length, encoding, label, base64: bytesToBase64(bytes) };
}

/** Human description for the form: "PEM certificate", "DER (binary)", "not a certificate or key". */
export function describeCredential(file: CredentialFile): string {
  if (file.encoding === 'pem') return `PEM ${file.label.toLowerCase()}`;
  if (file.encoding === 'der') return 'DER (binary)';
  return 'not a PEM or DER certificate or key';
}

/** Reads a browser `File` (or any Blob with a name) as bytes and inspects it. */
export async function readCredentialFile(file: Blob & { name: string }): Promise<CredentialFile> {
  const buffer = await file.arrayBuffer();
  return inspectCredential(file.name, new Uint8Array(buffer));
}
