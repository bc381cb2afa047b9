/**
 * Both versions of the gateways an outbox operation touches (docs/sync.md "Conflicts", the conflict
 * view of the Sync screen): this station's state of each gateway now, and the remote's as the
 * change feed last told it (the mirror), in one shape — the feed's {@link GatewayChangeState} — so
 * the two sides compare field by field. Also the remote's answer to each gateway's item, when it
 * refused it. No secret is read: credentials appear as the CRCs CUPS compares (SPEC §3.3).
 */
import {
  SECRET_ITEM_FIELDS,
  type GatewayVersions,
  type OutboxEntryView,
  type OutboxItemView,
} from '../../../src-shared/contract/sync-views';
import { euiFromHex, formatId6 } from '../../../src-shared/ids';
import type { CoreEnv } from '../env';
import { selectIn, textOf, textOrNull } from '../rows';
import { GATEWAY_STATE_COLUMNS, changeStateOf, type GatewayChangeState } from './change-feed';
import { itemGatewayHex, type OutboxEntry } from './outbox';

export type { GatewayVersions } from '../../../src-shared/contract/sync-views';

/**
 * An entry as the screens see it (docs/sync.md "Screens"): the owner as ID6, each item as its
 * gateway (ID6 when it parses) and plain fields, secret fields (claim PIN, token, private keys) only named, never sent.
 */
export function entryView(entry: OutboxEntry): OutboxEntryView {
  const secret = new Set<string>(SECRET_ITEM_FIELDS);
  return {
    seq: entry.seq,
    opId: entry.opId,
    operation: entry.operation,
    ownerId: entry.ownerHex === null ? null : formatId6(euiFromHex(entry.ownerHex)),
    items: entry.items.map((item): OutboxItemView => {
      if (typeof item !== 'object' || item === null)
        return { gateway: String(item), fields: {}, secrets: [] };
      const fields: OutboxItemView['fields'] = {};
      const secrets: OutboxItemView['secrets'] = [];
      let gateway = '';
      for (const [k, v] of Object.entries(item as Record<string, unknown>)) {
        if (k === 'gateway') {
          const hex = itemGatewayHex(item);
          gateway = hex === undefined ? String(v) : formatId6(euiFromHex(hex));
        } else if (secret.has(k)) {
          if (v !== '' && v !== null && v !== undefined) secrets.push(k as OutboxItemView['secrets'][number]);
        } else if (v === null || ['string', 'number', 'boolean'].includes(typeof v)) {
          fields[k] = v as string | number | boolean | null;
        } else fields[k] = JSON.stringify(v);
      }
      return { gateway, fields, secrets };
    }),
    state: entry.state,
    createdAt: entry.createdAt,
    attempts: entry.attempts,
    answeredAt: entry.answeredAt,
    answer: entry.answer,
  };
}

/** The gateways (16 hex) of an operation's items, in item order, each once. */
export function entryGatewayHexes(entry: OutboxEntry): string[] {
  return [...new Set(entry.items.map(itemGatewayHex).filter((h): h is string => h !== undefined))];
}

function answerFor(entry: OutboxEntry, id6: string): GatewayVersions['answer'] {
  const a = entry.answer;
  if (a === null) return null;
  if (!Array.isArray(a)) return { code: a.code, error: a.error };
  const item = a.find((i) => i.gateway === id6 && i.code !== undefined);
  return item === undefined ? null : { code: item.code!, error: item.error ?? item.code! };
}

/** Reads both versions of every gateway of `entry`. */
export async function versionsOf(env: CoreEnv, entry: OutboxEntry): Promise<GatewayVersions[]> {
  const hexes = entryGatewayHexes(entry);
  const ownerHex = entry.ownerHex;
  return env.store.read(async (tx) => {
    const local = new Map(
      (
        await selectIn(
          tx,
          (p) =>
            `SELECT g.eui, ${GATEWAY_STATE_COLUMNS} FROM gateways g LEFT JOIN setups s ON s.eui = g.eui WHERE g.eui IN (${p})`,
          hexes,
        )
      ).map((r) => [textOf(r, 'eui'), ownerHex === null ? null : changeStateOf(r, ownerHex)] as const),
    );
    const mirror = new Map(
      (
        await selectIn(tx, (p) => `SELECT eui, kind, at, state FROM sync_mirror WHERE eui IN (${p})`, hexes)
      ).map((r) => [textOf(r, 'eui'), r] as const),
    );
    return hexes.map((hex): GatewayVersions => {
      const id6 = formatId6(euiFromHex(hex));
      const m = mirror.get(hex);
      const state = m === undefined ? null : textOrNull(m, 'state');
      return {
        gateway: id6,
        local: local.get(hex) ?? null,
        remote: state === null ? null : (JSON.parse(state) as GatewayChangeState),
        remoteKnown: m !== undefined,
        remoteChange: m === undefined ? null : { kind: textOf(m, 'kind'), at: textOf(m, 'at') },
        answer: answerFor(entry, id6),
      };
    });
  });
}
