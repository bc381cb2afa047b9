/** The `<option>`s of an owner picker: `Name (id)`, or the id alone for an unnamed owner. */
import type { ReactNode } from 'react';

/** An owner as pickers list it. */
interface OwnerChoice {
  id: string;
  name: string | null;
}

/** How an owner reads in a picker. */
const ownerLabel = (o: OwnerChoice): string => (o.name ? `${o.name} (${o.id})` : o.id);

/** One option per owner, valued by id; `prefix` goes before each label ("owner …"). */
export function OwnerOptions({
  owners,
  prefix = '',
}: {
  owners: readonly OwnerChoice[];
  prefix?: string;
}): ReactNode {
  return owners.map((o) => (
    <option key={o.id} value={o.id}>
      {prefix}
      {ownerLabel(o)}
    </option>
  ));
}
