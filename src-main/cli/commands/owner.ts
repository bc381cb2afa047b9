/** `gwjs owner create` (SPEC §7): an owner and its first API key (every scope but admin, shown once). */
import { SCOPES } from '../../core/api';
import { optionalString, requireString, type Command } from '../command';

/** Scopes of an owner's first key: everything an owner may do, never admin (SPEC §4.1). */
export const OWNER_SCOPES = SCOPES.filter((s) => s !== 'admin');

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
