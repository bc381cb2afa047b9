/**
 * Per-item plumbing shared by the Owner API operations (SPEC §4.2): one answer per request item in
 * request order, gateway ids parsed per item (`invalid_id`), a gateway named twice in one request
 * answered `duplicate_in_request` from its second mention on, and a bounded item count.
 */
import { DomainError, isDomainError } from '../../../src-shared/errors';
import { euiHex, formatId6, parseIdField } from '../../../src-shared/ids';
import type { ItemResult } from '../api';
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
export function checkItemCount(env: CoreEnv, n: number): void {
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

/**
 * Parses the gateway id of every item. Returns the answer array (one entry per item, `gateway` =
 * canonical ID6 where it parsed) and the items still to process.
 */
export function prepareItems(gateways: readonly unknown[]): { results: ItemResult[]; targets: ItemTarget[] } {
  const results: ItemResult[] = [];
  const targets: ItemTarget[] = [];
  const firstSeen = new Map<string, number>();
  gateways.forEach((raw, index) => {
    const result: ItemResult = { gateway: typeof raw === 'string' ? raw : String(raw) };
    results.push(result);
    let id: bigint;
    try {
      id = parseIdField(raw, 'gateway');
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
    targets.push({ index, id, hex, id6 });
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
