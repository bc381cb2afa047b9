/**
 * Factory personalization (SPEC §5): derives a batch gateway's secrets through the HSM and returns
 * the bundle the station writes to `<EUI-16-hex>/`. The GMK appears only in `gateway.json`; the
 * audit entry records who personalized which gateway, never the GMK, PIN or token.
 *
 * Two additions of issue #4: with `auth: 'client-cert'` the bundle authenticates by a TLS client
 * certificate instead of a token (SPEC §3.1: `cups.crt` + `cups.key` in both the regular and the
 * boot set, issued by the station's CA, EC P-256, SEC1 key, CN = the 16-hex EUI); and when the
 * station has an update-signing key, its public key goes into the bundle as `sig-0.key` (SPEC §3.4)
 * so the gateway accepts updates the station signs.
 */
import { bytesToHex } from '../../src-shared/bytes';
import { DomainError } from '../../src-shared/errors';
import { euiHex, formatEui64, formatId6, parseIdField } from '../../src-shared/ids';
import { formatPin } from '../../src-shared/pin';
import { parseEndpointUri } from '../../src-shared/uri';
import type { Bundle, BundleAuth, FactoryService, RequestContext } from './api';
import { auditWriter } from './audit';
import { requireAdmin } from './authorize';
import type { Batches } from './batches';
import type { ClientCertificates } from './client-certs/service';
import type { UpdateSigningKeys } from './firmware/signing-keys';
import { derToPem, parseCertificateInput } from './credentials';
import type { CoreEnv } from './env';
import { claimPinFromGmk, cupsKeyFileContent, cupsTokenFromGmk, deriveGmk, KDF_ID } from './kdf';
import { intOf } from './rows';

/** File names of a bundle (SPEC §5). */
export const BUNDLE_FILES = [
  'cups.uri',
  'cups-boot.uri',
  'cups.trust',
  'cups-boot.trust',
  'cups.key',
  'cups-boot.key',
  'gateway.json',
  'station.conf',
] as const;

/** Files a client-certificate bundle has instead of the token key files. */
export const CERT_BUNDLE_FILES = ['cups.crt', 'cups-boot.crt'] as const;

/** The optional collaborators of personalization (issue #4). */
export interface FactoryExtras {
  signingKeys?: UpdateSigningKeys | undefined;
  clientCertificates?: ClientCertificates | undefined;
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
   * fragment pinning `routerid` to the EUI with `euiprefix` `::0`.
   * @throws DomainError('invalid_id' | 'not_found' | 'invalid_uri' | 'invalid_credential' | 'forbidden')
   */
  async personalize(
    ctx: RequestContext,
    gateway: string,
    options: { cupsUri: string; trustPem: string; auth?: BundleAuth | undefined },
  ): Promise<Bundle> {
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
    const hex = euiHex(id);
    const batch = await this.batches.batchOf(id);
    if (batch === undefined) {
      throw new DomainError(
        'not_found',
        `gateway ${id6} is outside every batch: only batch gateways are personalized`,
        {
          field: 'gateway',
        },
      );
    }
    const uri = parseEndpointUri(options.cupsUri, 'cups', 'cupsUri');
    if (!uri.secure) {
      throw new DomainError(
        'invalid_uri',
        `cupsUri: ${JSON.stringify(uri.uri)} must be https: a token is only sent over TLS`,
        {
          field: 'cupsUri',
        },
      );
    }
    const trustPem = derToPem(parseCertificateInput(options.trustPem, 'trustPem'), 'CERTIFICATE');
    const row = await this.env.store.read((tx) =>
      tx.get('SELECT token_generation FROM gateways WHERE eui = ?', [hex]),
    );
    const generation = row === undefined ? 0 : intOf(row, 'token_generation');

    const gmk = await deriveGmk(this.env.hsm, batch.brkHandle, id);
    let pin: string;
    let cupsKey: string;
    let gmkHex: string;
    try {
      pin = formatPin(claimPinFromGmk(gmk));
      cupsKey = cupsKeyFileContent(cupsTokenFromGmk(gmk, generation));
      gmkHex = bytesToHex(gmk);
    } finally {
      gmk.fill(0);
    }
    const gatewayJson = { eui: hex, id6, batch: batch.row.id, kdf: KDF_ID, gmk: gmkHex, claimPin: pin };
    const stationConf = { station_conf: { routerid: formatEui64(id), euiprefix: '::0' } };
    const files: Record<(typeof BUNDLE_FILES)[number], string> = {
      'cups.uri': `${uri.uri}\n`,
      'cups-boot.uri': `${uri.uri}\n`,
      'cups.trust': trustPem,
      'cups-boot.trust': trustPem,
      'cups.key': cupsKey,
      'cups-boot.key': cupsKey,
      'gateway.json': `${JSON.stringify(gatewayJson, null, 2)}\n`,
      'station.conf': `${JSON.stringify(stationConf, null, 2)}\n`,
    };

    const bundle: Bundle = { eui: hex, id6, pin, files, auth };
    if (auth === 'client-cert') {
      const certs = this.extras.clientCertificates;
      if (certs === undefined || !certs.canIssue()) {
        throw new DomainError(
          'invalid_request',
          'auth: this station has no certificate authority to issue client certificates',
          {
            field: 'auth',
          },
        );
      }
      const cert = await certs.issue(ctx, id6);
      const withCert: Record<string, string> = { ...files };
      for (const set of ['cups', 'cups-boot']) {
        withCert[`${set}.crt`] = cert.certPem;
        withCert[`${set}.key`] = cert.keyPem;
      }
      bundle.files = withCert;
      bundle.certificateFingerprint = cert.fingerprint;
    }
    const signing = await this.extras.signingKeys?.active();
    if (signing !== undefined) bundle.binaryFiles = { 'sig-0.key': signing.publicKey };

    await this.env.store.transaction(async (tx) => {
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
}
