/**
 * Custodian backup shares as text (docs/twin-hsm.md "Custodian backup"): one line per share, what
 * its page's QR code holds and what a custodian types back in if needed:
 * ```
 * GWJS-SHARE:1:<set id, 16 hex>:<m>:<n>:<x>:<batch KCV>:<Base64url share bytes>:<check>
 * ```
 * `check` = the first 4 bytes of SHA-256 of everything before it, as 8 uppercase hex: each share's
 * own check value, so a damaged or mistyped share is named before anything is combined.
 */
import { DomainError } from '../../../src-shared/errors';
import { sha256Hex } from './files';
import type { Share } from './shamir';

/** A parsed share. */
export interface BackupShare {
  setId: string;
  m: number;
  n: number;
  kcv: string;
  share: Share;
  /** the share's own check value (8 uppercase hex) */
  check: string;
  text: string;
}

const PREFIX = 'GWJS-SHARE:1';

const checkOf = (body: string) => sha256Hex(body).slice(0, 8).toUpperCase();

/** The text form of one share. */
export function formatShare(setId: string, m: number, n: number, kcv: string, share: Share): BackupShare {
  const body = `${PREFIX}:${setId}:${m}:${n}:${share.x}:${kcv}:${Buffer.from(share.y).toString('base64url')}`;
  const check = checkOf(body);
  return { setId, m, n, kcv, share, check, text: `${body}:${check}` };
}

/**
 * Parses and checks one share (`index` names it in messages, 1-based).
 * @throws DomainError('share_invalid') for a malformed share or one whose check value does not match.
 */
export function parseShare(text: string, index: number): BackupShare {
  const t = text.trim();
  const bad = (why: string) =>
    new DomainError('share_invalid', `share ${index}: ${why}`, { field: `shares[${index - 1}]` });
  const parts = t.split(':');
  if (parts.length !== 9 || `${parts[0]}:${parts[1]}` !== PREFIX) throw bad('not a GWJS-SHARE:1 line');
  const [, , setId, ms, ns, xs, kcv, data, check] = parts as [
    string,
    string,
    string,
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  if (!/^[0-9a-f]{16}$/.test(setId)) throw bad('bad set id');
  const [m, n, x] = [ms, ns, xs].map((v) => (/^[0-9]{1,3}$/.test(v) ? Number(v) : NaN)) as [
    number,
    number,
    number,
  ];
  if (!(m >= 2 && n >= m && n <= 255 && x >= 1 && x <= n)) throw bad('bad m, n or share number');
  if (!/^[0-9A-F]{6}$/.test(kcv)) throw bad('bad KCV');
  if (!/^[A-Za-z0-9_-]+$/.test(data)) throw bad('bad share data');
  const body = t.slice(0, t.lastIndexOf(':'));
  if (checkOf(body) !== check.toUpperCase()) {
    throw bad(`its check value ${check} does not match its content (damaged or mistyped)`);
  }
  return {
    setId,
    m,
    n,
    kcv,
    check: check.toUpperCase(),
    share: { x, y: new Uint8Array(Buffer.from(data, 'base64url')) },
    text: t,
  };
}

/**
 * Checks that parsed shares belong to one backup and are enough: same set, m, n and KCV, no share
 * twice, at least m of them.
 * @throws DomainError('share_invalid' | 'shares_insufficient')
 */
export function checkShareSet(shares: readonly BackupShare[]): {
  m: number;
  n: number;
  setId: string;
  kcv: string;
} {
  const first = shares[0];
  if (first === undefined)
    throw new DomainError('shares_insufficient', 'shares: none given', { field: 'shares' });
  const seen = new Set<number>();
  shares.forEach((s, i) => {
    if (s.setId !== first.setId || s.m !== first.m || s.n !== first.n || s.kcv !== first.kcv) {
      throw new DomainError('share_invalid', `share ${i + 1}: belongs to another backup (set ${s.setId})`, {
        field: `shares[${i}]`,
      });
    }
    if (seen.has(s.share.x)) {
      throw new DomainError('share_invalid', `share ${i + 1}: share ${s.share.x} of ${s.n} is given twice`, {
        field: `shares[${i}]`,
      });
    }
    seen.add(s.share.x);
  });
  if (shares.length < first.m) {
    throw new DomainError(
      'shares_insufficient',
      `shares: ${shares.length} given, this backup needs ${first.m} of its ${first.n}`,
      { field: 'shares' },
    );
  }
  return { m: first.m, n: first.n, setId: first.setId, kcv: first.kcv };
}
