/**
 * Wiring of the factory line for one station (DESIGN §1 composition): the core's factory-line
 * services over the station's store and HSM, with the folder/zip bundle writer, the post-write hook
 * runner, template labels and the printer transports. Called by `gwjs` commands, `gwjs serve` and the
 * Electron main process.
 */
import { hostname } from 'node:os';
import type { BatchService } from '../../core/api';
import { createFactoryLine, type FactoryLineServices, type JobRunnerOptions } from '../../core/factory-line';
import type {
  BundleSink,
  HookRunner,
  LabelRenderer,
  PrinterFactory,
  SigningKeySource,
} from '../../core/factory-line/ports';
import { resolveCoreConfig } from '../../core/config';
import { UpdateSigningKeys } from '../../core/firmware/signing-keys';
import { Counters } from '../../core/metrics';
import type { Clock, Hsm, Logger, Random, Store } from '../../core/ports';
import { randomBytes } from 'node:crypto';
import { FolderBundleSink } from './folder-bundle-sink';
import { LinePrinters, TemplateLabelRenderer } from './line-labels';
import { ProcessHookRunner } from './post-write-hook';

/** What {@link openFactoryLine} needs. */
export interface FactoryLineWiring {
  store: Store;
  hsm: Hsm;
  /** the core's batch service (creates batches: root key, overlap check, audit) */
  batches: BatchService;
  /**
   * the station's update-signing keys (`core.signingKeys`): bundles carry the active one as
   * `sig-0.key`; when not given, the same keys are read from `store`
   */
  signingKeys?: SigningKeySource | undefined;
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
  const clock = w.clock ?? { now: () => Date.now() };
  const random = w.random ?? { bytes: (n) => new Uint8Array(randomBytes(n)) };
  const logger = w.logger ?? SILENT;
  const signingKeys =
    w.signingKeys ??
    new UpdateSigningKeys({
      ...{ store: w.store, hsm: w.hsm, clock, random, logger },
      config: resolveCoreConfig(),
      counters: new Counters(),
    });
  return createFactoryLine(
    {
      store: w.store,
      hsm: w.hsm,
      clock,
      random,
      logger,
      batches: w.batches,
      signingKeys,
      station: w.station ?? hostname(),
      defaults: { cupsUri: w.cupsUri, trustPem: w.caCertPem },
      sink: w.sink ?? new FolderBundleSink(),
      hooks: w.hooks ?? new ProcessHookRunner(),
      labels: w.labels ?? new TemplateLabelRenderer(w.templatesDir),
      printers: w.printers ?? new LinePrinters(),
    },
    w.jobs === undefined ? {} : { jobs: w.jobs },
  );
}
