/**
 * One gateway's label rendered for a person at the station (docs/factory-line.md "Labels", SPEC §6):
 * the PIN re-derived through the HSM by `core.factory.labelData` (audited `factory.label.render`),
 * the template loaded by name, the label as ZPL, PDF or PNG. `gwjs label` runs it on its own store,
 * and the running server runs it for `gwjs label` through its local door (`local-door.ts`).
 */
import type { RequestContext } from '../core/api';
import type { Station } from './station';
import { buildLabelModel } from '../core/labels/label-model';
import { DEFAULT_LABEL_TEMPLATE, loadLabelTemplate } from '../adapters/printers/label-templates';
import { renderLabel, type LabelFormat } from '../adapters/printers/render';
import { DomainError, isDomainError } from '../../src-shared/errors';
import { parseId } from '../../src-shared/ids';

/** What to render. */
export interface GatewayLabelRequest {
  gateway: string;
  format: LabelFormat;
  template?: string | undefined;
}

/** The rendered label and what it shows. */
export interface GatewayLabel {
  bytes: Uint8Array;
  gateway: string;
  eui: string;
  pinFormatted: string;
  template: string;
}

/**
 * Renders `input.gateway`'s label.
 * @throws DomainError('invalid_id') naming `gateway`; ('not_found' | 'invalid_request') for the
 *   template; ('hsm_locked' | …) from the core
 */
export async function renderGatewayLabel(
  core: Station['core'],
  ctx: RequestContext,
  input: GatewayLabelRequest,
): Promise<GatewayLabel> {
  let fromMac: boolean;
  try {
    fromMac = parseId(input.gateway).fromMac;
  } catch (e) {
    if (isDomainError(e)) throw new DomainError('invalid_id', `gateway: ${e.message}`, { field: 'gateway' });
    throw e;
  }
  const template = await loadLabelTemplate(input.template ?? DEFAULT_LABEL_TEMPLATE);
  const label = await core.factory.labelData(ctx, input.gateway, {
    kind: 'render',
    format: input.format,
    template: template.name,
  });
  const model = buildLabelModel({ id: label.id, pin: label.pin, fromMac });
  return {
    bytes: await renderLabel(model, template, input.format),
    gateway: model.id6,
    eui: model.eui64,
    pinFormatted: model.pinFormatted,
    template: template.name,
  };
}
