/**
 * How the station writes a count for people — on every screen, in CLI text and in messages: digits
 * grouped by thousands (`11,008`), never `11008` in one place and `11,008` in the next
 * (docs/station-ui.md "Numbers"). Runs anywhere: uses only `Intl`.
 */
const COUNT = new Intl.NumberFormat('en');

/** A count grouped by thousands: `formatCount(3000)` is `3,000`. */
export function formatCount(n: number | bigint): string {
  return COUNT.format(n);
}
