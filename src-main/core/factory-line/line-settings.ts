/**
 * Line settings per station (docs/factory-line.md): output folder (a folder or a removable drive), zip,
 * the post-write hook, the printer and the label template. Only an admin changes them — the hook
 * runs a command on the station, so a factory operator must not be able to choose it.
 */
import { DomainError } from '../../../src-shared/errors';
import {
  lineSettingsSchema,
  type LabelTemplateSummary,
  type LineSettings,
  type LineSettingsInput,
} from '../../../src-shared/factory-channels';
import type { RequestContext } from '../context';
import { actorOf, AuditWriter } from '../audit';
import { requireAdmin } from '../authorize';
import { isoAt } from '../env';
import type { Tx } from '../ports';
import { textOf } from '../rows';
import type { FactoryLineDeps } from './context';

/** Parses stored or given settings. @throws DomainError('invalid_request') naming the field. */
export function parseLineSettings(input: unknown): LineSettings {
  const r = lineSettingsSchema.safeParse(input);
  if (!r.success) {
    const issue = r.error.issues[0];
    const where = issue && issue.path.length > 0 ? issue.path.join('.') : 'settings';
    throw new DomainError('invalid_request', `${where}: ${issue?.message ?? 'invalid'}`, { field: where });
  }
  return r.data;
}

/** The settings of `station`, or undefined when none were saved. */
export async function readLineSettings(tx: Tx, station: string): Promise<LineSettings | undefined> {
  const r = await tx.get('SELECT settings FROM factory_line_settings WHERE station = ?', [station]);
  return r === undefined ? undefined : parseLineSettings(JSON.parse(textOf(r, 'settings')));
}

/** Reading and saving this station's line settings. */
export class LineSettingsService {
  constructor(private readonly deps: FactoryLineDeps) {}

  /** The label templates the settings may name (docs/factory-line.md "Labels"). */
  templates(): Promise<LabelTemplateSummary[]> {
    return this.deps.labels.templates();
  }

  /** This station's name and settings (null before an admin saved any). */
  async get(): Promise<{ station: string; settings: LineSettings | null }> {
    const settings = await this.deps.store.read((tx) => readLineSettings(tx, this.deps.station));
    return { station: this.deps.station, settings: settings ?? null };
  }

  /**
   * The settings the line works with.
   * @throws DomainError('not_configured') until an admin saved them.
   */
  async require(): Promise<LineSettings> {
    const { settings } = await this.get();
    if (settings === null) {
      throw new DomainError(
        'not_configured',
        `line settings: station ${JSON.stringify(this.deps.station)} has no output folder yet; an admin sets it on the Line screen`,
      );
    }
    return settings;
  }

  /**
   * Saves this station's settings (admin only), audited without the hook's arguments' values.
   * @throws DomainError('forbidden' | 'invalid_request'), the latter naming `template` for a template
   *   the station does not have
   */
  async save(
    ctx: RequestContext,
    input: LineSettingsInput,
  ): Promise<{ station: string; settings: LineSettings }> {
    requireAdmin(ctx);
    const settings = parseLineSettings(input);
    const known = (await this.deps.labels.templates()).map((t) => t.name);
    if (!known.includes(settings.template)) {
      throw new DomainError(
        'invalid_request',
        `template: ${JSON.stringify(settings.template)} is not a label template of this station (it has ${known.join(', ') || 'none'})`,
        { field: 'template' },
      );
    }
    const at = isoAt(this.deps.clock.now());
    await this.deps.store.transaction(async (tx) => {
      await tx.run('DELETE FROM factory_line_settings WHERE station = ?', [this.deps.station]);
      await tx.run(
        'INSERT INTO factory_line_settings (station, settings, updated_at, updated_by) VALUES (?, ?, ?, ?)',
        [this.deps.station, JSON.stringify(settings), at, actorOf(ctx.principal)],
      );
      await new AuditWriter(tx, ctx, at).add('factory.line.settings', this.deps.station, {
        outDir: settings.outDir,
        zip: settings.zip,
        hook: settings.hook === null ? null : settings.hook.command,
        printer: settings.printer.kind,
        template: settings.template,
      });
    });
    return { station: this.deps.station, settings };
  }
}
