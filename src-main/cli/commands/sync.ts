/**
 * `gwjs sync link|unlink|status|now|pull|push|site-pack fetch|site-pack status` (docs/sync.md): the station's remote link and one-off
 * sync rounds. The link's API key comes from a file (never a plain argument) and is sealed in the
 * HSM. `gwjs serve` runs the sync loop itself; while it holds the store, `status` and
 * `site-pack status` ask it (docs/cli.md "While the server runs") and the others stop with the
 * usual message.
 */
import { readFile } from 'node:fs/promises';
import type { SyncStatus } from '../../core/sync/service';
import type { SitePackItem, SitePackStatus } from '../../../src-shared/contract/site-pack-views';
import { DomainError, isDomainError } from '../../../src-shared/errors';
import {
  NO_ARGUMENTS,
  UsageError,
  optionalString,
  requireString,
  stringList,
  type Command,
} from '../command';

function statusText(s: SyncStatus): string {
  if (!s.linked)
    return 'Not linked to a remote (gwjs sync link --url … --ca-file … --owner … --api-key-file …).';
  const c = s.counts;
  return [
    `Remote ${s.url} (${s.ownerId === null ? 'factory link: no owner, factory records only' : `owner ${s.ownerId}`}; CA SHA-256 ${s.caFingerprint})`,
    `Online: ${s.online === null ? 'not tried yet' : s.online ? 'yes' : 'no'}; last success ${s.lastSuccessAt ?? 'never'}`,
    ...(s.lastError !== null ? [`Last error (${s.lastErrorAt}): ${s.lastError}`] : []),
    `Outbox: ${c.pending} pending, ${c.sent} sent, ${c.rejected} rejected, ${c.conflict} conflict, ${c.dropped} dropped, ${c.adopted} adopted`,
    `Change feed cursor: ${s.cursor}`,
  ].join('\n');
}

async function readKeyFile(file: string): Promise<string> {
  try {
    return (await readFile(file, 'utf8')).split(/\r?\n/)[0]!.trim();
  } catch (e) {
    throw new UsageError(`--api-key-file: cannot read ${file} (${(e as Error).message})`);
  }
}

export const syncLinkCommand: Command = {
  name: 'sync link',
  summary: 'link this station to a remote join server (URL, pinned CA, owner, API key), or edit its link',
  usage:
    '--url https://HOST:PORT [--ca-file CA.pem] [--owner ID] [--api-key-file F | --keep-api-key] [--ca-fingerprint SHA256]',
  help: [
    '  --url URL                  the remote join server, https://host:port',
    '  --ca-file F                the remote’s CA certificate (its <data>/tls/ca.pem): the only trust of the link;',
    '                             editing a link without it keeps the pinned CA',
    '  --ca-fingerprint HEX       SHA-256 the CA must have (as `gwjs init` printed it on the remote)',
    '  --owner ID                 the owner this station works for (editing: default the link’s owner);',
    '                             a new link without it is a factory link (no owner: it pushes factory',
    '                             personalization records only, docs/sync.md)',
    '  --api-key-file F           the API key on the remote (first line): the owner’s, or for a factory link',
    '                             a factory or admin key (gwjs key create --factory); sealed in the HSM.',
    '                             Editing a link without it keeps the sealed key when the URL keeps its',
    '                             origin (scheme, host, port)',
    '  --keep-api-key             send the sealed key to a URL of another origin (a security decision:',
    '                             the owner’s key goes to that host)',
  ],
  options: {
    url: { type: 'string' },
    'ca-file': { type: 'string' },
    'ca-fingerprint': { type: 'string' },
    owner: { type: 'string' },
    'api-key-file': { type: 'string' },
    'keep-api-key': { type: 'boolean', default: false },
  },
  positionals: { min: 0, max: 0 },
  access: 'write',
  async run(args, io) {
    const url = requireString(args, 'url');
    const caFile = optionalString(args, 'ca-file');
    const keyFile = optionalString(args, 'api-key-file');
    const keep = args.values['keep-api-key'] === true;
    if (keep && keyFile !== undefined)
      throw new UsageError('--keep-api-key: not with --api-key-file (a new key needs no confirmation)');
    const apiKey = keyFile === undefined ? undefined : await readKeyFile(keyFile);
    let caPem: string | undefined;
    if (caFile !== undefined) {
      try {
        caPem = await readFile(caFile, 'utf8');
      } catch (e) {
        throw new UsageError(`--ca-file: cannot read ${caFile} (${(e as Error).message})`);
      }
    }
    const fingerprint = optionalString(args, 'ca-fingerprint');
    const { withStation } = await import('../open');
    return withStation(args, io, async (station) => {
      const linked = await station.core.sync.status();
      // no --owner: the link's owner when editing, else a factory link (docs/sync.md "Factory records")
      const owner = optionalString(args, 'owner') ?? (linked.linked ? linked.ownerId : null);
      const edit = apiKey === undefined || caPem === undefined;
      const s = await station.core.sync
        .link(station.cliContext, {
          url,
          ownerId: owner,
          ...(caPem !== undefined ? { caPem } : {}),
          ...(apiKey !== undefined ? { apiKey } : {}),
          ...(keep ? { keepApiKey: true } : {}),
          ...(fingerprint !== undefined ? { caFingerprint: fingerprint } : {}),
        })
        .catch((e: unknown) => {
          // the core names its fields; the CLI names its flags
          const field = isDomainError(e) ? e.attributes.field : undefined;
          if (isDomainError(e) && (field === 'apiKey' || field === 'caPem'))
            throw new DomainError(
              e.code,
              e.message
                .replace(/^apiKey:/, '--api-key-file:')
                .replace(/^caPem:/, '--ca-file:')
                .replace('(keepApiKey)', '(--keep-api-key)'),
              { field: field === 'apiKey' ? '--api-key-file' : '--ca-file' },
            );
          throw e;
        });
      const kept = [
        ...(apiKey === undefined ? ['the sealed API key'] : []),
        ...(caPem === undefined ? ['the pinned CA'] : []),
      ];
      return {
        json: { ...s },
        text: `${edit && linked.linked ? `Link edited (kept ${kept.join(' and ')}).` : 'Linked.'}\n${statusText(s)}`,
      };
    });
  },
};

