/**
 * Wiring of the factory line for one station (docs/architecture.md): the core's factory-line
 * services over the station's store, HSM and core — the core's own batch service and
 * update-signing keys, never second copies — with the folder/zip bundle writer, the post-write
 * hook runner, template labels and the printer transports. Used by `gwjs` commands, `gwjs serve`
 * and the Electron main process (through `createStationUi`).
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Core } from '../core/api';
import { createFactoryLine, type FactoryLineServices, type JobRunnerOptions } from '../core/factory-line';
import type { BundleSink, HookRunner, LabelRenderer, PrinterFactory } from '../core/factory-line/ports';
import type { Clock, Hsm, Logger, Random, Store } from '../core/ports';
import { FolderBundleSink } from '../adapters/factory/folder-bundle-sink';
import { LinePrinters, TemplateLabelRenderer } from '../adapters/factory/line-labels';
import { ProcessHookRunner } from '../adapters/factory/post-write-hook';

/** What {@link openFactoryLine} needs. */
export interface FactoryLineWiring {
  store: Store;
  hsm: Hsm;
  /**
   * the station's core: its batch service creates batches (root key, overlap check, audit) and
   * its update-signing keys go into bundles as `sig-0.key`; with its sync, every unit step's
   * personalization record goes to the outbox while the station has a link (docs/sync.md
   * "Factory records")
   */
  core: Pick<Core, 'batches' | 'signingKeys'> & Partial<Pick<Core, 'sync'>>;
  /** the join server's own CUPS URI and CA certificate (PEM): bundle defaults */
  cupsUri: string | null;
  caCertPem: string | null;
  /** station name recorded with every unit (default: the host name) */
  station?: string | undefined;
  /** folder of the operator's label templates (searched before resources/labels) */
  templatesDir?: string | undefined;
  clock?: Clock | undefined;
  random?: Random | undefined;
  logger?: Logger | undefined;
  jobs?: JobRunnerOptions | undefined;
  /** adapter overrides (tests, the Electron shell's OS printer) */
  sink?: BundleSink | undefined;
  hooks?: HookRunner | undefined;
  labels?: LabelRenderer | undefined;
  printers?: PrinterFactory | undefined;
}

const SILENT: Logger = { info: () => {}, warn: () => {}, error: () => {}, debug: () => {} };

/** The factory line services of a station. */
export function openFactoryLine(w: FactoryLineWiring): FactoryLineServices {
  return createFactoryLine(
    {
      store: w.store,
      hsm: w.hsm,
      clock: w.clock ?? { now: () => Date.now() },
      random: w.random ?? { bytes: (n) => new Uint8Array(randomBytes(n)) },
      logger: w.logger ?? SILENT,
      batches: w.core.batches,
      signingKeys: w.core.signingKeys,
      station: w.station ?? hostname(),
      defaults: { cupsUri: w.cupsUri, trustPem: w.caCertPem },
      sink: w.sink ?? new FolderBundleSink(),
      hooks: w.hooks ?? new ProcessHookRunner(),
      labels: w.labels ?? new TemplateLabelRenderer(w.templatesDir),
      printers: w.printers ?? new LinePrinters(),
      records: w.core.sync?.outbox.factoryRecords,
    },
    w.jobs === undefined ? {} : { jobs: w.jobs },
  );
}
