/**
 * What the line needs besides the bundle builder (`core/factory-bundle.ts`) to derive a unit: the
 * token generation of each gateway (a unit re-made after a rotation carries its current token) and
 * what its batch's bundles carry.
 */
import { euiHex } from '../../../src-shared/ids';
import type { BundleOptions } from '../factory-bundle';
import type { Tx } from '../ports';
import { intOf } from '../rows';
import type { FactoryLineDeps } from './context';
import { bundleSettingsOf, type LineBatch } from './line-batches';

/** Token generations of the gateways in [first, last] that the join server knows (absent = 0). */
export async function tokenGenerations(tx: Tx, first: bigint, last: bigint): Promise<Map<string, number>> {
  const rows = await tx.all(
    'SELECT eui, token_generation FROM gateways WHERE eui >= ? AND eui <= ? AND token_generation <> 0',
    [euiHex(first), euiHex(last)],
  );
  return new Map(rows.map((r) => [String(r.eui), intOf(r, 'token_generation')]));
}

/**
 * What every bundle of `batch` carries now: its CUPS URI and trust (checked: `https`, a trust
 * known) and the station's active update-signing key as `sig-0.key` when it has one.
 * @throws DomainError('invalid_uri' | 'trust_required') naming the batch.
 */
export async function lineBundleOptions(
  deps: Pick<FactoryLineDeps, 'signingKeys'>,
  batch: LineBatch,
): Promise<{ options: BundleOptions; signingKeyCrc: number | null }> {
  const settings = bundleSettingsOf(batch);
  const key = await deps.signingKeys.active();
  return {
    options: { ...settings, signingKey: key?.publicKey },
    signingKeyCrc: key?.keyCrc ?? null,
  };
}
