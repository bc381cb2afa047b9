/**
 * Label template files (docs/factory-line.md): stored in resources/ and editable. Bundled
 * templates live in resources/labels/*.json; an operator's edited or new templates go to a folder in
 * the data dir, which is searched first so an edit overrides the bundled file of the same name.
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DomainError } from '../../../src-shared/errors';
import { parseLabelTemplate, type LabelTemplate } from '../../core/labels/label-template';

/** The template used when none is named. */
export const DEFAULT_LABEL_TEMPLATE = 'default-50x30';

const NAME = /^[a-z0-9][a-z0-9-]{0,63}$/;

/**
 * The bundled resources/labels folder: next to the sources (tsx, tests) or next to the built
 * main bundle (out/main), else under the working directory.
 */
export function bundledTemplatesDir(): string {
  const candidates = [
    fileURLToPath(new URL('../../../resources/labels', import.meta.url)),
    fileURLToPath(new URL('../../resources/labels', import.meta.url)),
    join(process.cwd(), 'resources', 'labels'),
  ];
  return candidates.find((d) => existsSync(d)) ?? candidates[0]!;
}

/** Folders searched for templates, first match wins: the operator's folder (if any), then bundled. */
export function templateDirs(userDir?: string): string[] {
  return userDir === undefined ? [bundledTemplatesDir()] : [userDir, bundledTemplatesDir()];
}

function checkName(name: string): void {
  if (!NAME.test(name)) {
    throw new DomainError('invalid_request', `template: ${JSON.stringify(name)} is not a template name`, {
      field: 'template',
    });
  }
}

/**
 * Loads and validates a template by name from the first folder that has `<name>.json`.
 * @throws DomainError('not_found') naming the folders searched; DomainError('invalid_request') for a
 * bad name or a template that fails validation (message names the file and field).
 */
export async function loadLabelTemplate(
  name: string = DEFAULT_LABEL_TEMPLATE,
  dirs: readonly string[] = templateDirs(),
): Promise<LabelTemplate> {
  checkName(name);
  for (const dir of dirs) {
    const file = join(dir, `${name}.json`);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw e;
    }
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (e) {
      throw new DomainError('invalid_request', `label template ${file}: not JSON (${(e as Error).message})`, {
        template: name,
      });
    }
    const t = parseLabelTemplate(raw, file);
    if (t.name !== name) {
      throw new DomainError('invalid_request', `label template ${file}: name is ${JSON.stringify(t.name)}`, {
        template: name,
      });
    }
    return t;
  }
  throw new DomainError('not_found', `template: ${JSON.stringify(name)} not found in ${dirs.join(', ')}`, {
    field: 'template',
  });
}

/** A template as listed for a picker. */
interface TemplateSummary {
  name: string;
  description: string;
  widthMm: number;
  heightMm: number;
  dpi: number;
  file: string;
}

/**
 * Lists the valid templates of the folders (a name found twice is listed once, from the first
 * folder), and the files that failed validation with the reason.
 */
export async function listLabelTemplates(
  dirs: readonly string[] = templateDirs(),
): Promise<{ templates: TemplateSummary[]; invalid: Array<{ file: string; error: string }> }> {
  const seen = new Set<string>();
  const templates: TemplateSummary[] = [];
  const invalid: Array<{ file: string; error: string }> = [];
  for (const dir of dirs) {
    let files: string[];
    try {
      files = (await readdir(dir)).filter((f) => f.endsWith('.json')).sort();
    } catch {
      continue;
    }
    for (const f of files) {
      const name = f.slice(0, -'.json'.length);
      if (seen.has(name) || !NAME.test(name)) continue;
      seen.add(name);
      try {
        const t = await loadLabelTemplate(name, [dir]);
        const { description, widthMm, heightMm, dpi } = t;
        templates.push({ name, description, widthMm, heightMm, dpi, file: join(dir, f) });
      } catch (e) {
        invalid.push({ file: join(dir, f), error: (e as Error).message });
      }
    }
  }
  return { templates, invalid };
}

/**
 * Validates an edited template and writes it as `<dir>/<name>.json` (write to a temp file, then
 * rename, so a crash never leaves half a template).
 * @throws DomainError('invalid_request') when the template fails validation; nothing is written.
 */
export async function saveLabelTemplate(dir: string, raw: unknown): Promise<LabelTemplate> {
  const t = parseLabelTemplate(raw, 'being saved');
  await mkdir(dir, { recursive: true });
  const file = join(dir, `${t.name}.json`);
  const tmp = `${file}.tmp-${process.pid}`;
  await writeFile(tmp, JSON.stringify(t, null, 2) + '\n', 'utf8');
  await rename(tmp, file);
  return t;
}
