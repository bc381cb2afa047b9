/**
 * Merge semantics of `setup` (SPEC §4.2, §3.3): a field left out keeps its stored value, `null`
 * clears it. Per side (CUPS, LNS):
 * - no URI, or an `http`/`ws` URI → that side's credentials are null (a credential segment is never
 *   sent for a plain target, SPEC §3.3);
 * - `https`/`wss` → a trust certificate is required (given or stored), else `trust_required`;
 * - a certificate → the key is a private key that must match it (client-certificate mode);
 * - no certificate → the key, if any, is Authorization header text (token mode, CRLF added);
 *   without a key the side is server-authentication only.
 * The blob CUPS will send is built and its CRC computed here, once, so CUPS only compares numbers.
 * URIs arrive checked (the setup schema, SPEC §3.2). Credential inputs are converted through {@link CredentialInputs}, which remembers results per input
 * text: a mixed bulk request giving one trust to 10 000 gateways parses it once.
 */
import { ascii, base64ToBytes } from '../../../src-shared/bytes';
import { crc32 } from '../../../src-shared/crc32';
import { certBlob, normalizeAuthHeader, serverAuthBlob, tokenBlob } from '../../../src-shared/cups-wire';
import { DomainError } from '../../../src-shared/errors';
import type { CredentialSummary, SetupFields } from '../api';
import { assertKeyMatchesCertificate, parseCertificateInput, parsePrivateKeyInput } from '../credentials';

/** The two sides a setup configures. */
export type Side = 'cups' | 'lns';

/** One side as stored: DER parts (token-mode key = header text bytes) and the blob's CRC. */
export interface StoredSide {
  uri: string | null;
  trust: Uint8Array | null;
  crt: Uint8Array | null;
  key: Uint8Array | null;
  /** CRC-32 of the credential blob CUPS sends; null when the side sends none */
  crc: number | null;
}

/** An empty side: no URI, nothing sent. */
export const EMPTY_SIDE: StoredSide = { uri: null, trust: null, crt: null, key: null, crc: null };

/** Field names of a side in the Owner API. */
export const SIDE_FIELDS = {
  cups: { uri: 'cupsUri', trust: 'cupsTrust', crt: 'cupsCrt', key: 'cupsKey' },
  lns: { uri: 'lnsUri', trust: 'lnsTrust', crt: 'lnsCrt', key: 'lnsKey' },
} as const satisfies Record<Side, Record<string, keyof SetupFields>>;

/** True for a URI whose scheme is TLS (`https`, `wss`), any case (SPEC §3.1). */
export function isSecureUri(uri: string | null): boolean {
  return uri !== null && /^(?:https|wss):/i.test(uri);
}

/** Authentication mode of a stored side (for `info`). */
export function sideMode(s: StoredSide): CredentialSummary['mode'] {
  if (s.trust === null) return 'none';
  if (s.crt !== null) return 'client-cert';
  return s.key !== null ? 'token' : 'server-auth';
}

/** The credential blob of a stored side (SPEC §3.3), or null when the side sends none. */
export function sideBlob(s: StoredSide): Uint8Array | null {
  if (s.trust === null) return null;
  if (s.crt !== null && s.key !== null) return certBlob(s.trust, s.crt, s.key);
  if (s.key !== null) return tokenBlob(s.trust, Buffer.from(s.key).toString('latin1'));
  return serverAuthBlob(s.trust);
}

/** Parses credential inputs, remembering each result (or error) by input text. */
export class CredentialInputs {
  readonly #memo = new Map<string, Uint8Array | string | DomainError>();
  readonly #matched = new WeakMap<Uint8Array, WeakSet<Uint8Array>>();

