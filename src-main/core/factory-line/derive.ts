/**
 * Derivation of a unit's secrets through the HSM (SPEC §2): GMK = HMAC(BRK, "GWJS-GMK-v1" ‖ EUI)
 * inside the HSM, then the claim PIN and the CUPS token of the gateway's current generation in
 * process. The GMK lives only as long as the bundle is built and is zeroed afterwards.
 */
import { euiHex } from '../../../src-shared/ids';
import type { Hsm, KeyHandle, Tx } from '../ports';
import { intOf } from '../rows';
import { claimPinFromGmk, cupsTokenFromGmk, deriveGmk } from '../kdf';
import { buildBundleFiles, type BundleFiles } from './bundle';

/** A derived unit: its bundle files (the only place the GMK appears) and its PIN. */
export interface DerivedUnit {
  files: BundleFiles;
  /** 8 symbols, unformatted */
  pin: string;
}

/** Token generations of the gateways in [first, last] that the join server knows (absent = 0). */
export async function tokenGenerations(tx: Tx, first: bigint, last: bigint): Promise<Map<string, number>> {
  const rows = await tx.all(
    'SELECT eui, token_generation FROM gateways WHERE eui >= ? AND eui <= ? AND token_generation <> 0',
    [euiHex(first), euiHex(last)],
  );
  return new Map(rows.map((r) => [String(r.eui), intOf(r, 'token_generation')]));
}

/**
 * Derives one unit's bundle (SPEC §5).
 * @throws DomainError('hsm_locked' | 'hsm_error') from the HSM.
 */
export async function deriveUnit(
  hsm: Hsm,
  batch: { id: string; brkHandle: KeyHandle },
  eui: bigint,
  generation: number,
  bundle: { cupsUri: string; trustPem: string },
): Promise<DerivedUnit> {
  const gmk = await deriveGmk(hsm, batch.brkHandle, eui);
  try {
    const pin = claimPinFromGmk(gmk);
    const token = cupsTokenFromGmk(gmk, generation);
    return { pin, files: buildBundleFiles({ eui, batchId: batch.id, gmk, pin, token, ...bundle }) };
  } finally {
    gmk.fill(0);
  }
}

/** The claim PIN of `eui` re-derived through the HSM (what the verify step compares against). */
export async function derivePin(hsm: Hsm, brkHandle: KeyHandle, eui: bigint): Promise<string> {
  const gmk = await deriveGmk(hsm, brkHandle, eui);
  try {
    return claimPinFromGmk(gmk);
  } finally {
    gmk.fill(0);
  }
}
