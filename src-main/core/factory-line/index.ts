/**
 * The factory line (docs/factory-line.md): batches with bundle settings and counters, the
 * scan → personalize → print → verify workflow, pre-generation jobs and owner manifests. One
 * `createFactoryLine` per process, beside `createCore`; adapters come from
 * `src-main/adapters/factory` (see `createFactoryAdapters`).
 */
import type { FactoryLineDeps } from './context';
import { PregenJobs, type JobRunnerOptions } from './jobs';
import { FactoryBatches, normalizeTrust } from './line-batches';
import { FactoryLine } from './line';
import { LineSettingsService } from './line-settings';
import { ManifestExporter } from './manifest-export';

export type { FactoryLineDeps, BatchCreator } from './context';
export type { StartJobInput, JobRunnerOptions, JobProgress } from './jobs';
export type { ManifestExportInput, ManifestExport } from './manifest-export';
export type * from './ports';

/** The factory line's services. */
export interface FactoryLineServices {
  batches: FactoryBatches;
  settings: LineSettingsService;
  line: FactoryLine;
  jobs: PregenJobs;
  manifests: ManifestExporter;
  /**
   * Changes the CUPS URI bundles of batches without their own carry (Settings → Network,
   * docs/station-ui.md "Network"), from the next bundle on.
   */
  setDefaultCupsUri(uri: string | null): void;
  /** stops running jobs (their done units stay committed); call before closing the store */
  close(): Promise<void>;
}

/**
 * Wires the factory line services. The default trust is normalized once (one PEM certificate, LF).
 * @throws DomainError('invalid_credential') when `deps.defaults.trustPem` is not one certificate.
 */
export function createFactoryLine(
  input: FactoryLineDeps,
  options: { jobs?: JobRunnerOptions } = {},
): FactoryLineServices {
  const trustPem = input.defaults.trustPem === null ? null : normalizeTrust(input.defaults.trustPem);
  const deps: FactoryLineDeps = { ...input, defaults: { cupsUri: input.defaults.cupsUri, trustPem } };
  const settings = new LineSettingsService(deps);
  const jobs = new PregenJobs(deps, settings, options.jobs);
  return {
    batches: new FactoryBatches(deps),
    settings,
    line: new FactoryLine(deps, settings),
    jobs,
    manifests: new ManifestExporter(deps),
    setDefaultCupsUri(uri) {
      // the services read deps.defaults per bundle
      deps.defaults.cupsUri = uri;
    },
    close: () => jobs.close(),
  };
}
