/**
 * Setup templates per owner (the Setup screen): named sets of the mixed-form setup fields
 * (SPEC §4.2) that installers apply to many gateways. Secret fields (private keys, tokens) are
 * stored but never returned; applying a template happens in main ({@link TemplateService.fieldsOf}).
 */
import { DomainError } from '../../../src-shared/errors';
import { euiFromHex, euiHex, formatId6, parseIdField } from '../../../src-shared/ids';
import {
  SECRET_SETUP_FIELDS,
  setupFieldsSchema,
  type SetupFieldsInput,
  type SetupTemplate,
} from '../../../src-shared/ipc';
import type { Clock, Random, Store, Tx } from '../ports';
import type { RequestContext } from '../api';
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
  /** The stored fields, secrets included, for applying the template (main only, never to the UI). */
  fieldsOf(ownerId: string, id: string): Promise<SetupFieldsInput>;
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

function parseFields(json: string): SetupFieldsInput {
  return setupFieldsSchema.parse(JSON.parse(json));
}

function toView(row: TemplateDbRow): SetupTemplate {
  const all = parseFields(row.fields);
  const fields: SetupFieldsInput = { ...all };
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

  async function getRow(tx: Tx, owner: string, id: string): Promise<TemplateDbRow> {
    const row = await tx.get<TemplateDbRow>('SELECT * FROM setup_templates WHERE owner_id = ? AND id = ?', [
      owner,
      id,
    ]);
    if (!row)
      throw new DomainError('not_found', `templateId: no template ${JSON.stringify(id)} for this owner`);
    return row;
  }

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
      const fields = setupFieldsSchema.parse(input.fields);
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
          const merged: SetupFieldsInput = { ...fields };
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

    fieldsOf(ownerId, id) {
      const owner = ownerHex(ownerId);
      return store.read(async (tx) => parseFields((await getRow(tx, owner, id)).fields));
    },
  };
}
