/**
 * What the factory line needs from the outside world (DESIGN §1 ports): a place to write bundles
 * and label files, a runner for the post-write hook, label rendering and printers. Adapters live
 * in `src-main/adapters/factory` (folder/zip writer, hook runner) and `src-main/adapters/printers`
 * (label renderers, TCP 9100 and USB transports).
 */
import type {
  HookResult,
  HookSettings,
  LabelTemplateSummary,
  PrinterSettings,
} from '../../../src-shared/factory-channels';
import type { BundleFile } from '../factory-bundle';
import type { LabelModel } from '../labels/label-model';
import type { PrinterTransport } from '../labels/printer-port';

/** One bundle to write: `<outDir>/<euiHex>/<file>` and optionally `<outDir>/<euiHex>.zip`. */
export interface BundleWrite {
  outDir: string;
  /** 16 uppercase hex digits: the folder name (SPEC §5) */
  euiHex: string;
  /** every file of the bundle (`bundleFileList`): text and binary, secret ones written owner-only */
  files: readonly BundleFile[];
  zip: boolean;
  /** modification time stored in the zip (ms): fixed per job so a re-write is byte-identical */
  zipTime: number;
}

/** Where a bundle landed. */
export interface BundleLocation {
  path: string;
  zipPath: string | null;
}

/**
 * Writes bundles and labels. Writes replace what is there (a re-write of a unit interrupted half-way
 * yields the same bytes); nothing is durable until {@link BundleSink.flush} resolves.
 */
export interface BundleSink {
  writeBundle(bundle: BundleWrite): Promise<BundleLocation>;
  /** Writes `<outDir>/labels/<euiHex><extension>`; returns its path. */
  writeLabel(outDir: string, euiHex: string, extension: string, data: Uint8Array): Promise<string>;
  /** Makes every file written under `outDir` so far durable (fsync/syncfs). */
  flush(outDir: string): Promise<void>;
}

/** Values the hook's arguments may name. */
export interface HookVariables {
  bundle: string;
  eui: string;
  zip: string | null;
}

/** Runs the post-write hook (line-specific flashing) with a timeout; never throws for the command's failures. */
export interface HookRunner {
  run(hook: HookSettings, vars: HookVariables): Promise<HookResult>;
}

/** Output formats the line renders. */
export type LineLabelFormat = 'zpl' | 'png';

/** Renders labels from a template name (loaded and validated by the adapter, cached). */
export interface LabelRenderer {
  render(model: LabelModel, template: string, format: LineLabelFormat): Promise<Uint8Array>;
  /** The valid templates the station has (what line settings may name), sorted by name. */
  templates(): Promise<LabelTemplateSummary[]>;
}

/** The station's active update-signing key (SPEC §3.4), which bundles carry as `sig-0.key`. */
export interface SigningKeySource {
  active(): Promise<{ publicKey: Uint8Array; keyCrc: number } | undefined>;
}

/** Opens the printer the line settings name; `undefined` for `{kind: 'none'}`. */
export interface PrinterFactory {
  open(settings: PrinterSettings): PrinterTransport | undefined;
}
