/**
 * The OpenAPI 3.1 document of the whole HTTPS API (SPEC §4.2 "Serve an OpenAPI 3 document"),
 * generated from the shared zod schemas with `z.toJSONSchema` so the document cannot drift from
 * what the server validates. Built once per server.
 */
import {
  CLAIM_UNLOCK_PATH,
  ClaimUnlockRequestSchema,
  ClaimUnlockResponseSchema,
} from '../../../src-shared/lockout-api';
import { z } from 'zod';
import {
  CERTIFICATE_OPERATIONS,
  CERTIFICATE_REQUEST_SCHEMAS,
  CertificateIssueResponseSchema,
  CertificateListResponseSchema,
  CertificateRevokeResponseSchema,
  StationKeyRequestSchema,
  StationKeyResponseSchema,
} from '../../../src-shared/credential-api';
import {
  ErrorBodySchema,
  FIRMWARE_OPERATIONS,
  FIRMWARE_REQUEST_SCHEMAS,
  FirmwareDeleteResponseSchema,
  FirmwareListResponseSchema,
  FirmwareUploadResponseSchema,
  MAX_FIRMWARE_BODY_BYTES,
  GATEWAY_OPERATIONS,
  ITEM_REQUEST_SCHEMAS,
  InfoResultsSchema,
  ItemResultsSchema,
  ListRequestSchema,
  ListResponseSchema,
  MAX_BODY_BYTES,
  MAX_ITEMS,
  type GatewayOperation,
} from '../../../src-shared/owner-api';
import { CHANGES_PATH, ChangesRequestSchema, ChangesResponseSchema } from '../../../src-shared/sync-api';

/** The header of a write that makes it idempotent (docs/sync.md "Idempotency"). */
const IDEMPOTENCY_PARAMETER = {
  name: 'Idempotency-Key',
  in: 'header',
  required: false,
  description:
    'Operation id (1–128 of A-Z a-z 0-9 . _ : ~ + / = -). The write is applied once; a retry with the same key and request gets the first answer (kept 7 days, also across restarts); the same key with another request is 422 idempotency_mismatch.',
  schema: { type: 'string', pattern: '^[A-Za-z0-9._:~+/=-]{1,128}$' },
};

/** The update-info request body as a station sends it (SPEC §3.1), for documentation. */
const UpdateInfoDocSchema = z.object({
  router: z.string().describe('gateway id, ID6'),
  cupsUri: z.string().nullable(),
  tcUri: z.string().nullable(),
  cupsCredCrc: z.number().int().min(0).max(0xffff_ffff),
  tcCredCrc: z.number().int().min(0).max(0xffff_ffff),
  station: z.string(),
  model: z.string(),
  package: z.string().nullable(),
  keys: z.array(z.number().int().min(0).max(0xffff_ffff)),
});

type JsonSchema = Record<string, unknown>;

function schema(s: z.ZodType): JsonSchema {
  const js = z.toJSONSchema(s, {
    target: 'draft-2020-12',
    io: 'input',
    unrepresentable: 'any',
  }) as JsonSchema;
  delete js.$schema;
  return js;
}

const SUMMARY: Record<GatewayOperation, string> = {
  claim: 'Claim gateways with their claim PIN',
  setup: 'Set CUPS/LNS URIs, credentials and firmware of claimed gateways',
  delete: 'Un-claim gateways (added gateways are removed)',
  add: 'Add gateways outside every batch, with their own CUPS token',
  info: 'Describe gateways (secrets masked)',
  list: 'List the owner’s gateways, a page at a time',
  rotate: 'Rotate the CUPS token of batch gateways (g → g + 1, no lock-out; SPEC §2)',
};

function errorResponse(description: string) {
  return {
    description,
    content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorBody' } } },
  };
}

