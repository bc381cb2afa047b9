/**
 * The setup form → Owner API setup fields (SPEC §4.2, §3.3): one side (CUPS or LNS) at a time, from
 * what the operator chose — a URI, an authentication mode, picked files and a token. Pure; the
 * setup store keeps the form and calls these.
 */
import { bytesToBase64, utf8 } from '../../src-shared/bytes';
import { checkServiceUri, type EndpointKind } from '../../src-shared/uri';
import type { SetupFieldsInput } from '../../src-shared/ipc';
import type { CredentialFile } from './credential-file';

/** How the gateway authenticates to one server (SPEC §3.1). */
export type AuthMode = 'server-auth' | 'token' | 'client-cert';

/** One side of the setup form. */
export interface SideForm {
  /** false = leave this side as stored on each gateway */
  enabled: boolean;
  uri: string;
  mode: AuthMode;
  trust: CredentialFile | null;
  cert: CredentialFile | null;
  key: CredentialFile | null;
  token: string;
}

/** A fresh, disabled side. */
export const emptySide = (): SideForm => ({
  enabled: false,
  uri: '',
  mode: 'token',
  trust: null,
  cert: null,
  key: null,
  token: '',
});

/** Field names of a side. */
export const sideKeys = (kind: EndpointKind) =>
  kind === 'cups'
    ? ({ uri: 'cupsUri', trust: 'cupsTrust', crt: 'cupsCrt', key: 'cupsKey' } as const)
    : ({ uri: 'lnsUri', trust: 'lnsTrust', crt: 'lnsCrt', key: 'lnsKey' } as const);

/** True for `https://` / `wss://`. */
export function isSecureUri(uri: string): boolean {
  return /^(https|wss):\/\//i.test(uri.trim());
}

/**
 * The key-file content for token mode (SPEC §3.3): a header line `Name: value`. A bare token
 * becomes `Authorization: Bearer <token>`; a line that already is a header is kept. CRLF is added
 * by the server when missing.
 */
export function tokenHeader(token: string): string {
  const t = token.trim();
  if (/^[A-Za-z0-9_-]+: \S/.test(t)) return t;
  if (/^Bearer\s+\S/i.test(t)) return `Authorization: ${t}`;
  return `Authorization: Bearer ${t}`;
}

/** Result of {@link sideFields}: the fields to send, and problems that block sending. */
interface SideFieldsResult {
  fields: SetupFieldsInput;
  problems: string[];
}

/** Builds one side's setup fields from the form; disabled sides give no fields (keep stored). */
export function sideFields(kind: EndpointKind, side: SideForm): SideFieldsResult {
  const k = sideKeys(kind);
  const name = kind === 'cups' ? 'CUPS' : 'LNS';
  if (!side.enabled) return { fields: {}, problems: [] };
  const problems: string[] = [];
  const uri = side.uri.trim();
  const uriProblem = uri === '' ? 'address is required' : checkServiceUri(uri, kind);
  if (uriProblem) problems.push(`${name} address: ${uriProblem}`);
  const fields: SetupFieldsInput = { [k.uri]: uri };
  if (!isSecureUri(uri)) return { fields, problems };
  if (!side.trust) problems.push(`${name}: pick the trust certificate (the CA of the server)`);
  else fields[k.trust] = side.trust.base64;
  if (side.mode === 'server-auth') {
    fields[k.crt] = null;
    fields[k.key] = null;
  } else if (side.mode === 'token') {
    if (side.token.trim() === '') problems.push(`${name}: enter the token`);
    else fields[k.key] = bytesToBase64(utf8(tokenHeader(side.token)));
    fields[k.crt] = null;
  } else {
    if (!side.cert) problems.push(`${name}: pick the client certificate`);
    else fields[k.crt] = side.cert.base64;
    if (!side.key) problems.push(`${name}: pick the client private key`);
    else fields[k.key] = side.key.base64;
  }
  for (const f of [side.trust, side.cert].filter((x) => x !== null)) {
    if (f.encoding === 'unknown') problems.push(`${name}: ${f.name} is neither a PEM nor a DER certificate`);
  }
  return { fields, problems };
}

/**
 * A short, secret-free description of setup fields (template lists, confirmation). `secrets` names
 * secret fields a template holds server-side (they are never sent back to the UI).
 */
export function describeFields(fields: SetupFieldsInput, secrets: readonly string[] = []): string[] {
  const lines: string[] = [];
  for (const kind of ['cups', 'lns'] as const) {
    const k = sideKeys(kind);
    const name = kind === 'cups' ? 'CUPS' : 'LNS';
    const uri = fields[k.uri];
    const keySet = Boolean(fields[k.key]) || secrets.includes(k.key);
    if (uri === undefined && fields[k.trust] === undefined && !keySet) continue;
    if (uri === null) {
      lines.push(`${name}: cleared`);
      continue;
    }
    const creds: string[] = [];
    if (fields[k.trust]) creds.push('trust');
    if (fields[k.crt]) creds.push('client certificate');
    if (keySet) creds.push(fields[k.crt] ? 'client key' : 'token');
    lines.push(`${name}: ${uri ?? '(address kept)'}${creds.length ? ` — ${creds.join(', ')}` : ''}`);
  }
  if (fields.fwcrc !== undefined && fields.fwcrc !== null) {
    lines.push(`Firmware: CRC ${String(fields.fwcrc)}${fields.fwafter ? ` after ${fields.fwafter}` : ''}`);
  }
  return lines.length ? lines : ['(no changes)'];
}
