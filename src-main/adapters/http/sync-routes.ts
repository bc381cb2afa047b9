/**
 * Owner API endpoints of sync (docs/sync.md; contract in `src-shared/sync-api.ts`): the change feed
 * `POST /api/v1/gateway/changes`. Registered inside the Owner API scope (`owner-routes.ts`), so it
 * shares its rate limits, Bearer authentication, JSON parser and error envelope.
 */
import type { Core } from '../../core/api';
import { parseApiBody } from '../../../src-shared/credential-api';
import { MAX_BODY_BYTES } from '../../../src-shared/owner-api';
import { CHANGES_PATH, ChangesRequestSchema } from '../../../src-shared/sync-api';
import type { EndpointRegistrar } from './credential-routes';

/** Registers the change feed. */
export function registerSyncRoutes(core: Core, endpoint: EndpointRegistrar): void {
  endpoint(
    CHANGES_PATH,
    MAX_BODY_BYTES,
    (body) => parseApiBody(ChangesRequestSchema, body),
    (ctx, r) => core.owner.changes(ctx, r.ownerid, { after: r.after, limit: r.limit }),
  );
}
