/**
 * Parsed channel requests carry `undefined` for omitted optional fields; the core's inputs are
 * declared with `exactOptionalPropertyTypes` (absent ≠ undefined). One helper for every handler.
 */

/** Drops keys whose value is undefined. */
export function defined<T extends object>(o: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as {
    [K in keyof T]: Exclude<T[K], undefined>;
  };
}
