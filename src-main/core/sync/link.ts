/**
 * The remote link of a station (docs/sync.md "Link"): URL, the remote's CA certificate pinned by
 * its SHA-256 fingerprint, the owner the station works for, and the API key — sealed in the HSM
 * (secret {@link API_KEY_SECRET}), never in the store. One link per station. A **factory link**
 * has no owner (docs/sync.md "Factory records"): its key is a factory key, and it only pushes.
 */
import { X509Certificate, createHash } from 'node:crypto';
import { DomainError } from '../../../src-shared/errors';
import { euiFromHex, formatId6 } from '../../../src-shared/ids';
import { parseEndpointUri } from '../../../src-shared/uri';
import type { RequestContext } from '../api';
import { parseOwnerId, requireAdmin } from '../authorize';
import { isoAt, type CoreEnv } from '../env';
import { textOf, textOrNull } from '../rows';

/** The HSM secret name of the link's API key. */
export const API_KEY_SECRET = 'sync.apiKey';

/** The stored link. */
export interface SyncLink {
  url: string;
  caPem: string;
  /** SHA-256 of the CA certificate's DER, 64 lowercase hex */
  caFingerprint: string;
  /** null: a factory link (no owner; nothing pulled, only factory records and operations pushed) */
  ownerHex: string | null;
  ownerId6: string | null;
  createdAt: string;
  cursor: string;
  lastSuccessAt: string | null;
  lastError: string | null;
  lastErrorAt: string | null;
}

/**
 * What an operator gives to link a station — or to edit its link (docs/sync.md "Editing the link"):
 * without `caPem` the pinned CA is kept; without `apiKey` the sealed key is kept, when the owner is
 * the same and the new URL has the link's origin (scheme, host, port) — for another origin only
 * with `keepApiKey: true`, the operator's confirmation that the owner's key may go to that host.
 */
export interface SyncLinkInput {
  url: string;
  caPem?: string | undefined;
  /** when given, must equal the CA's SHA-256 fingerprint (hex, `:` separators and case ignored) */
  caFingerprint?: string | undefined;
  /** absent or null: a factory link (a factory or an admin key; docs/sync.md "Factory records") */
  ownerId?: string | null | undefined;
  apiKey?: string | undefined;
  /** send the sealed key to a URL of another origin (the explicit confirmation) */
  keepApiKey?: boolean | undefined;
}

/** `https://host:port` of a URL (the origin its key is sent to). */
function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return url;
  }
}

/**
 * Whether an edit to `url` may keep the sealed key of `old` without a confirmation.
 * @throws DomainError('invalid_request') naming `apiKey` (or `keepApiKey`) when it may not.
 */
function checkKeptKey(old: SyncLink | undefined, url: string, ownerHex: string | null, keep: boolean): void {
  if (old === undefined)
    throw new DomainError('invalid_request', 'apiKey: the owner’s API key on the remote is needed to link', {
      field: 'apiKey',
    });
  if (old.ownerHex !== ownerHex)
    throw new DomainError(
      'invalid_request',
      `apiKey: the link’s owner changes from ${old.ownerId6 ?? '(none: a factory link)'} to ${ownerHex === null ? '(none: a factory link)' : formatId6(euiFromHex(ownerHex))}: give that owner’s API key`,
      { field: 'apiKey' },
    );
  const from = originOf(old.url);
  const to = originOf(url);
  if (from !== to && !keep)
    throw new DomainError(
      'invalid_request',
      `apiKey: ${to} is another host than ${from}: give the API key again, or confirm sending the stored key to ${to} (keepApiKey)`,
      { field: 'apiKey' },
    );
}

/** SHA-256 fingerprint (64 lowercase hex) of the first certificate in `pem`. */
export function caFingerprintOf(pem: string): string {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(pem);
  } catch {
    throw new DomainError('invalid_credential', 'caPem: not a PEM certificate', { field: 'caPem' });
  }
  if (!cert.ca)
    throw new DomainError('invalid_credential', 'caPem: not a CA certificate', { field: 'caPem' });
  return createHash('sha256').update(cert.raw).digest('hex');
}

