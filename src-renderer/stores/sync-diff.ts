/**
 * The conflict view's rows (docs/sync.md "Screens"): one gateway's state on this station and on
 * the remote, field by field in the change feed's shape, each row saying whether the two differ.
 * Credentials compare by the CRC CUPS compares (SPEC §3.3): no secret is ever on either side.
 */
import type { GatewayVersions } from '../../src-shared/contract/sync-views';
import { formatCrc, formatTime } from '../components/format';

/** One row of the side-by-side table. */
interface VersionRow {
  field: string;
  label: string;
  local: string;
  remote: string;
  differs: boolean;
}

type State = NonNullable<GatewayVersions['local']>;
type Setup = NonNullable<State['setup']>;

const NONE = '—';

/** The fields in table order: label, how to read it from a state, how to show it. */
const FIELDS: readonly {
  field: string;
  label: string;
  read: (s: State) => string | number | null;
  show?: (v: string | number) => string;
}[] = [
  { field: 'origin', label: 'Origin', read: (s) => s.origin },
  { field: 'claimedAt', label: 'Claimed at', read: (s) => s.claimedAt, show: (v) => formatTime(String(v)) },
  { field: 'tokenGeneration', label: 'CUPS token generation', read: (s) => s.tokenGeneration },
  { field: 'cupsUri', label: 'CUPS URI', read: (s) => setupOf(s, 'cupsUri') },
  { field: 'cupsCrc', label: 'CUPS credentials (CRC)', read: (s) => setupOf(s, 'cupsCrc'), show: crc },
  { field: 'lnsUri', label: 'LNS URI', read: (s) => setupOf(s, 'lnsUri') },
  { field: 'lnsCrc', label: 'LNS credentials (CRC)', read: (s) => setupOf(s, 'lnsCrc'), show: crc },
  { field: 'fwcrc', label: 'Firmware CRC', read: (s) => setupOf(s, 'fwcrc'), show: crc },
  { field: 'fwafter', label: 'Firmware after', read: (s) => setupOf(s, 'fwafter') },
  {
    field: 'setupAt',
    label: 'Setup changed',
    read: (s) => setupOf(s, 'updatedAt'),
    show: (v) => formatTime(String(v)),
  },
];

function crc(v: string | number): string {
  return typeof v === 'number' ? formatCrc(v) : v;
}

function setupOf<K extends keyof Setup>(s: State, k: K): Setup[K] | null {
  return s.setup === null ? null : s.setup[k];
}

/** What the "held" row says for the remote's side. */
function remoteHeld(v: GatewayVersions): string {
  if (v.remote !== null) return 'yes';
  if (v.answer?.code === 'claimed_by_other') return 'no — claimed by another owner';
  if (v.remoteKnown) return 'no — not held by this owner';
  return 'not known (never in the change feed)';
}

/** The rows of one gateway's conflict view. */
export function versionRows(v: GatewayVersions): VersionRow[] {
  const held: VersionRow = {
    field: 'held',
    label: 'Held by this owner',
    local: v.local !== null ? 'yes' : 'no',
    remote: remoteHeld(v),
    differs: (v.local !== null) !== (v.remote !== null),
  };
  const rows = FIELDS.map((f): VersionRow => {
    const l = v.local === null ? null : f.read(v.local);
    const r = v.remote === null ? null : f.read(v.remote);
    const show = (x: string | number | null): string => (x === null ? NONE : f.show ? f.show(x) : String(x));
    return {
      field: f.field,
      label: f.label,
      local: show(l),
      remote: show(r),
      // compared as shown: each side stamps its own times (to the millisecond), equal to the second is equal
      differs: show(l) !== show(r),
    };
  });
  return [held, ...rows];
}
