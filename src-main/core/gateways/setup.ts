/**
 * `setup` (SPEC §4.2): stores the desired configuration of claimed gateways with merge semantics
 * ({@link mergeSide}) and the firmware fields (`fwcrc` must name an uploaded firmware). Items
 * arrive as given and are checked here with the one strict item schema
 * (`src-shared/contract/gateway-ops.ts`), which also converts `fwcrc` (a number) and `fwafter`
 * (UTC ISO text); the mixed form's top-level fields (and a template's) arrive checked as `base`.
 * A bulk setup runs in one transaction; credential inputs shared by many items are parsed once.
 */
import { SetupItemSchema } from '../../../src-shared/contract/gateway-ops';
import { commonFieldsMerger } from '../../../src-shared/contract/values';
import type { ItemResult, RequestContext, SetupFields, SetupItem } from '../api';
import { isAdmin, type OwnerRef } from '../authorize';
import type { Batches } from '../batches';
import type { CoreEnv } from '../env';
import { intOf, selectIn } from '../rows';
import { checkItems, failItem, itemError, type ItemTarget } from './items';
import { eachItem, runItemWrite } from './item-write';
import { loadGateways, requireOwned } from './rows';
import {
  CredentialInputs,
  EMPTY_SIDE,
  SIDE_FIELDS,
  mergeSide,
  sideMode,
  sidePatchOf,
  type Side,
  type StoredSide,
} from './setup-merge';
import { loadSetups, setupParams, setupUpsert, type StoredFirmware } from './setup-rows';

/** Firmware fields of one item: absent (undefined), cleared (null) or a value. */
interface FirmwarePatch {
  crc: number | null | undefined;
  after: string | null | undefined;
}

/**
 * Applies a firmware patch. A new image or time re-arms the once-only delivery (SPEC §3.4); the
 * same values given again keep the record that it was sent.
 * @throws DomainError('unknown_firmware') when `fwcrc` names no firmware the owner may use.
 */
function mergeFirmware(
  stored: StoredFirmware | undefined,
  patch: FirmwarePatch,
  known: ReadonlySet<number>,
  id6: string,
): StoredFirmware {
  if (patch.crc !== undefined && patch.crc !== null && !known.has(patch.crc)) {
    throw itemError(
      'unknown_firmware',
      id6,
      `names fwcrc ${patch.crc} (0x${patch.crc.toString(16).padStart(8, '0')}), which is no uploaded firmware`,
    );
  }
  const fwCrc = patch.crc === undefined ? (stored?.fwCrc ?? null) : patch.crc;
  const fwAfter = fwCrc === null ? null : patch.after === undefined ? (stored?.fwAfter ?? null) : patch.after;
  const same = fwCrc === (stored?.fwCrc ?? null) && fwAfter === (stored?.fwAfter ?? null);
  return { fwCrc, fwAfter, fwSentAt: same ? (stored?.fwSentAt ?? null) : null };
}

/** What the audit log keeps of a side: never a credential, only its shape. */
function sideAudit(s: StoredSide): Record<string, unknown> {
  return { uri: s.uri, mode: sideMode(s), crc: s.crc };
}

interface SetupWork extends ItemTarget {
  fields: SetupFields;
  fw: FirmwarePatch;
}

/** Converts every certificate input (DER, X.509, station framing), warming the parse memo. */
function preparse(fields: SetupFields, inputs: CredentialInputs): void {
  for (const side of ['cups', 'lns'] as const satisfies Side[]) {
    const f = SIDE_FIELDS[side];
    for (const name of [f.trust, f.crt]) {
      const v = fields[name];
      if (typeof v === 'string' && v !== '') inputs.certificate(v, name);
    }
  }
}

/**
 * The items of a setup as applied: each object item over `base` (the template's and top-level
 * fields), anything else as given — what the operation is for its Idempotency-Key and for sync.
 */
export function appliedSetupItems(
  items: readonly unknown[],
  base: SetupFields | undefined,
): readonly unknown[] {
  if (base === undefined) return items;
  const merge = commonFieldsMerger(base);
  return items.map((raw) =>
    typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? merge(raw as SetupFields) : raw,
  );
}

/**
 * Sets up gateways of `owner`; one answer per item, in request order. `base` (checked: the mixed
 * form's top-level fields over a template's) applies to every item that does not set a field.
 */
export async function setupGateways(
  env: CoreEnv,
  batches: Batches,
  onChanged: (hex: string) => void,
  ctx: RequestContext,
  owner: OwnerRef,
  items: readonly SetupItem[],
  base?: SetupFields,
): Promise<ItemResult[]> {
  const { results, targets } = checkItems(env, items, SetupItemSchema);
  const inputs = new CredentialInputs();
  const work: SetupWork[] = [];
  const merge = commonFieldsMerger(base);
  for (const t of targets) {
    const fields = merge(t.item);
    try {
      const fw: FirmwarePatch = { crc: fields.fwcrc, after: fields.fwafter };
      preparse(fields, inputs);
      // fields named, not spread: a spread costs ≈ 2.5 µs per item here (docs/performance.md)
      const { index, id, hex, id6 } = t;
      work.push({ index, id, hex, id6, fields, fw });
    } catch (e) {
      failItem(results[t.index]!, e);
    }
  }
  const batchOf = await batches.snapshot();
  const write = {
    operation: 'setup',
    owner,
    ctx,
    items: appliedSetupItems(items, base),
    results,
    onChanged,
  } as const;
  return runItemWrite(env, write, async ({ tx, at, audit, changed }) => {
    const hexes = work.map((w) => w.hex);
    const rows = await loadGateways(tx, hexes);
    const setups = await loadSetups(tx, hexes);
    const wanted = [...new Set(work.map((w) => w.fw.crc).filter((c): c is number => typeof c === 'number'))];
    const known = new Set(
      (
        await selectIn(
          tx,
          (p) => `SELECT fwcrc FROM firmware WHERE (owner_id = ? OR owner_id IS NULL) AND fwcrc IN (${p})`,
          wanted,
          [owner.hex],
        )
      ).map((r) => intOf(r, 'fwcrc')),
    );
    const upsert = setupUpsert(tx);
    await eachItem(results, work, async (w) => {
      requireOwned(rows.get(w.hex), batchOf(w.id), owner, w.id6, isAdmin(ctx.principal));
      const stored = setups.get(w.hex);
      const cups = mergeSide('cups', stored?.cups ?? EMPTY_SIDE, sidePatchOf(w.fields, 'cups'), inputs);
      const lns = mergeSide('lns', stored?.lns ?? EMPTY_SIDE, sidePatchOf(w.fields, 'lns'), inputs);
      const fw = mergeFirmware(stored, w.fw, known, w.id6);
      await upsert.add(setupParams({ eui: w.hex, cups, lns, ...fw, updatedAt: at }));
      await audit.queue('setup', w.id6, {
        fields: Object.keys(w.fields).filter(
          (k) => k !== 'gateway' && w.fields[k as keyof SetupFields] !== undefined,
        ),
        cups: sideAudit(cups),
        lns: sideAudit(lns),
        fwcrc: fw.fwCrc,
        fwafter: fw.fwAfter,
      });
      changed.push(w.hex);
    });
    await upsert.flush();
  });
}
