/**
 * `gwjs owner create` (SPEC §7): an owner and its first API key (every scope but admin, shown
 * once); `gwjs key create --factory | --admin`: a key without an owner (docs/sync.md "Factory
 * records": a factory station links with a factory key).
 */
import { SCOPES } from '../../core/api';
import { UsageError, optionalString, requireString, type Command } from '../command';

/**
 * Scopes of an owner's first key: everything an owner may do (SPEC §4.1) — never `admin`, nor
 * `factory`, which is for keys without an owner (docs/sync.md "Factory records").
 */
export const OWNER_SCOPES = SCOPES.filter((s) => s !== 'admin' && s !== 'factory');

export const ownerCreateCommand: Command = {
  name: 'owner create',
  summary: 'create an owner and its first API key',
  usage: '--id ID [--name N]',
  help: [
    '  --id ID                    owner id: ID6, EUI-64, MAC-48 or 16 hex digits',
    '  --name N                   display name',
  ],
  options: { id: { type: 'string' }, name: { type: 'string' } },
  positionals: { min: 0, max: 0 },
  access: 'write',
  async run(args, io) {
    const id = requireString(args, 'id');
    const name = optionalString(args, 'name');
    const { withStation } = await import('../open');
    return withStation(args, io, async (station) => {
      const ctx = station.cliContext;
      const owner = await station.core.access.createOwner(ctx, id, ...(name !== undefined ? [name] : []));
      const { apiKey, summary } = await station.core.access.createApiKey(
        ctx,
        owner.id,
        OWNER_SCOPES,
        'first key (gwjs owner create)',
      );
      return {
        json: { ownerid: owner.id, name: owner.name, apiKey, apiKeyId: summary.id, scopes: summary.scopes },
        text: [`Owner ${owner.id} created.`, `API key (shown once, keep it safe): ${apiKey}`].join('\n'),
      };
    });
  },
};

export const keyCreateCommand: Command = {
  name: 'key create',
  summary: 'create an API key without an owner: a factory key or an admin key (shown once)',
  usage: '--factory | --admin [--label L]',
  help: [
    '  --factory                  scope "factory" only: a factory station’s personalization records',
    '  --admin                    an admin key (every scope, any owner)',
    '  --label L                  what the key is for (shown in key lists and the audit log)',
  ],
  options: {
    factory: { type: 'boolean', default: false },
    admin: { type: 'boolean', default: false },
    label: { type: 'string' },
  },
  positionals: { min: 0, max: 0 },
  access: 'write',
  async run(args, io) {
    const factory = args.values.factory === true;
    if (factory === (args.values.admin === true))
      throw new UsageError('key create: give exactly one of --factory and --admin');
    const label = optionalString(args, 'label') ?? (factory ? 'factory key (gwjs key create)' : undefined);
    const { withStation } = await import('../open');
    return withStation(args, io, async (station) => {
      const { apiKey, summary } = await station.core.access.createApiKey(
        station.cliContext,
        null,
        factory ? ['factory'] : ['admin'],
        ...(label !== undefined ? [label] : []),
      );
      return {
        json: { apiKey, apiKeyId: summary.id, scopes: summary.scopes, label: summary.label },
        text: [
          `${factory ? 'Factory' : 'Admin'} key ${summary.id} created (scopes: ${summary.scopes.join(' ')}).`,
          `API key (shown once, keep it safe): ${apiKey}`,
        ].join('\n'),
      };
    });
  },
};
