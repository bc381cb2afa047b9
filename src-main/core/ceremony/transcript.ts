/**
 * The ceremony transcript (docs/twin-hsm.md "Transcript"): every ceremony step is an audit log entry
 * (`ceremony.*`) whose detail carries a hash chain per subject — a batch id, or `transport:<fp>` for
 * a transport key: `hash = SHA-256(prev ‖ canonical JSON {chain, seq, at, actor, action, facts})`,
 * `prev` of the first entry 64 zeros. Editing, reordering or removing an entry inside a chain breaks
 * every later hash, which {@link verifyChain} finds.
 */
import { DomainError } from '../../../src-shared/errors';
import type { RequestContext } from '../api';
import { AuditWriter, actorOf } from '../audit';
import type { Tx } from '../ports';
import { intOf, textOf, textOrNull } from '../rows';
import { canonicalJson, sha256Hex } from './files';

/** `prev` of a chain's first entry. */
const GENESIS = '0'.repeat(64);

/** Steps of a ceremony. */
type CeremonyStep = 'transport_key.create' | 'export' | 'import' | 'backup' | 'restore' | 'seal';

/** One transcript entry as stored and exported. */
export interface TranscriptEntry {
  /** audit log id */
  id: number;
  at: string;
  actor: string;
  address: string | null;
  action: `ceremony.${CeremonyStep}`;
  chain: string;
  seq: number;
  prev: string;
  hash: string;
  /** what the step did: batch range, KCVs, key and file fingerprints … (never key material) */
  facts: Record<string, unknown>;
}

/** Result of {@link verifyChain}. */
export interface ChainCheck {
  ok: boolean;
  /** entries checked */
  entries: number;
  /** the first entry that does not verify, and why */
  brokenAt?: { seq: number; id: number; reason: string };
}

function hashOf(e: Omit<TranscriptEntry, 'id' | 'hash' | 'address'>): string {
  return sha256Hex(
    `${e.prev}${canonicalJson({ chain: e.chain, seq: e.seq, at: e.at, actor: e.actor, action: e.action, facts: e.facts })}`,
  );
}

/** Chain name of a transport key. */
export const transportChain = (fingerprint: string) => `transport:${fingerprint.slice(0, 32)}`;

/**
 * Appends a step to `chain` inside the caller's transaction (so the step and its record commit
 * together) and answers the new entry's hash.
 */
export async function appendStep(
  tx: Tx,
  ctx: RequestContext,
  at: string,
  chain: string,
  step: CeremonyStep,
  facts: Record<string, unknown>,
): Promise<{ seq: number; hash: string }> {
  const last = (await readChain(tx, chain)).at(-1);
  const seq = (last?.seq ?? 0) + 1;
  const prev = last?.hash ?? GENESIS;
  const action = `ceremony.${step}` as const;
  const hash = hashOf({ at, actor: actorOf(ctx.principal), action, chain, seq, prev, facts });
  await new AuditWriter(tx, ctx, at).add(action, chain, { chain, seq, prev, hash, ...facts });
  return { seq, hash };
}

/** Every entry of `chain`, oldest first. */
export async function readChain(tx: Tx, chain: string): Promise<TranscriptEntry[]> {
  const rows = await tx.all(
    "SELECT id, at, actor, address, action, detail FROM audit_log WHERE target = ? AND action LIKE 'ceremony.%' ORDER BY id",
    [chain],
  );
  return rows.map((r) => {
    let d: Record<string, unknown>;
    try {
      d = JSON.parse(textOf(r, 'detail')) as Record<string, unknown>;
    } catch {
      d = {};
    }
    const { chain: c, seq, prev, hash, ...facts } = d;
    return {
      id: intOf(r, 'id'),
      at: textOf(r, 'at'),
      actor: textOf(r, 'actor'),
      address: textOrNull(r, 'address'),
      action: textOf(r, 'action') as TranscriptEntry['action'],
      chain: typeof c === 'string' ? c : '',
      seq: typeof seq === 'number' ? seq : -1,
      prev: typeof prev === 'string' ? prev : '',
      hash: typeof hash === 'string' ? hash : '',
      facts,
    };
  });
}

/** Recomputes a chain: every `prev` links to the entry before, every `hash` matches its entry. */
export function verifyChain(entries: readonly TranscriptEntry[]): ChainCheck {
  let prev = GENESIS;
  let seq = 0;
  for (const e of entries) {
    seq += 1;
    const fail = (reason: string): ChainCheck => ({
      ok: false,
      entries: entries.length,
      brokenAt: { seq, id: e.id, reason },
    });
    if (e.seq !== seq)
      return fail(`sequence number ${e.seq}, expected ${seq} (an entry is missing or moved)`);
    if (e.prev !== prev) return fail('does not link to the entry before it');
    if (hashOf(e) !== e.hash) return fail('its content does not match its hash (the entry was edited)');
    prev = e.hash;
  }
  return { ok: true, entries: entries.length };
}

/** @throws DomainError('store_corrupt') when a chain does not verify (before a new step is appended). */
export function requireIntact(chain: string, entries: readonly TranscriptEntry[]): void {
  const check = verifyChain(entries);
  if (!check.ok) {
    throw new DomainError(
      'store_corrupt',
      `ceremony transcript ${chain}: entry ${check.brokenAt!.seq} ${check.brokenAt!.reason}`,
    );
  }
}
