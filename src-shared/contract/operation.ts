/**
 * How an operation is declared — once, in `src-shared` — and what is derived from it
 * (DESIGN §1 "The contract"):
 *
 * - {@link itemOperation}: an Owner API operation on gateways (SPEC §4.2) — claim, setup, delete,
 *   add, info, rotate. It declares the strict schema of ONE item (an object with `gateway`, or a
 *   plain gateway id), the answer schema, the API key scope, the operator roles of its IPC channel
 *   and, for setup, the top-level fields of the mixed form. The Owner API's single and bulk wire
 *   forms (`owner-api.ts`), the OpenAPI document, the IPC channel (`channels/`), and the core's
 *   method types (`z.input` of the item, `z.output` of the answer) are derived from it.
 * - {@link plainOperation}: one request schema, one answer schema (list, firmware, certificates).
 *
 * Items of a bulk request answer for themselves: one bad item never fails its 9 999 neighbours
 * (SPEC §4.2 "partial success is normal"). A door first parses the whole item array at once with
 * the item schema (the fast path, one zod pass); when every item passes it hands the parsed list on
 * marked {@link checkedItems}, and the core takes the items as they are. When any item fails, the
 * door checks only the request around the items ({@link deferredItems}) and the core re-checks
 * each item with the item schema, answering per item.
 *
 * Runs anywhere: imports only zod and other `src-shared` modules.
 */
import { z } from 'zod';
import type { Role } from '../channel';
import { MAX_ITEMS, type Scope } from './values';

/** An Owner API operation on gateways, declared once. */
export interface ItemOperation<
  Item extends z.ZodType = z.ZodType,
  Res extends z.ZodType = z.ZodType,
  Common extends z.ZodObject | undefined = z.ZodObject | undefined,
> {
  kind: 'items';
  /** strict schema of one item: an object holding `gateway`, or a plain gateway id */
  item: Item;
  /** mixed form (setup): fields that may stand at the top level and apply to every item */
  common: Common;
  response: Res;
  /** the API key scope the operation needs (SPEC §4.1) */
  scope: Scope;
  /** operator roles that may call it over IPC / the HTTP bridge */
  roles: readonly Role[];
  summary: string;
}

/** An operation with one request and one answer schema, declared once. */
interface PlainOperation<Req extends z.ZodType = z.ZodType, Res extends z.ZodType = z.ZodType> {
  kind: 'plain';
  request: Req;
  response: Res;
  scope: Scope;
  roles: readonly Role[];
  summary: string;
  /** largest accepted body, bytes, when not the Owner API default */
  bodyLimit?: number | undefined;
}

/** Either kind of operation. */
export type Operation = ItemOperation | PlainOperation;

/** Declares an item operation (see the module comment). */
export function itemOperation<
  Item extends z.ZodType,
  Res extends z.ZodType,
  Common extends z.ZodObject | undefined = undefined,
>(
  d: Omit<ItemOperation<Item, Res, Common>, 'kind' | 'common'> & { common?: Common },
): ItemOperation<Item, Res, Common> {
  return { kind: 'items', ...d, common: d.common as Common };
}

/** Declares a plain operation. */
export function plainOperation<Req extends z.ZodType, Res extends z.ZodType>(
  d: Omit<PlainOperation<Req, Res>, 'kind'>,
): PlainOperation<Req, Res> {
  return { kind: 'plain', ...d };
}

/** What a caller hands the core per item: the item's input form, checked by the core. */
export type ItemInputOf<Op extends ItemOperation> = z.input<Op['item']>;
/** The mixed form's top-level fields after the door's check. */
type CommonOf<Op extends ItemOperation> = Op['common'] extends z.ZodObject ? z.output<Op['common']> : never;
/** The answer of an operation. */
export type AnswerOf<Op extends Operation> = z.output<Op['response']>;

/**
 * One item operation call, the same for every door: whose gateways, the items in request order
 * and (mixed form) the top-level fields.
 */
export interface ItemCall<Op extends ItemOperation> {
  ownerId: string;
  items: ItemInputOf<Op>[];
  common?: CommonOf<Op> | undefined;
}

/** The request of a plain operation after its check. */
type PlainCall<Op extends PlainOperation> = z.output<Op['request']>;

/** The call an operation's handler receives. */
export type CallOf<Op extends Operation> = Op extends ItemOperation
  ? ItemCall<Op>
  : Op extends PlainOperation
    ? PlainCall<Op>
    : never;

/**
 * The item list of a bulk request as a door sees it: an array of at most {@link MAX_ITEMS}
 * (`min` items at least) whose elements pass through unchecked — typed as the item's input —
 * because the core checks each with the operation's item schema and answers per item.
 */
export function deferredItems<Item extends z.ZodType>(_item: Item, min = 0) {
  const list = z.array(z.custom<z.input<Item>>(() => true)).max(MAX_ITEMS);
  return min > 0 ? list.min(min) : list;
}

/** Item lists a door parsed whole with an operation's item schema (the fast path), by schema. */
const checkedLists = new WeakMap<readonly unknown[], z.ZodType>();

/**
 * Marks `items` — the output of parsing a whole array with `item` — as checked, so the core does
 * not parse each item again ({@link wereCheckedWith}). The list is frozen: what was checked is what
 * the core gets.
 */
export function checkedItems<T>(items: T[], item: z.ZodType): readonly T[] {
  checkedLists.set(Object.freeze(items), item);
  return items;
}

/** Whether `items` is a list {@link checkedItems} marked as parsed with `item`. */
export function wereCheckedWith(items: readonly unknown[], item: z.ZodType): boolean {
  return checkedLists.get(items) === item;
}