/** Builds the document; `serverUrl` goes into `servers` when given. */
export function buildOpenApiDocument(serverUrl?: string): Record<string, unknown> {
  const paths: Record<string, unknown> = {};
  for (const op of GATEWAY_OPERATIONS) {
    const request =
      op === 'list'
        ? schema(ListRequestSchema)
        : {
            oneOf: [
              { title: 'single', ...schema(ITEM_REQUEST_SCHEMAS[op].single) },
              { title: op === 'setup' ? 'bulk or mixed' : 'bulk', ...schema(ITEM_REQUEST_SCHEMAS[op].bulk) },
            ],
          };
    const answer = op === 'list' ? ListResponseSchema : op === 'info' ? InfoResultsSchema : ItemResultsSchema;
    paths[`/api/v1/gateway/${op}`] = {
      post: {
        operationId: op,
        summary: SUMMARY[op],
        tags: ['Owner API'],
        security: [{ bearerAuth: [] }],
        ...(op === 'info' || op === 'list' ? {} : { parameters: [IDEMPOTENCY_PARAMETER] }),
        requestBody: { required: true, content: { 'application/json': { schema: request } } },
        responses: {
          '200': {
            description:
              op === 'list'
                ? 'one page of gateway ids'
                : 'one item per request item, in request order (partial success is normal)',
            content: { 'application/json': { schema: schema(answer) } },
          },
          '400': errorResponse(
            `whole-request problem: bad JSON, wrong types, bad ownerid, more than ${MAX_ITEMS} items`,
          ),
          '401': errorResponse('missing or unknown API key'),
          '403': errorResponse('the key lacks the scope, or ownerid is not the key’s owner'),
          '413': errorResponse(`body larger than ${MAX_BODY_BYTES} bytes`),
          ...(op === 'info' || op === 'list'
            ? {}
            : { '422': errorResponse('the Idempotency-Key was used for another request') }),
          '415': errorResponse('content type is not application/json'),
          '429': errorResponse('rate limited; see Retry-After'),
        },
      },
    };
  }
  const firmwareAnswers = {
    upload: FirmwareUploadResponseSchema,
    list: FirmwareListResponseSchema,
    delete: FirmwareDeleteResponseSchema,
  } as const;
  const firmwareSummary = {
    upload: 'Upload a firmware image with its signatures (each verified)',
    list: 'List the owner’s firmware images and the shared ones',
    delete: 'Delete a firmware image no setup still waits for',
  } as const;
  for (const op of FIRMWARE_OPERATIONS) {
    paths[`/api/v1/firmware/${op}`] = {
      post: {
        operationId: `firmware${op[0]!.toUpperCase()}${op.slice(1)}`,
        summary: firmwareSummary[op],
        tags: ['Owner API'],
        security: [{ bearerAuth: [] }],
        requestBody: {
          required: true,
          content: { 'application/json': { schema: schema(FIRMWARE_REQUEST_SCHEMAS[op]) } },
        },
        responses: {
          '200': {
            description: 'done',
            content: { 'application/json': { schema: schema(firmwareAnswers[op]) } },
          },
          '400': errorResponse('bad JSON, wrong types, bad Base64, a signature that does not verify'),
          '401': errorResponse('missing or unknown API key'),
          '403': errorResponse('the key lacks the scope, or ownerid is not the key’s owner'),
          '409': errorResponse('same CRC-32 with other bytes, or still needed by a setup'),
          '413': errorResponse(
            `body larger than ${op === 'upload' ? MAX_FIRMWARE_BODY_BYTES : MAX_BODY_BYTES} bytes`,
          ),
          '429': errorResponse('rate limited; see Retry-After'),
        },
      },
    };
  }
  const certificateDocs = {
    issue: {
      summary: 'Issue a gateway TLS client certificate with the station’s CA (admin key; SPEC §3.1)',
      answer: CertificateIssueResponseSchema,
    },
    list: { summary: 'List the certificates recorded for a gateway', answer: CertificateListResponseSchema },
    revoke: {
      summary:
        'Revoke one certificate (fingerprint) or every certificate of a gateway; CUPS then answers 403',
      answer: CertificateRevokeResponseSchema,
    },
  } as const;
  const credentialPaths: [string, string, z.ZodType, z.ZodType, string][] = [
    ...CERTIFICATE_OPERATIONS.map((op): [string, string, z.ZodType, z.ZodType, string] => [
      `/api/v1/certificate/${op}`,
      `certificate${op[0]!.toUpperCase()}${op.slice(1)}`,
      CERTIFICATE_REQUEST_SCHEMAS[op],
      certificateDocs[op].answer,
      certificateDocs[op].summary,
    ]),
    [
      '/api/v1/firmware/station-key',
      'firmwareStationKey',
      StationKeyRequestSchema,
      StationKeyResponseSchema,
      'The station’s update-signing public key as sig-0.key (404 when it has none; SPEC §3.4)',
    ],
    [
      CLAIM_UNLOCK_PATH,
      'claimUnlock',
      ClaimUnlockRequestSchema,
      ClaimUnlockResponseSchema,
      'Lift a claim lock: forget the wrong PINs counted for a gateway (one owner’s or all); admin key, audited (docs/security.md)',
    ],
    [
      CHANGES_PATH,
      'changes',
      ChangesRequestSchema,
      ChangesResponseSchema,
      'The owner’s change feed after a cursor: each changed gateway once, with its state now (docs/sync.md)',
    ],
  ];
  for (const [path, operationId, request, answer, summary] of credentialPaths) {
    paths[path] = {
      post: {
        operationId,
        summary,
        tags: ['Owner API'],
        security: [{ bearerAuth: [] }],
        requestBody: { required: true, content: { 'application/json': { schema: schema(request) } } },
        responses: {
          '200': { description: 'done', content: { 'application/json': { schema: schema(answer) } } },
          '400': errorResponse('bad JSON, wrong types, unknown fields, a bad id or fingerprint'),
          '401': errorResponse('missing or unknown API key'),
          '403': errorResponse('not an admin key (issue), or the gateway belongs to another owner'),
          '404': errorResponse('unknown gateway or owner, nothing recorded to revoke, no station key'),
          '409': errorResponse('the gateway is not claimed, or the fingerprint belongs to another gateway'),
          '429': errorResponse('rate limited; see Retry-After'),
        },
      },
    };
  }
  paths['/update-info'] = {
    post: {
      operationId: 'updateInfo',
      summary: 'CUPS: a LoRa Basics Station asks for URI, credential and firmware updates (SPEC §3)',
      tags: ['Gateway API (CUPS)'],
      security: [{ cupsToken: [] }, {}],
      requestBody: {
        required: true,
        description: 'Any or no Content-Type; at most 99 999 bytes',
        content: { 'application/json': { schema: schema(UpdateInfoDocSchema) } },
      },
      responses: {
        '200': {
          description: 'binary update-info answer (SPEC §3.2); 14 zero bytes when nothing changed',
          content: {
            'application/octet-stream': {
              schema: { type: 'string', contentMediaType: 'application/octet-stream' },
            },
          },
        },
        '400': { description: 'malformed request; the reason phrase names the field' },
        '401': { description: 'no valid token' },
        '403': {
          description:
            'client certificate refused: not trusted, names another gateway or none, not for client auth, or revoked',
        },
        '404': { description: 'not configured: gateway not claimed or never set up' },
        '429': { description: 'too many requests; see Retry-After' },
      },
    },
  };
  paths['/api/v1/openapi.json'] = {
    get: {
      operationId: 'openapi',
      summary: 'This document',
      responses: { '200': { description: 'OpenAPI 3.1' } },
    },
  };
  paths['/healthz'] = {
    get: {
      operationId: 'health',
      summary: 'Liveness',
      responses: {
        '200': {
          description: 'the server answers',
          content: {
            'application/json': { schema: { type: 'object', properties: { status: { const: 'ok' } } } },
          },
        },
        '503': {
          description: 'degraded: the store refuses writes (e.g. the disk is full); reads still work',
          content: {
            'application/json': {
              schema: {
                type: 'object',
                properties: { status: { const: 'degraded' }, store: { type: 'object' } },
              },
            },
          },
        },
      },
    },
  };
  return {
    openapi: '3.1.0',
    info: {
      title: 'gwjs-station join server',
      version: '1',
      description: 'Owner API (SPEC §4) and CUPS Gateway API (SPEC §3) of a LoRa Basics Station join server.',
    },
    ...(serverUrl !== undefined ? { servers: [{ url: serverUrl }] } : {}),
    paths,
    components: {
      securitySchemes: {
        bearerAuth: { type: 'http', scheme: 'bearer', description: 'Owner or admin API key' },
        cupsToken: { type: 'http', scheme: 'bearer', description: 'The gateway’s CUPS token (cups.key)' },
      },
      schemas: { ErrorBody: schema(ErrorBodySchema) },
    },
  };
}
