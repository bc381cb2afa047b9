/**
 * Factory personalization (SPEC §5): derives a batch gateway's secrets through the HSM and returns
 * the bundle the station writes to `<EUI-16-hex>/`. The GMK appears only in `gateway.json`; the
 * audit entry records who personalized which gateway, never the GMK, PIN or token.
 *
 * Two options beyond the token bundle: with `auth: 'client-cert'` the bundle authenticates by a TLS client
 * certificate instead of a token (SPEC §3.1: `cups.crt` + `cups.key` in both the regular and the
 * boot set, issued by the station's CA, EC P-256, SEC1 key, CN = the 16-hex EUI); and when the
 * station has an update-signing key, its public key goes into the bundle as `sig-0.key` (SPEC §3.4)
 * so the gateway accepts updates the station signs.
 *
 * A caller that writes the bundle out (`gwjs personalize`) hands its writer as `write`: it runs
 * before anything is committed, and only a bundle written gets its audit entry and — when the
 * station has a remote link and the caller names the station — its factory record in the outbox,
 * in the audit entry's transaction (docs/sync.md "Factory records").
 */
import { DomainError } from '../../src-shared/errors';
import { euiHex, formatId6, parseIdField } from '../../src-shared/ids';
import { parseEndpointUri } from '../../src-shared/uri';
import type { Bundle, FactoryService, PersonalizeOptions, RequestContext } from './api';
import { auditWriter } from './audit';
import { requireAdmin } from './authorize';
import type { Batches } from './batches';
import type { ClientCertificates } from './client-certs/service';
import type { UpdateSigningKeys } from './firmware/signing-keys';
import { derToPem, parseCertificateInput } from './credentials';
import type { CoreEnv } from './env';
import { deriveBundle, derivePin, type BundleClientCertificate } from './factory-bundle';
import { actorOf } from './audit';
import { isoAt } from './env';
import { recordOneOffPersonalize, type FactoryRecordSink } from './factory-line/records';
import { intOf } from './rows';

/** The optional collaborators of personalization: update-signing keys and client certificates. */
interface FactoryExtras {
  signingKeys?: UpdateSigningKeys | undefined;
  clientCertificates?: ClientCertificates | undefined;
  /** the station's outbox sink of factory records (queues only while linked: docs/sync.md) */
  records?: FactoryRecordSink | undefined;
}

/** What a gateway's label shows (SPEC §6), as {@link Factory.labelData} answers it. */
interface LabelData {
  id: bigint;
  id6: string;
  /** 16 uppercase hex digits */
  eui: string;
  /** the claim PIN, 8 symbols, unformatted */
  pin: string;
  batch: string;
}

/** How a label is used: written to a file (`render`) or sent to a printer (`print`). */
interface LabelUse {
  kind: 'render' | 'print';
  /** output format (`zpl`, `pdf`, `png`) */
  format: string;
  template: string;
}

/** Personalization of batch gateways. */
export class Factory implements FactoryService {
  constructor(
    private readonly env: CoreEnv,
    private readonly batches: Batches,
    private readonly extras: FactoryExtras = {},
  ) {}

