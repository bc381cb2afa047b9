/**
 * Handlers of the HSM and ceremony channels (`src-shared/channels/hsm.ts`): each maps its parsed
 * request to one station-service or ceremony call (docs/twin-hsm.md); files travel as text (the
 * ceremony's JSON files) or base64 (the transcript PDF). The channel map's roles gate them (admin
 * only, but the live state).
 */
import { DomainError } from '../../src-shared/errors';
import type { HSM_CHANNELS } from '../../src-shared/channels/hsm';
import type { Ceremony, Transcript } from '../core/ceremony/service';
import type { HsmAdminService } from '../core/station/hsm-admin';
import { stationContext } from '../core/station/operator-access';
import type { Handler } from './handler-types';

/** A handler for every HSM and ceremony channel. */
type HsmHandlerTable = { [C in keyof typeof HSM_CHANNELS]: Handler<C> };

/** The ceremony as the bridge reaches it: the core service and the transcript's printable form. */
export interface CeremonyDoor {
  ceremony: Pick<Ceremony, 'createTransportKey' | 'exportBatch' | 'importBatch' | 'transcript'>;
  /** the PDF of a transcript (`adapters/ceremony/ceremony-pdf.ts`) */
  transcriptPdf(t: Transcript): Promise<Uint8Array>;
}

const b64 = (data: string | Uint8Array) => Buffer.from(data).toString('base64');

/** Builds the HSM handlers; without a ceremony door the ceremony channels answer not_configured. */
export function createHsmHandlers(hsm: HsmAdminService, door: CeremonyDoor | undefined): HsmHandlerTable {
  const c = (): CeremonyDoor => {
    if (door === undefined) {
      throw new DomainError('not_configured', 'ceremony: this station runs without the key ceremony');
    }
    return door;
  };
  return {
    'hsm:state': () => hsm.state(),
    'hsm:backend': () => hsm.backend(),
    'hsm:tokens': (_caller, req) => hsm.tokens(req.module),
    'hsm:use': (caller, req) => hsm.use(stationContext(caller), req),
    'hsm:keys': () => hsm.keys(),
    'ceremony:batches': (caller) => hsm.ceremonyBatches(stationContext(caller)),
    'ceremony:transportKey': async (caller, req) => {
      const t = await c().ceremony.createTransportKey(stationContext(caller), req.label);
      return {
        fileName: `transport-${t.file.fingerprint.slice(0, 12)}.pub`,
        text: t.text,
        fingerprint: t.file.fingerprint,
        oaepHash: t.file.oaepHash,
      };
    },
    'ceremony:export': async (caller, req) => {
      const x = await c().ceremony.exportBatch(stationContext(caller), req.batchId, req.transport);
      return {
        fileName: `batch-${req.batchId}.wrapped`,
        text: x.text,
        kcv: x.kcv,
        fileSha256: x.fileSha256,
        transportFingerprint: x.file.transportKey,
      };
    },
    'ceremony:import': (caller, req) =>
      c().ceremony.importBatch(stationContext(caller), req.wrapped, { expectKcv: req.expectKcv }),
    'ceremony:transcript': async (caller, req) => {
      const t = await c().ceremony.transcript(stationContext(caller), req.batchId);
      const prefix = `ceremony-${req.batchId}`;
      return req.format === 'json'
        ? {
            fileName: `${prefix}.json`,
            mimeType: 'application/json',
            base64: b64(`${JSON.stringify(t, null, 2)}\n`),
          }
        : { fileName: `${prefix}.pdf`, mimeType: 'application/pdf', base64: b64(await c().transcriptPdf(t)) };
    },
  };
}
