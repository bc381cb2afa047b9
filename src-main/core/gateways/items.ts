/**
 * Per-item plumbing shared by the Owner API operations (SPEC §4.2): one answer per request item in
 * request order, gateway ids parsed per item (`invalid_id`), a gateway named twice in one request
 * answered `duplicate_in_request` from its second mention on, each item checked with its
 * operation's item schema (`src-shared/contract/gateway-ops.ts`) so a bad field answers for its
 * item alone (`invalid_uri`, `invalid_credential`, `invalid_request` naming `gateways[i].field`),
 * and a bounded item count. A list the door already parsed whole with the item schema
 * (`checkedItems`, `src-shared/contract/operation.ts`) is not parsed again.
 */
import { z } from 'zod';
import { describeIssues } from '../../../src-shared/contract/issues';
import { wereCheckedWith } from '../../../src-shared/contract/operation';
import type { ItemResult } from '../../../src-shared/contract/shapes';
import { DomainError, isDomainError } from '../../../src-shared/errors';
import { euiHex, formatId6, parseIdField } from '../../../src-shared/ids';
import type { CoreEnv } from '../env';

/** A request item whose gateway id parsed and is not a repeat. */
export interface ItemTarget {
  /** position in the request */
  index: number;
  id: bigint;
  /** 16 uppercase hex digits: the stored key */
  hex: string;
  id6: string;
}

/** @throws DomainError('too_many_items') beyond the configured maximum (SPEC §4.2: 10 000). */
function checkItemCount(env: CoreEnv, n: number): void {
  if (n > env.config.maxItems) {
    throw new DomainError(
      'too_many_items',
      `gateways: ${n} items, at most ${env.config.maxItems} per request`,
    );
  }
}

/** Turns a per-item failure into the item's `error`/`code`; anything but a DomainError propagates. */
export function failItem(result: ItemResult, e: unknown): void {
  if (!isDomainError(e)) throw e;
  result.error = e.message;
  result.code = e.code;
}

/** A DomainError whose message starts with the gateway: `gateway 0:ff:fe00:abc is not claimed`. */
export function itemError(code: DomainError['code'], id6: string, message: string): DomainError {
  return new DomainError(code, `gateway ${id6} ${message}`, { gateway: id6 });
}

/** An item that passed its checks: its target and its parsed value. */
interface CheckedItem<T> extends ItemTarget {
  item: T;
}

/**
 * The gateway field of a request item: the item itself where items are plain ids, else the
 * `gateway` member of an object item (undefined for anything else).
 */
function gatewayOfItem(item: unknown, plainIds: boolean): unknown {
  if (plainIds) return item;
  return typeof item === 'object' && item !== null && !Array.isArray(item)
    ? (item as { gateway?: unknown }).gateway
    : undefined;
}

const echo = (raw: unknown): string =>
  typeof raw === 'string' ? raw : typeof raw === 'number' || typeof raw === 'boolean' ? String(raw) : '';

/**
 * Checks every item of a request, in order: its gateway id (`invalid_id`; a repeat is
 * `duplicate_in_request` from its second mention on), then the item against `schema` (a failure
 * names `gateways[i].field` and carries the value's code). An item whose gateway field is missing
 * or not a string fails on the schema, naming that field. Returns the answer array (one entry per
 * item, `gateway` = canonical ID6 where it parsed) and the items still to process, parsed. Items of
 * a list marked checked with `schema` are taken as they are (already its output).
 * @throws DomainError('too_many_items') beyond the configured maximum (SPEC §4.2: 10 000).
 */
export function checkItems<S extends z.ZodType>(
  env: CoreEnv,
  items: readonly unknown[],
  schema: S,
): { results: ItemResult[]; targets: CheckedItem<z.output<S>>[] } {
  checkItemCount(env, items.length);
  const results: ItemResult[] = [];
  const targets: CheckedItem<z.output<S>>[] = [];
  const firstSeen = new Map<string, number>();
  const plainIds = !(schema instanceof z.ZodObject);
  const checked = wereCheckedWith(items, schema);
  items.forEach((raw, index) => {
    const gateway = gatewayOfItem(raw, plainIds);
    const result: ItemResult = { gateway: echo(gateway) };
    results.push(result);
    const rejectBy = (issues: readonly z.core.$ZodIssue[], id6?: string) => {
      const body = describeIssues(issues, `gateways[${index}]`);
      failItem(result, new DomainError(body.code, body.error, id6 === undefined ? {} : { gateway: id6 }));
    };
    if (typeof gateway !== 'string') {
      const r = schema.safeParse(raw, { reportInput: true });
      if (!r.success) return rejectBy(r.error.issues);
    }
    let id: bigint;
    try {
      id = parseIdField(gateway, 'gateway');
    } catch (e) {
      failItem(result, e);
      return;
    }
    const id6 = formatId6(id);
    const hex = euiHex(id);
    result.gateway = id6;
    const first = firstSeen.get(hex);
    if (first !== undefined) {
      failItem(
        result,
        itemError('duplicate_in_request', id6, `is already named by item ${first} of this request`),
      );
      return;
    }
    firstSeen.set(hex, index);
    if (checked) {
      targets.push({ index, id, hex, id6, item: raw as z.output<S> });
      return;
    }
    const r = schema.safeParse(raw, { reportInput: true });
    if (!r.success) return rejectBy(r.error.issues, id6);
    targets.push({ index, id, hex, id6, item: r.data });
  });
  return { results, targets };
}

/** Counts each item's outcome (`<op>.ok` or `<op>.<code>`) in the Owner API metrics. */
export function countOutcomes(env: CoreEnv, op: string, results: readonly ItemResult[]): void {
  const tally = new Map<string, number>();
  for (const r of results) {
    const key = `${op}.${r.code ?? 'ok'}`;
    tally.set(key, (tally.get(key) ?? 0) + 1);
  }
  for (const [key, n] of tally) env.counters.count('ownerApi', key, n);
}