  /**
   * The bundle of one gateway (admin only): the join server's CUPS URI (`https` — a token needs
   * TLS, SPEC §3.1) and CA certificate, `cups.key` with the token of the gateway's current
   * generation (0 for a new gateway), `gateway.json` with the GMK and PIN, and a `station.conf`
   * fragment pinning `routerid` to the EUI with `euiprefix` `::0`. With `write`, the bundle is
   * written before the audit entry (and factory record) commit; its error is thrown as is.
   * @throws DomainError('invalid_id' | 'not_found' | 'invalid_uri' | 'invalid_credential' | 'forbidden')
   */
  async personalize(ctx: RequestContext, gateway: string, options: PersonalizeOptions): Promise<Bundle> {
    requireAdmin(ctx);
    const auth = options.auth ?? 'token';
    if (auth !== 'token' && auth !== 'client-cert') {
      throw new DomainError(
        'invalid_request',
        `auth: ${JSON.stringify(auth)} is neither "token" nor "client-cert"`,
        {
          field: 'auth',
        },
      );
    }
    const id = parseIdField(gateway, 'gateway');
    const id6 = formatId6(id);
    const batch = await this.#batchOf(id, 'personalized');
    const uri = parseEndpointUri(options.cupsUri, 'cups', 'cupsUri');
    if (!uri.secure) {
      throw new DomainError(
        'invalid_uri',
        `cupsUri: ${JSON.stringify(uri.uri)} must be https: a token is only sent over TLS`,
        { field: 'cupsUri' },
      );
    }
    const trustPem = derToPem(parseCertificateInput(options.trustPem, 'trustPem'), 'CERTIFICATE');
    const row = await this.env.store.read((tx) =>
      tx.get('SELECT token_generation FROM gateways WHERE eui = ?', [batch.hex]),
    );
    const generation = row === undefined ? 0 : intOf(row, 'token_generation');

    let clientCertificate: BundleClientCertificate | undefined;
    if (auth === 'client-cert') {
      const certs = this.extras.clientCertificates;
      if (certs === undefined || !certs.canIssue()) {
        throw new DomainError(
          'invalid_request',
          'auth: this station has no certificate authority to issue client certificates',
          { field: 'auth' },
        );
      }
      const cert = await certs.issue(ctx, id6);
      clientCertificate = { certPem: cert.certPem, keyPem: cert.keyPem, fingerprint: cert.fingerprint };
    }
    const signing = await this.extras.signingKeys?.active();
    const bundle = await deriveBundle(
      this.env.hsm,
      { id: batch.row.id, brkHandle: batch.brkHandle },
      id,
      generation,
      {
        cupsUri: uri.uri,
        trustPem,
        clientCertificate,
        signingKey: signing?.publicKey,
      },
    );

    await options.write?.(bundle);

    await this.env.store.transaction(async (tx) => {
      if (options.station !== undefined && this.extras.records !== undefined) {
        // the one-off bundle's record, in the audit entry's transaction (docs/sync.md "Factory records")
        await recordOneOffPersonalize({ records: this.extras.records, random: this.env.random }, tx, {
          eui: batch.hex,
          batchId: batch.row.id,
          station: options.station,
          actor: actorOf(ctx.principal),
          at: isoAt(this.env.clock.now()),
          generation,
        });
      }
      await auditWriter(this.env, tx, ctx).add('personalize', id6, {
        batch: batch.row.id,
        generation,
        cupsUri: uri.uri,
        auth,
        ...(bundle.certificateFingerprint !== undefined
          ? { certificate: bundle.certificateFingerprint }
          : {}),
        ...(signing !== undefined ? { signingKeyCrc: signing.keyCrc } : {}),
      });
    });
    return bundle;
  }

  /**
   * What the label of a batch gateway shows (SPEC §6): its id and the claim PIN re-derived through
   * the HSM (admin only). Nothing is written but the audit entry `factory.label.render` (a file) or
   * `factory.label.print` (a printer) — a label is not a personalization. The entry names the
   * batch, format and template, never the PIN.
   * @throws DomainError('invalid_id' | 'not_found' | 'forbidden' | 'hsm_locked')
   */
  async labelData(ctx: RequestContext, gateway: string, use: LabelUse): Promise<LabelData> {
    requireAdmin(ctx);
    const id = parseIdField(gateway, 'gateway');
    const batch = await this.#batchOf(id, 'labelled');
    const pin = await derivePin(this.env.hsm, batch.brkHandle, id);
    const id6 = formatId6(id);
    await this.env.store.transaction(async (tx) => {
      await auditWriter(this.env, tx, ctx).add(`factory.label.${use.kind}`, id6, {
        batch: batch.row.id,
        format: use.format,
        template: use.template,
      });
    });
    return { id, id6, eui: batch.hex, pin, batch: batch.row.id };
  }

  /** The batch of `id` (its root key derives the gateway's secrets). @throws DomainError('not_found') */
  async #batchOf(id: bigint, what: string) {
    const batch = await this.batches.batchOf(id);
    if (batch === undefined) {
      throw new DomainError(
        'not_found',
        `gateway ${formatId6(id)} is outside every batch: only batch gateways are ${what}`,
        { field: 'gateway' },
      );
    }
    return { ...batch, hex: euiHex(id) };
  }
}