/** Reads the link, or undefined when the station has none. */
export async function loadLink(env: CoreEnv): Promise<SyncLink | undefined> {
  const r = await env.store.read((tx) => tx.get("SELECT * FROM sync_link WHERE id = 'remote'"));
  if (r === undefined) return undefined;
  const ownerHex = textOrNull(r, 'owner_id');
  return {
    url: textOf(r, 'url'),
    caPem: textOf(r, 'ca_pem'),
    caFingerprint: textOf(r, 'ca_fingerprint'),
    ownerHex,
    ownerId6: ownerHex === null ? null : formatId6(euiFromHex(ownerHex)),
    createdAt: textOf(r, 'created_at'),
    cursor: textOf(r, 'cursor'),
    lastSuccessAt: textOrNull(r, 'last_success_at'),
    lastError: textOrNull(r, 'last_error'),
    lastErrorAt: textOrNull(r, 'last_error_at'),
  };
}

/**
 * Stores a new link (replacing an old one: cursor and mirror start over) and seals its API key,
 * or keeps the sealed key and the pinned CA of the link it edits ({@link SyncLinkInput}).
 * Admin only.
 * @throws DomainError('invalid_request' | 'invalid_uri' | 'invalid_credential') naming the field.
 */
export async function saveLink(env: CoreEnv, ctx: RequestContext, input: SyncLinkInput): Promise<SyncLink> {
  requireAdmin(ctx);
  const { scheme } = parseEndpointUri(input.url, 'cups', 'url');
  if (scheme !== 'https')
    throw new DomainError('invalid_uri', 'url: the remote must be https://host:port', { field: 'url' });
  const old = await loadLink(env);
  const caPem = input.caPem ?? old?.caPem;
  if (caPem === undefined)
    throw new DomainError('invalid_request', 'caPem: the remote’s CA certificate is needed to link', {
      field: 'caPem',
    });
  const fingerprint = caFingerprintOf(caPem);
  if (input.caFingerprint !== undefined) {
    const want = input.caFingerprint.replace(/:/g, '').toLowerCase();
    if (want !== fingerprint) {
      throw new DomainError(
        'invalid_credential',
        `caFingerprint: the CA certificate's SHA-256 is ${fingerprint}, not ${want}`,
        { field: 'caFingerprint' },
      );
    }
  }
  const owner = input.ownerId == null ? null : parseOwnerId(input.ownerId);
  if (input.apiKey === undefined) {
    checkKeptKey(old, input.url, owner?.hex ?? null, input.keepApiKey === true);
    // the key stays sealed as it is: it must still be there to be kept
    await linkApiKey(env);
  } else {
    if (!/^gwjs_[A-Za-z0-9_-]+$/.test(input.apiKey)) {
      throw new DomainError('invalid_request', 'apiKey: expected a gwjs_… API key of the remote', {
        field: 'apiKey',
      });
    }
    const seal = env.hsm.sealSecret?.bind(env.hsm);
    if (seal === undefined)
      throw new DomainError('hsm_error', 'this HSM backend cannot seal the link’s API key');
    await seal(API_KEY_SECRET, new TextEncoder().encode(input.apiKey));
  }
  const at = isoAt(env.clock.now());
  await env.store.transaction(async (tx) => {
    await tx.run("DELETE FROM sync_link WHERE id = 'remote'");
    await tx.run('DELETE FROM sync_mirror');
    await tx.run(
      `INSERT INTO sync_link (id, url, ca_pem, ca_fingerprint, owner_id, created_at, cursor) VALUES ('remote', ?, ?, ?, ?, ?, '0')`,
      [input.url, caPem, fingerprint, owner?.hex ?? null, at],
    );
  });
  return (await loadLink(env))!;
}

/** Removes the link and its sealed key (the outbox stays, for the record). Admin only. */
export async function removeLink(env: CoreEnv, ctx: RequestContext): Promise<void> {
  requireAdmin(ctx);
  await env.store.transaction(async (tx) => {
    await tx.run("DELETE FROM sync_link WHERE id = 'remote'");
  });
  await env.hsm.sealSecret?.(API_KEY_SECRET, null);
}

/** The link's API key from the HSM. @throws DomainError('hsm_locked' | 'not_configured'). */
export async function linkApiKey(env: CoreEnv): Promise<string> {
  const raw = await env.hsm.unsealSecret?.(API_KEY_SECRET);
  if (raw === undefined)
    throw new DomainError('not_configured', 'sync: the remote link’s API key is not stored in the HSM');
  try {
    return new TextDecoder().decode(raw);
  } finally {
    raw.fill(0);
  }
}
