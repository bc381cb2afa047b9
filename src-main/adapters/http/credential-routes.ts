/**
 * Owner API endpoints of gateway client certificates (SPEC §3.1) and of the station's update-signing
 * public key (SPEC §3.4) — contract in `src-shared/credential-api.ts`. Registered inside the Owner
 * API scope (`owner-routes.ts`), so they share its rate limits, Bearer authentication, JSON parser
 * and error envelope; each validates its body with the shared schema and makes one core call.
 */
import type { Core, RequestContext } from '../../core/api';
import { bytesToBase64 } from '../../../src-shared/bytes';
import { crc32 } from '../../../src-shared/crc32';
import {
  CERTIFICATE_OPERATIONS,
  CERTIFICATE_REQUEST_SCHEMAS,
  StationKeyRequestSchema,
  parseApiBody,
  type CertificateOperation,
  type CertificateRequests,
} from '../../../src-shared/credential-api';
import type { ErrorBody } from '../../../src-shared/errors';
import { MAX_BODY_BYTES } from '../../../src-shared/owner-api';

/** One endpoint: its path, body limit, validation and core call. */
export interface ApiEndpoint<T> {
  path: string;
  bodyLimit: number;
  parse(body: unknown): { ok: true; value: T } | { ok: false; error: ErrorBody };
  call(ctx: RequestContext, value: T): Promise<unknown>;
}

/** Registers an {@link ApiEndpoint} (the Owner API scope's `endpoint` helper). */
export type EndpointRegistrar = <T>(
  path: string,
  bodyLimit: number,
  parse: ApiEndpoint<T>['parse'],
  call: ApiEndpoint<T>['call'],
) => unknown;

function certificateCall(core: Core, op: CertificateOperation) {
  return async (ctx: RequestContext, value: CertificateRequests[CertificateOperation]): Promise<unknown> => {
    switch (op) {
      case 'issue': {
        const r = value as CertificateRequests['issue'];
        const c = await core.clientCertificates.issue(ctx, r.gateway, { days: r.days });
        return {
          gateway: c.gateway,
          eui: c.eui,
          fingerprint: c.fingerprint,
          notAfter: c.notAfter,
          cert: c.certPem,
          key: c.keyPem,
        };
      }
      case 'list': {
        const r = value as CertificateRequests['list'];
        return core.clientCertificates.list(ctx, r.ownerid, r.gateway);
      }
      case 'revoke': {
        const r = value as CertificateRequests['revoke'];
        return core.clientCertificates.revoke(ctx, r.ownerid, r.gateway, r.fingerprint);
      }
    }
  };
}

/** Registers `/api/v1/certificate/{issue,list,revoke}` and `/api/v1/firmware/station-key`. */
export function registerCredentialRoutes(core: Core, endpoint: EndpointRegistrar): void {
  for (const op of CERTIFICATE_OPERATIONS) {
    endpoint(
      `/api/v1/certificate/${op}`,
      MAX_BODY_BYTES,
      (body) => parseApiBody(CERTIFICATE_REQUEST_SCHEMAS[op], body),
      certificateCall(core, op),
    );
  }
  endpoint(
    '/api/v1/firmware/station-key',
    MAX_BODY_BYTES,
    (body) => parseApiBody(StationKeyRequestSchema, body),
    async () => {
      const raw = await core.signingKeys.keyFile();
      return { keyCrc: crc32(raw), key: bytesToBase64(raw) };
    },
  );
}
