/**
 * Setup templates per owner (the Setup screen): named sets of the mixed-form setup fields
 * (SPEC §4.2) that installers apply to many gateways. Secret fields (private keys, tokens) are
 * stored but never returned; applying one is `owner.setup` with `templateId` ({@link templateFields}).
 * Fields are checked with the one strict setup schema when saved, and again when read: a stored
 * field that no longer passes (saved by an older, looser version) is left out.
 */
import { describeIssues } from '../../../src-shared/contract/issues';
import { DomainError } from '../../../src-shared/errors';
import { euiFromHex, euiHex, formatId6, parseIdField } from '../../../src-shared/ids';
import {
  SECRET_SETUP_FIELDS,
  SETUP_FIELDS,
  SetupFieldsSchema,
  type SetupFields,
  type SetupFieldsInput,
} from '../../../src-shared/contract/values';
import type { SetupTemplate } from '../../../src-shared/ipc';
import type { Clock, Random, Store, Tx } from '../ports';
import type { RequestContext } from '../context';
import { AuditWriter } from '../audit';

/** Template CRUD. Owner ids in any SPEC §1.2 form; answers show ID6. */
export interface TemplateService {
  list(ownerId: string): Promise<SetupTemplate[]>;
  /** Creates (no `id`) or replaces a template; a secret field left out keeps its stored value. */
  save(
    ctx: RequestContext,
    input: { ownerId: string; id?: string | undefined; name: string; fields: SetupFieldsInput },
  ): Promise<SetupTemplate>;
  delete(ctx: RequestContext, ownerId: string, id: string): Promise<void>;
}

interface TemplateDbRow {
  [k: string]: string | number | null | Uint8Array;
  id: string;
  owner_id: string;
  name: string;
  fields: string;
  created_at: string;
  updated_at: string;
}

type Secret = (typeof SECRET_SETUP_FIELDS)[number];

/** The stored fields; one that does not pass the setup schema any more is left out. */
function parseFields(json: string): SetupFields {
  const raw = JSON.parse(json) as Record<string, unknown>;
  const whole = SetupFieldsSchema.safeParse(raw);
  if (whole.success) return whole.data;
  const kept: Record<string, unknown> = {};
  for (const f of SETUP_FIELDS) {
    const one = SetupFieldsSchema.shape[f].safeParse(raw[f]);
    if (one.success && one.data !== undefined) kept[f] = one.data;
  }
  return kept as SetupFields;
}

async function getRow(tx: Tx, owner: string, id: string): Promise<TemplateDbRow> {
  const row = await tx.get<TemplateDbRow>('SELECT * FROM setup_templates WHERE owner_id = ? AND id = ?', [
    owner,
    id,
  ]);
  if (!row)
    throw new DomainError('not_found', `templateId: no template ${JSON.stringify(id)} for this owner`);
  return row;
}

/**
 * The checked fields of a template of the owner `ownerHex`, secrets included — what `owner.setup`
 * applies (main only, never sent to the UI).
 * @throws DomainError('not_found') naming `templateId`.
 */
export function templateFields(store: Store, ownerHex: string, id: string): Promise<SetupFields> {
  return store.read(async (tx) => parseFields((await getRow(tx, ownerHex, id)).fields));
}

function toView(row: TemplateDbRow): SetupTemplate {
  const all = parseFields(row.fields);
  const fields: SetupFields = { ...all };
  const secrets: Secret[] = [];
  for (const k of SECRET_SETUP_FIELDS) {
    if (all[k] !== undefined && all[k] !== null) secrets.push(k);
    delete fields[k];
  }
  return {
    id: row.id,
    ownerId: formatId6(euiFromHex(row.owner_id)),
    name: row.name,
    fields,
    secrets,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** Creates the template service. */
export function createTemplateService(deps: { store: Store; clock: Clock; random: Random }): TemplateService {
  const { store, clock, random } = deps;
  const ownerHex = (ownerId: string) => euiHex(parseIdField(ownerId, 'ownerId'));

  return {
    list(ownerId) {
      const owner = ownerHex(ownerId);
      return store.read(async (tx) =>
        (
          await tx.all<TemplateDbRow>('SELECT * FROM setup_templates WHERE owner_id = ? ORDER BY name', [
            owner,
          ])
        ).map(toView),
      );
    },

    save(ctx, input) {
      const owner = ownerHex(input.ownerId);
      const name = input.name.trim();
      if (!name) throw new DomainError('invalid_request', 'name: a template needs a name');
      const parsed = SetupFieldsSchema.safeParse(input.fields, { reportInput: true });
      if (!parsed.success) {
        const body = describeIssues(parsed.error.issues, 'fields');
        throw new DomainError(body.code, body.error);
      }
      const fields = parsed.data;
      return store.transaction(async (tx) => {
        const now = new Date(clock.now()).toISOString();
        const clash = await tx.get<TemplateDbRow>(
          'SELECT * FROM setup_templates WHERE owner_id = ? AND name = ?',
          [owner, name],
        );
        if (clash && clash.id !== input.id) {
          throw new DomainError(
            'already_exists',
            `name: a template ${JSON.stringify(name)} exists for this owner`,
          );
        }
        let id = input.id;
        if (id === undefined) {
          id = Buffer.from(random.bytes(8)).toString('hex');
          await tx.run(
            'INSERT INTO setup_templates (id, owner_id, name, fields, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)',
            [id, owner, name, JSON.stringify(fields), now, now],
          );
        } else {
          const old = parseFields((await getRow(tx, owner, id)).fields);
          const merged: SetupFields = { ...fields };
          for (const k of SECRET_SETUP_FIELDS) if (!(k in fields) && old[k] !== undefined) merged[k] = old[k];
          await tx.run('UPDATE setup_templates SET name = ?, fields = ?, updated_at = ? WHERE id = ?', [
            name,
            JSON.stringify(merged),
            now,
            id,
          ]);
        }
        await new AuditWriter(tx, ctx, now).add(
          input.id === undefined ? 'template.create' : 'template.update',
          formatId6(euiFromHex(owner)),
          { template: id, name },
        );
        return toView(await getRow(tx, owner, id));
      });
    },

    async delete(ctx, ownerId, id) {
      const owner = ownerHex(ownerId);
      await store.transaction(async (tx) => {
        const row = await getRow(tx, owner, id);
        await tx.run('DELETE FROM setup_templates WHERE id = ?', [id]);
        await new AuditWriter(tx, ctx, new Date(clock.now()).toISOString()).add(
          'template.delete',
          formatId6(euiFromHex(owner)),
          { template: id, name: row.name },
        );
      });
    },
  };
}