export const syncUnlinkCommand: Command = {
  name: 'sync unlink',
  summary: 'remove the remote link (the outbox is kept)',
  ...NO_ARGUMENTS,
  access: 'write',
  async run(args, io) {
    const { withStation } = await import('../open');
    return withStation(args, io, async (station) => {
      await station.core.sync.unlink(station.cliContext);
      return { json: { linked: false }, text: 'Unlinked.' };
    });
  },
};

/** `sync status|now|pull|push`: one command per verb, same output. */
function verb(name: 'status' | 'now' | 'pull' | 'push', summary: string): Command {
  return {
    name: `sync ${name}`,
    summary,
    ...NO_ARGUMENTS,
    access: name === 'status' ? 'read' : 'write',
    async run(args, io) {
      const { askStation, withStation } = await import('../open');
      // read-only: while `gwjs serve` holds the store, the server answers (docs/cli.md)
      if (name === 'status') {
        const s = await askStation(args, io, 'sync-status', {});
        return { json: { ...s }, text: statusText(s) };
      }
      return withStation(args, io, async (station) => {
        const sync = station.core.sync;
        const ctx = station.cliContext;
        const report =
          name === 'pull'
            ? await sync.pull(ctx)
            : name === 'push'
              ? await sync.push(ctx)
              : name === 'now'
                ? await sync.syncNow(ctx)
                : undefined;
        const s = await sync.status();
        return {
          json: { ...s, ...(report !== undefined && name !== 'now' ? { report } : {}) },
          text: `${report !== undefined && name !== 'now' ? `${name}: ${JSON.stringify(report)}\n` : ''}${statusText(s)}`,
        };
      });
    },
  };
}

export const syncStatusCommand = verb(
  'status',
  'the remote link, outbox counts, last success and last error',
);
export const syncNowCommand = verb('now', 'one sync round now: pull, push, pull');
export const syncPullCommand = verb('pull', 'pull the remote’s change feed into the mirror');
export const syncPushCommand = verb('push', 'push the pending outbox to the remote');

function sitePackText(s: SitePackStatus, items?: readonly SitePackItem[]): string {
  if (!s.present) return 'No site pack (gwjs sync site-pack fetch [--gateway ID…]).';
  const lines = [
    `Site pack of owner ${s.ownerId}: ${s.gateways} gateway(s), ${s.selection === null ? 'all of the owner’s' : `chosen: ${s.selection.join(', ')}`}`,
    `Made by the remote ${s.createdAt ?? 'never (not fetched yet)'}; fetched ${s.fetchedAt ?? 'never'}; remote CUPS ${s.remoteCupsUri ?? '(none)'}; ${s.clientCas} client CA(s)`,
  ];
  for (const g of items ?? []) {
    lines.push(
      `  ${g.gateway}  ${g.configured ? `cups ${g.cupsUri ?? '-'} lns ${g.lnsUri ?? '-'}` : 'not set up'}  token g${g.tokenGeneration}${g.tokenTarget > g.tokenGeneration ? `→${g.tokenTarget}` : ''}${g.seenAt !== null ? `  seen here ${g.seenAt} (g${g.seenGeneration})` : ''}${g.certificates > 0 ? `  ${g.certificates} client certificate(s)` : ''}`,
    );
  }
  return lines.join('\n');
}

export const syncSitePackFetchCommand: Command = {
  name: 'sync site-pack fetch',
  summary: 'fetch the site pack from the remote (local CUPS without a root key)',
  usage: '[--gateway ID…] [--all]',
  help: [
    '  --gateway ID               a gateway to pack (repeatable); the choice is kept for later refreshes',
    '  --all                      every gateway of the owner (the default for a first fetch)',
  ],
  options: { gateway: { type: 'string', multiple: true }, all: { type: 'boolean' } },
  positionals: { min: 0, max: 0 },
  access: 'write',
  async run(args, io) {
    const gateways = stringList(args, 'gateway');
    if (args.values.all === true && gateways.length > 0)
      throw new UsageError('--all: not together with --gateway');
    const choice = args.values.all === true ? null : gateways.length > 0 ? gateways : undefined;
    const { withStation } = await import('../open');
    return withStation(args, io, async (station) => {
      const s = await station.core.sync.fetchSitePack(station.cliContext, choice);
      const items = await station.core.sync.sitePackGateways();
      return { json: { ...s, items }, text: `Fetched.\n${sitePackText(s, items)}` };
    });
  },
};

export const syncSitePackStatusCommand: Command = {
  name: 'sync site-pack status',
  summary: 'what the stored site pack holds (no network access)',
  ...NO_ARGUMENTS,
  access: 'read',
  async run(args, io) {
    const { askStation } = await import('../open');
    // read-only: while `gwjs serve` holds the store, the server answers (docs/cli.md)
    const { status: s, items } = await askStation(args, io, 'site-pack', {});
    return { json: { ...s, items }, text: sitePackText(s, items) };
  },
};
