/**
 * Manufacturer → owner manifest export (docs/factory-line.md): the EUIs and claim PINs of a batch (or a
 * selection of its units), re-derived through the HSM and encrypted to the owner's P-256 public
 * key in the `gwjs-manifest` format (`src-shared/manifest.ts`: ECDH-ES P-256 + HKDF-SHA256 +
 * AES-256-GCM with the header as AAD). The station keeps no copy; the export is audited with the
 * recipient key id, never the PINs.
 */
import { createPublicKey, X509Certificate, type KeyObject } from 'node:crypto';
import { DomainError } from '../../../src-shared/errors';
import type { UnitState } from '../../../src-shared/factory-channels';
import { euiFromHex, euiHex, formatId6, parseIdField } from '../../../src-shared/ids';
import {
  manifestKeyId,
  sealManifest,
  type ManifestEntry,
  type ManifestPlainFormat,
} from '../../../src-shared/manifest';
import type { RequestContext } from '../context';
import { AuditWriter } from '../audit';
import { isoAt } from '../env';
import { IN_CHUNK, textOf } from '../rows';
import type { FactoryLineDeps } from './context';
import { derivePin } from '../factory-bundle';
import { loadLineBatch } from './line-batches';

/** Input of {@link ManifestExporter.export}. */
export interface ManifestExportInput {
  batchId: string;
  /** a selection of the batch's units (any id form); absent = every unit in `states` */
  gateways?: readonly string[] | undefined;
  /** default: every state but `blocked` */
  states?: readonly UnitState[] | undefined;
  format: ManifestPlainFormat;
  /** the owner's public key: PEM `PUBLIC KEY` (or a PEM certificate carrying it), P-256 */
  ownerPublicKey: string;
}

/** An exported manifest. */
export interface ManifestExport {
  fileName: string;
  /** the manifest file (JSON text) */
  text: string;
  count: number;
  /** id of the owner key it is encrypted to */
  kid: string;
}

const DEFAULT_STATES: readonly UnitState[] = ['personalized', 'printed', 'verified'];

/**
 * The owner's key as SubjectPublicKeyInfo DER; must be EC P-256.
 * @throws DomainError('invalid_request') naming `ownerPublicKey`.
 */
export function ownerKeySpki(input: string): Uint8Array {
  const field = 'ownerPublicKey';
  let key: KeyObject;
  try {
    key = input.includes('-----BEGIN CERTIFICATE-----')
      ? new X509Certificate(input).publicKey
      : createPublicKey({ key: input, format: 'pem' });
  } catch {
    throw new DomainError(
      'invalid_request',
      `${field}: expected a PEM public key (or certificate) of the owner`,
      { field },
    );
  }
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw new DomainError('invalid_request', `${field}: the owner key must be EC P-256 (prime256v1)`, {
      field,
    });
  }
  return new Uint8Array(key.export({ type: 'spki', format: 'der' }));
}

/** Exports encrypted manifests. */
export class ManifestExporter {
  constructor(private readonly deps: FactoryLineDeps) {}

  /**
   * Builds the manifest of the selected units.
   * @throws DomainError('not_found') for an unknown batch or a selected gateway that is not a unit
   *   of it; ('invalid_request') for a bad key or an empty selection.
   */
  async export(ctx: RequestContext, input: ManifestExportInput): Promise<ManifestExport> {
    const spki = ownerKeySpki(input.ownerPublicKey);
    const states = new Set(input.states ?? DEFAULT_STATES);
    const { batch, euis } = await this.deps.store.read(async (tx) => {
      const b = await loadLineBatch(tx, this.deps, input.batchId);
      if (input.gateways === undefined) {
        const rows = await tx.all('SELECT eui, state FROM factory_units WHERE batch_id = ? ORDER BY eui', [
          b.id,
        ]);
        return {
          batch: b,
          euis: rows.filter((r) => states.has(textOf(r, 'state') as UnitState)).map((r) => textOf(r, 'eui')),
        };
      }
      const wanted = [
        ...new Set(input.gateways.map((g, i) => euiHex(parseIdField(g, `gateways[${i}]`)))),
      ].sort();
      const found = new Set<string>();
      for (let i = 0; i < wanted.length; i += IN_CHUNK) {
        const part = wanted.slice(i, i + IN_CHUNK);
        const rows = await tx.all(
          `SELECT eui FROM factory_units WHERE batch_id = ? AND eui IN (${part.map(() => '?').join(', ')})`,
          [b.id, ...part],
        );
        for (const r of rows) found.add(textOf(r, 'eui'));
      }
      const missing = wanted.find((h) => !found.has(h));
      if (missing !== undefined) {
        throw new DomainError(
          'not_found',
          `gateways: ${formatId6(euiFromHex(missing))} is not a personalized unit of batch ${b.id}`,
          { field: 'gateways' },
        );
      }
      return { batch: b, euis: wanted };
    });
    if (euis.length === 0) {
      throw new DomainError(
        'invalid_request',
        `batch ${batch.id} has no units in the chosen states to export`,
      );
    }
    const gateways: ManifestEntry[] = [];
    for (const hex of euis) {
      const id = euiFromHex(hex);
      gateways.push({
        eui: hex,
        id6: formatId6(id),
        pin: await derivePin(this.deps.hsm, batch.brkHandle, id),
      });
    }
    const at = isoAt(this.deps.clock.now());
    const text = await sealManifest({
      gateways,
      format: input.format,
      batch: batch.id,
      createdAt: at,
      recipientSpki: spki,
    });
    const kid = await manifestKeyId(spki);
    await this.deps.store.transaction(async (tx) => {
      await new AuditWriter(tx, ctx, at).add('factory.manifest.export', batch.id, {
        count: gateways.length,
        kid,
        format: input.format,
        selection: input.gateways === undefined ? [...states] : 'gateways',
      });
    });
    return {
      fileName: `gwjs-manifest-${batch.id}-${gateways.length}.json`,
      text,
      count: gateways.length,
      kid,
    };
  }
}