  #cached<T extends Uint8Array | string>(kind: string, field: string, input: string, parse: () => T): T {
    const k = `${kind}\u0000${field}\u0000${input}`;
    let v = this.#memo.get(k);
    if (v === undefined) {
      try {
        v = parse();
      } catch (e) {
        if (!(e instanceof DomainError)) throw e;
        v = e;
      }
      this.#memo.set(k, v);
    }
    if (v instanceof DomainError) throw v;
    return v as T;
  }

  /** DER of a certificate input. @throws DomainError('invalid_credential'). */
  certificate(input: string, field: string): Uint8Array {
    return this.#cached('crt', field, input, () => parseCertificateInput(input, field));
  }

  /** Station-form DER of a private key input. @throws DomainError('invalid_credential'). */
  privateKey(input: string, field: string): Uint8Array {
    return this.#cached('key', field, input, () => parsePrivateKeyInput(input, field).der);
  }

  /**
   * Authorization header text from Base64 of it (the setup schema guarantees Base64).
   * @throws DomainError('invalid_credential') when the text is no header line.
   */
  header(input: string, field: string): string {
    return this.#cached('hdr', field, input, () =>
      normalizeAuthHeader(Buffer.from(base64ToBytes(input)).toString('latin1'), field),
    );
  }

  /** @throws DomainError('invalid_credential') when `key` is not the private key of `crt`. */
  assertMatch(crt: Uint8Array, key: Uint8Array, field: string): void {
    if (this.#matched.get(crt)?.has(key) === true) return;
    assertKeyMatchesCertificate(crt, key, field);
    let set = this.#matched.get(crt);
    if (set === undefined) this.#matched.set(crt, (set = new WeakSet()));
    set.add(key);
  }
}

/** The raw inputs of one side in a setup item: absent (undefined), null (clear) or text. */
interface SidePatch {
  uri?: string | null | undefined;
  trust?: string | null | undefined;
  crt?: string | null | undefined;
  key?: string | null | undefined;
}

/** The side's part of a setup item. */
export function sidePatchOf(fields: SetupFields, side: Side): SidePatch {
  const f = SIDE_FIELDS[side];
  return { uri: fields[f.uri], trust: fields[f.trust], crt: fields[f.crt], key: fields[f.key] };
}

/** True when the item sets or clears any field of the side. */
function touchesSide(p: SidePatch): boolean {
  return p.uri !== undefined || p.trust !== undefined || p.crt !== undefined || p.key !== undefined;
}

/** Text input, with `""` treated like null (nothing to parse). */
const given = (v: string | null | undefined): v is string => typeof v === 'string' && v !== '';

/**
 * Applies a side patch to the stored side and rebuilds its blob CRC. A side the patch does not
 * touch is returned unchanged.
 * @throws DomainError('trust_required' | 'invalid_credential') naming the field.
 */
export function mergeSide(
  side: Side,
  stored: StoredSide,
  patch: SidePatch,
  inputs: CredentialInputs,
): StoredSide {
  if (!touchesSide(patch)) return stored;
  const f = SIDE_FIELDS[side];
  const uri = patch.uri === undefined ? stored.uri : given(patch.uri) ? patch.uri : null;
  if (!isSecureUri(uri)) return { ...EMPTY_SIDE, uri };

  const trust =
    patch.trust === undefined
      ? stored.trust
      : given(patch.trust)
        ? inputs.certificate(patch.trust, f.trust)
        : null;
  if (trust === null) {
    throw new DomainError(
      'trust_required',
      `${f.trust}: ${f.uri} ${JSON.stringify(uri)} uses TLS and needs a trust certificate (none given or stored)`,
      { field: f.trust },
    );
  }
  const crt =
    patch.crt === undefined ? stored.crt : given(patch.crt) ? inputs.certificate(patch.crt, f.crt) : null;

  let key: Uint8Array | null;
  if (patch.key === undefined) {
    key = stored.key;
    // the stored key's kind follows the stored certificate: private key with one, header without
    if (key !== null && (crt !== null) !== (stored.crt !== null)) {
      throw new DomainError(
        'invalid_credential',
        crt !== null
          ? `${f.key}: ${f.crt} needs the matching private key in ${f.key}; the stored ${f.key} is an Authorization header`
          : `${f.key}: without ${f.crt} the key is an Authorization header; the stored ${f.key} is a private key (give a header, or null)`,
        { field: f.key },
      );
    }
  } else if (!given(patch.key)) {
    key = null;
  } else {
    key = crt !== null ? inputs.privateKey(patch.key, f.key) : ascii(inputs.header(patch.key, f.key));
  }

  if (crt !== null) {
    if (key === null) {
      throw new DomainError(
        'invalid_credential',
        `${f.key}: ${f.crt} needs the matching private key in ${f.key}`,
        {
          field: f.key,
        },
      );
    }
    if (patch.crt !== undefined || patch.key !== undefined) inputs.assertMatch(crt, key, f.key);
  }
  const merged: StoredSide = { uri, trust, crt, key, crc: null };
  const blob = sideBlob(merged);
  merged.crc = blob === null ? null : crc32(blob);
  return merged;
}
