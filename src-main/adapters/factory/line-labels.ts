/**
 * Label rendering and printers for the factory line, on top of the label module (SPEC §6):
 * templates by name from the operator's folder or resources/labels (cached a few seconds, so a
 * 10 000-unit job parses its template once but an edit is seen by the next unit), `renderLabel`
 * for ZPL/PNG, and the printer transports the line settings name.
 */
import type { LabelTemplateSummary, PrinterSettings } from '../../../src-shared/factory-channels';
import type { LabelRenderer, LineLabelFormat, PrinterFactory } from '../../core/factory-line/ports';
import type { LabelModel } from '../../core/labels/label-model';
import type { LabelTemplate } from '../../core/labels/label-template';
import type { PrinterTransport } from '../../core/labels/printer-port';
import { listLabelTemplates, loadLabelTemplate, templateDirs } from '../printers/label-templates';
import { renderLabel } from '../printers/render';
import { Tcp9100Printer } from '../printers/tcp9100';
import { UsbPrinter } from '../printers/usb-printer';

const TEMPLATE_CACHE_MS = 5000;

/** Renders line labels from named templates. */
export class TemplateLabelRenderer implements LabelRenderer {
  readonly #cache = new Map<string, { at: number; template: Promise<LabelTemplate> }>();

  /** `userDir`: the operator's edited templates, searched before resources/labels. */
  constructor(private readonly userDir?: string) {}

  async render(model: LabelModel, template: string, format: LineLabelFormat): Promise<Uint8Array> {
    return renderLabel(model, await this.#template(template), format);
  }

  async templates(): Promise<LabelTemplateSummary[]> {
    const { templates } = await listLabelTemplates(templateDirs(this.userDir));
    return templates
      .map(({ name, description, widthMm, heightMm, dpi }) => ({ name, description, widthMm, heightMm, dpi }))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  #template(name: string): Promise<LabelTemplate> {
    const now = Date.now();
    const hit = this.#cache.get(name);
    if (hit !== undefined && now - hit.at < TEMPLATE_CACHE_MS) return hit.template;
    const template = loadLabelTemplate(name, templateDirs(this.userDir));
    template.catch(() => this.#cache.delete(name));
    this.#cache.set(name, { at: now, template });
    return template;
  }
}

/** Opens the printer transports of the label module. */
export class LinePrinters implements PrinterFactory {
  open(settings: PrinterSettings): PrinterTransport | undefined {
    switch (settings.kind) {
      case 'none':
        return undefined;
      case 'tcp9100':
        return new Tcp9100Printer({ host: settings.host, port: settings.port });
      case 'usb':
        return new UsbPrinter();
    }
  }
}
