/**
 * What every factory-line service receives (wired once by `createFactoryLine`): the core's ports,
 * the batch service for creating batches, the station's name and the join server's own CUPS URI and
 * CA (the defaults bundles carry), and the factory adapters.
 */
import type { BatchRow, BatchService, RequestContext } from '../api';
import type { Clock, Hsm, Logger, Random, Store } from '../ports';
import type { BundleSink, HookRunner, LabelRenderer, PrinterFactory, SigningKeySource } from './ports';
import type { FactoryRecordSink } from './records';

/** Creating batches is the batch service's job (overlap checks, root key, audit). */
export interface BatchCreator {
  create(
    ctx: RequestContext,
    input: { first: string; last: string; flavor?: string; cupsUri?: string },
  ): Promise<BatchRow>;
}

/** Dependencies of the factory line. */
export interface FactoryLineDeps {
  store: Store;
  hsm: Hsm;
  clock: Clock;
  random: Random;
  logger: Logger;
  batches: BatchCreator | BatchService;
  /** recorded with every unit step: which station did it (host name by default) */
  station: string;
  /** the join server's own CUPS URI and CA certificate (PEM): what bundles carry by default */
  defaults: { cupsUri: string | null; trustPem: string | null };
  /** the station's update-signing key, which every bundle carries as `sig-0.key` (SPEC §3.4) */
  signingKeys: SigningKeySource;
  sink: BundleSink;
  hooks: HookRunner;
  labels: LabelRenderer;
  printers: PrinterFactory;
  /**
   * where each unit step's personalization record goes, in the step's transaction (the station's
   * outbox: docs/sync.md "Factory records"); absent = not recorded
   */
  records?: FactoryRecordSink | undefined;
}
