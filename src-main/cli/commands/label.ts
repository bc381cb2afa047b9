/**
 * `gwjs label` (SPEC §6, §7): renders a gateway's label — EUI-64, ID6, MAC where the id came from
 * one, the claim PIN, a Code 128 of the EUI and the `GWJS:1:…` QR code — as ZPL, PDF or PNG. The
 * PIN is re-derived through the HSM by `core.factory.labelData`, audited as a label render
 * (`factory.label.render`), not as a personalization: no bundle is made, nothing else changes.
 * While `gwjs serve` holds the store lock, the running server renders it (docs/cli.md).
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseId } from '../../../src-shared/ids';
import { DomainError, isDomainError } from '../../../src-shared/errors';
import { base64ToBytes } from '../../../src-shared/bytes';
import { optionalString, requireString, UsageError, type Command } from '../command';

const FORMATS = ['zpl', 'pdf', 'png'] as const;

export const labelCommand: Command = {
  name: 'label',
  summary: 'render a gateway’s label (SPEC §6) as ZPL, PDF or PNG',
  usage: '--gateway ID --format zpl|pdf|png --out FILE [--template NAME]',
  help: [
    '  --gateway ID               the gateway (must lie in a batch); a MAC-48 is shown on the label',
    '  --format zpl|pdf|png       ZPL II for Zebra printers, one PDF page, or a PNG preview',
    '  --out FILE                 where the label goes',
    '  --template NAME            label template (default default-50x30, see resources/labels)',
  ],
  options: {
    gateway: { type: 'string' },
    format: { type: 'string' },
    out: { type: 'string' },
    template: { type: 'string' },
  },
  positionals: { min: 0, max: 0 },
  access: 'read',
  async run(args, io) {
    const gateway = requireString(args, 'gateway');
    const format = requireString(args, 'format');
    if (!(FORMATS as readonly string[]).includes(format)) {
      throw new UsageError(`--format: "${format}" is not one of ${FORMATS.join(', ')}`);
    }
    const out = path.resolve(requireString(args, 'out'));
    try {
      parseId(gateway);
    } catch (e) {
      if (isDomainError(e)) throw new DomainError('invalid_id', `--gateway: ${e.message}`);
      throw e;
    }
    const { askStation } = await import('../open');
    // while `gwjs serve` holds the store lock, the server renders it (its local door, docs/cli.md)
    const label = await askStation(args, io, 'label', {
      gateway,
      format: format as (typeof FORMATS)[number],
      ...(optionalString(args, 'template') !== undefined
        ? { template: optionalString(args, 'template') }
        : {}),
    });
    await writeFile(out, base64ToBytes(label.bytes));
    return {
      json: { gateway: label.gateway, eui: label.eui, file: out, format, template: label.template },
      text: `Label of ${label.gateway} (${label.eui}, PIN ${label.pinFormatted}) written to ${out}`,
    };
  },
};
