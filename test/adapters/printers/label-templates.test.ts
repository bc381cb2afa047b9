import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_LABEL_TEMPLATE,
  bundledTemplatesDir,
  listLabelTemplates,
  loadLabelTemplate,
  saveLabelTemplate,
  templateDirs,
} from '../../../src-main/adapters/printers/label-templates';
import { DomainError } from '../../../src-shared/errors';

const userDir = mkdtempSync(join(tmpdir(), 'gwjs-templates-'));
afterAll(() => rmSync(userDir, { recursive: true, force: true }));

const bundledJson = (name: string) =>
  JSON.parse(readFileSync(join(bundledTemplatesDir(), `${name}.json`), 'utf8')) as Record<string, unknown>;

async function domainError(p: Promise<unknown>): Promise<DomainError> {
  const e = await p.catch((x: unknown) => x);
  expect(e).toBeInstanceOf(DomainError);
  return e as DomainError;
}

describe('loadLabelTemplate', () => {
  it('loads the bundled default-50x30 from resources/labels', async () => {
    expect(DEFAULT_LABEL_TEMPLATE).toBe('default-50x30');
    expect(bundledTemplatesDir()).toMatch(/resources[/\\]labels$/);
    const t = await loadLabelTemplate();
    expect(t).toMatchObject({ name: 'default-50x30', widthMm: 50, heightMm: 30, dpi: 203 });
    expect(await loadLabelTemplate('small-40x20')).toMatchObject({ widthMm: 40, heightMm: 20, dpi: 300 });
  });

  it('prefers an edited copy in the operator folder over the bundled file', async () => {
    const edited = { ...bundledJson('small-40x20'), description: 'edited on line 3' };
    writeFileSync(join(userDir, 'small-40x20.json'), JSON.stringify(edited));
    expect((await loadLabelTemplate('small-40x20', templateDirs(userDir))).description).toBe(
      'edited on line 3',
    );
    expect((await loadLabelTemplate('small-40x20')).description).not.toBe('edited on line 3');
  });

  it('says where it looked when a template does not exist, and refuses names that are paths', async () => {
    const e = await domainError(loadLabelTemplate('huge-100x150', templateDirs(userDir)));
    expect(e.code).toBe('not_found');
    expect(e.message).toBe(`template: "huge-100x150" not found in ${userDir}, ${bundledTemplatesDir()}`);
    const bad = await domainError(loadLabelTemplate('../secrets'));
    expect(bad.message).toBe('template: "../secrets" is not a template name');
  });

  it('names the file and the problem for a broken template', async () => {
    writeFileSync(join(userDir, 'broken.json'), '{ "name": ');
    expect((await domainError(loadLabelTemplate('broken', [userDir]))).message).toMatch(
      new RegExp(`^label template ${join(userDir, 'broken.json').replace(/[\\/.]/g, '\\$&')}: not JSON`),
    );
    writeFileSync(join(userDir, 'renamed.json'), JSON.stringify(bundledJson('default-50x30')));
    expect((await domainError(loadLabelTemplate('renamed', [userDir]))).message).toMatch(
      /name is "default-50x30"$/,
    );
  });
});

describe('listLabelTemplates', () => {
  it('lists each name once (operator folder first) and reports invalid files', async () => {
    const { templates, invalid } = await listLabelTemplates(templateDirs(userDir));
    const names = templates.map((t) => t.name);
    expect(names).toEqual(expect.arrayContaining(['default-50x30', 'small-40x20']));
    expect(new Set(names).size).toBe(names.length);
    expect(templates.find((t) => t.name === 'small-40x20')!.file).toBe(join(userDir, 'small-40x20.json'));
    expect(invalid.map((i) => i.file).sort()).toEqual([
      join(userDir, 'broken.json'),
      join(userDir, 'renamed.json'),
    ]);
  });
});

describe('saveLabelTemplate', () => {
  it('validates and writes an edited template that loads back', async () => {
    const dir = join(userDir, 'saved');
    const raw = { ...bundledJson('default-50x30'), name: 'line3-50x30', description: 'line 3' };
    const t = await saveLabelTemplate(dir, raw);
    expect(t.name).toBe('line3-50x30');
    expect(await loadLabelTemplate('line3-50x30', [dir])).toEqual(t);
    expect(readdirSync(dir)).toEqual(['line3-50x30.json']);
  });

  it('writes nothing when the template is invalid', async () => {
    const dir = join(userDir, 'refused');
    const raw = { ...bundledJson('default-50x30'), name: 'overlap', qr: { xMm: 20, yMm: 2, moduleDots: 4 } };
    const e = await domainError(saveLabelTemplate(dir, raw));
    expect(e.message).toMatch(/overlaps/);
    expect(existsSync(join(dir, 'overlap.json'))).toBe(false);
  });
});
