/**
 * The OpenAPI 3.1 document of the whole HTTPS API (SPEC §4.2 "Serve an OpenAPI 3 document"),
 * generated from the operation declarations (`OWNER_API`: request forms, answer, scope, summary)
 * with `z.toJSONSchema`, so the document cannot drift from what the server validates and answers.
 * Built once per server.
 */
import { z } from 'zod';
import { ErrorBodySchema } from '../../../src-shared/contract/shapes';
import {
  MAX_BODY_BYTES,
  MAX_ITEMS,
  OWNER_API,
  OWNER_API_PATHS,
  bulkForm,
  singleForm,
  type OwnerApiPath,
} from '../../../src-shared/owner-api';

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

/** What each namespace's failures mean (the 200 answer and the request come from the declaration). */
const FAILURES: Record<string, Record<string, string>> = {
  gateway: {
    '400': `whole-request problem: bad JSON, wrong types, bad ownerid or top-level field, more than ${MAX_ITEMS} items`,
    '401': 'missing or unknown API key',
    '403': 'the key lacks the scope, or ownerid is not the key’s owner',
    '413': `body larger than ${MAX_BODY_BYTES} bytes`,
    '415': 'content type is not application/json',
    '429': 'rate limited; see Retry-After',
  },
  firmware: {
    '400': 'bad JSON, wrong types, bad Base64, a signature that does not verify',
    '401': 'missing or unknown API key',
    '403': 'the key lacks the scope, or ownerid is not the key’s owner',
    '404': 'no station key (station-key)',
    '409': 'same CRC-32 with other bytes, or still needed by a setup',
    '413': 'body larger than the limit',
    '429': 'rate limited; see Retry-After',
  },
  factory: {
    '400':
      'bad JSON, wrong types, a missing or unknown field (the message names records[i].field), more than 10 000 records',
    '401': 'missing or unknown API key',
    '403': 'the key lacks the factory scope (a factory or an admin key)',
    '413': `body larger than ${MAX_BODY_BYTES} bytes`,
    '429': 'rate limited; see Retry-After',
  },
  certificate: {
    '400': 'bad JSON, wrong types, unknown fields, a bad id or fingerprint',
    '401': 'missing or unknown API key',
    '403': 'not an admin key (issue), or the gateway belongs to another owner',
    '404': 'unknown gateway or owner, nothing recorded to revoke',
    '409': 'the gateway is not claimed, or the fingerprint belongs to another gateway',
    '429': 'rate limited; see Retry-After',
  },
};

/** `claim` for `gateway/claim`, `firmwareStationKey` for `firmware/station-key`. */
function operationId(path: OwnerApiPath): string {
  const [ns = '', name = ''] = path.split('/');
  if (ns === 'gateway') return name;
  return ns + name.replace(/(^|-)([a-z])/g, (_m, _d, c: string) => c.toUpperCase());
}

/** The OpenAPI path item of one declared operation. */
function pathItem(path: OwnerApiPath): Record<string, unknown> {
  const op = OWNER_API[path];
  const request =
    op.kind === 'plain'
      ? schema(op.request)
      : {
          oneOf: [
            { title: 'single', ...schema(singleForm(op)) },
            { title: op.common === undefined ? 'bulk' : 'bulk or mixed', ...schema(bulkForm(op, true)) },
          ],
        };
  const failures = FAILURES[path.split('/')[0] ?? ''] ?? {};
  // the gateway writes and factory records take an Idempotency-Key (docs/sync.md)
  const writes = (op.kind === 'items' && op.scope !== 'read') || path === 'factory/records';
  return {
    post: {
      operationId: operationId(path),
      summary: op.summary,
      description: `API key scope: \`${op.scope}\` (or \`admin\`).`,
      tags: ['Owner API'],
      security: [{ bearerAuth: [] }],
      ...(writes ? { parameters: [IDEMPOTENCY_PARAMETER] } : {}),
      requestBody: { required: true, content: { 'application/json': { schema: request } } },
      responses: {
        '200': {
          description:
            op.kind === 'items'
              ? 'one item per request item, in request order (partial success is normal)'
              : path === 'factory/records'
                ? 'one answer per record, in request order (partial success is normal)'
                : 'done',
          content: { 'application/json': { schema: schema(op.response) } },
        },
        ...Object.fromEntries(Object.entries(failures).map(([status, why]) => [status, errorResponse(why)])),
        ...(writes ? { '422': errorResponse('the Idempotency-Key was used for another request') } : {}),
      },
    },
  };
}

function errorResponse(description: string) {
  return {
    description,
    content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorBody' } } },
  };
}

/** Builds the document; `serverUrl` goes into `servers` when given. */
export function buildOpenApiDocument(serverUrl?: string): Record<string, unknown> {
  const paths: Record<string, unknown> = {};
  for (const path of OWNER_API_PATHS) paths[`/api/v1/${path}`] = pathItem(path);
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
        bearerAuth: { type: 'http', scheme: 'bearer', description: 'Owner, factory or admin API key' },
        cupsToken: { type: 'http', scheme: 'bearer', description: 'The gateway’s CUPS token (cups.key)' },
      },
      schemas: { ErrorBody: schema(ErrorBodySchema) },
    },
  };
}
