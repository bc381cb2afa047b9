import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RequestContext } from '../../../src-main/core/api';
import {
  createTemplateService,
  templateFields,
  type TemplateService,
} from '../../../src-main/core/station/templates';
import { euiHex, parseIdField } from '../../../src-shared/ids';
import { movableClock, openTestStore, realRandom } from '../../helpers/station-store';

const ctx: RequestContext = {
  principal: { kind: 'operator', id: 'root', ownerId: null, scopes: new Set(['admin']) },
};

describe('template service', () => {
  let t: Awaited<ReturnType<typeof openTestStore>>;
  let templates: TemplateService;

  beforeEach(async () => {
    t = await openTestStore();
    templates = createTemplateService({ store: t.store, clock: movableClock(), random: realRandom });
  });
  afterEach(() => t.close());

  /** The stored fields, secrets included, as `owner.setup` applies them. */
  const fieldsOf = (owner: string, id: string) =>
    templateFields(t.store, euiHex(parseIdField(owner, 'owner')), id);
  const b64 = (s: string) => Buffer.from(s).toString('base64');

  it('keeps secret fields server-side and names them instead', async () => {
    const saved = await templates.save(ctx, {
      ownerId: '00-00-00-00-00-00-00-01',
      name: ' LNS EU ',
      fields: { lnsUri: 'wss://lns.example.com:443', lnsKey: b64('Authorization: Bearer s3cret') },
    });
    expect(saved).toMatchObject({
      ownerId: '::1',
      name: 'LNS EU',
      fields: { lnsUri: 'wss://lns.example.com:443' },
      secrets: ['lnsKey'],
    });
    expect(JSON.stringify(await templates.list('::1'))).not.toContain('s3cret');
    expect(JSON.stringify(await templates.list('::1'))).not.toContain(b64('Authorization: Bearer s3cret'));
    expect(await fieldsOf('::1', saved.id)).toEqual({
      lnsUri: 'wss://lns.example.com:443',
      lnsKey: b64('Authorization: Bearer s3cret'),
    });
  });

  it('keeps a stored secret when a replace leaves it out, clears it on null', async () => {
    const { id } = await templates.save(ctx, {
      ownerId: '::1',
      name: 'a',
      fields: { lnsUri: 'wss://a.example:443', lnsKey: b64('Authorization: x') },
    });
    await templates.save(ctx, { ownerId: '::1', id, name: 'a', fields: { lnsUri: 'wss://b.example:443' } });
    expect(await fieldsOf('::1', id)).toEqual({
      lnsUri: 'wss://b.example:443',
      lnsKey: b64('Authorization: x'),
    });
    await templates.save(ctx, { ownerId: '::1', id, name: 'a', fields: { lnsKey: null } });
    expect(await fieldsOf('::1', id)).toEqual({ lnsKey: null });
  });

  it('scopes templates to their owner and refuses duplicate names', async () => {
    const a = await templates.save(ctx, { ownerId: '::1', name: 'x', fields: {} });
    await templates.save(ctx, { ownerId: '::2', name: 'x', fields: {} });
    await expect(templates.save(ctx, { ownerId: '::1', name: 'x', fields: {} })).rejects.toMatchObject({
      code: 'already_exists',
    });
    await expect(fieldsOf('::2', a.id)).rejects.toMatchObject({ code: 'not_found' });
    await templates.delete(ctx, '::1', a.id);
    expect(await templates.list('::1')).toEqual([]);
    expect(await templates.list('::2')).toHaveLength(1);
    const audit = await t.store.read((tx) => tx.all('SELECT action, target FROM audit_log ORDER BY id'));
    expect(audit.map((r) => r.action)).toEqual(['template.create', 'template.create', 'template.delete']);
  });
});
