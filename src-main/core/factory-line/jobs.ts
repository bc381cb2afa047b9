/**
 * Batch pre-generation (docs/factory-line.md): personalize a whole range into bundles (SPEC §5) and ZPL
 * labels (SPEC §6) in one job, with progress, ETA, cancel and resume — never re-using or skipping
 * an EUI.
 *
 * Longer than ~400 lines on purpose: the cursor, chunk-commit and cancel rules below are one
 * invariant, held by the one class that owns this process's runners; range checks, chunk writing
 * and rows are apart (`job-range.ts`, `job-chunk.ts`, `job-rows.ts`).
 *
 * How "never re-use, never skip" holds:
 * - A job owns a contiguous range [first, last] that holds no personalized unit and meets no other
 *   unfinished job when it starts; while unfinished it reserves [cursor, last] (the line refuses those
 *   EUIs), so nothing else writes into it.
 * - Units are written in order, in chunks. A chunk's files are written, then **flushed** (fsync /
 *   syncfs), then one transaction inserts the chunk's unit rows and moves the cursor past them. So
 *   every EUI before the cursor is on disk and recorded exactly once (the unit primary key is the
 *   last guard), and every EUI from the cursor on is written by the next run.
 * - Cancel stops handing out EUIs, lets the ones in flight finish, and commits that prefix. A crash
 *   loses at most the uncommitted chunk; its files may be partly written at any point (a folder
 *   without files, a truncated or missing file, a loosened mode). Resume starts at the cursor and
 *   writes those units whole again, replacing whatever is there: the content is a pure function of
 *   (root key, EUI, batch settings, job, the station's signing key when the run starts), so the
 *   re-write yields the same bytes.
 *
 * Bundles are built by `core/factory-bundle.ts`, like every other personalization.
 */
import { DomainError } from '../../../src-shared/errors';
import type { JobView } from '../../../src-shared/factory-channels';
import { euiHex, formatId6, parseIdField } from '../../../src-shared/ids';
import { bytesToHex } from '../../../src-shared/bytes';
import type { RequestContext } from '../context';
import { actorOf, AuditWriter } from '../audit';
import { isoAt } from '../env';
import type { FactoryLineDeps } from './context';
import { findJob, jobRowOf, JOB_COLUMNS, type JobOptions, type JobRow } from './job-rows';
import { lineBundleOptions } from './derive';
import { bundleSettingsOf, loadLineBatch } from './line-batches';
import { commitChunk, renderJobZpl, writeChunk } from './job-chunk';
import { checkRangeFree, firstFree, minBig } from './job-range';
import type { LineSettingsService } from './line-settings';

/** Input of {@link PregenJobs.create}. */
export interface StartJobInput {
  batchId: string;
  /** range start (any id form); default: the first EUI of the batch after every unit and job */
  first?: string | undefined;
  count: number;
  /** output folder; default: the line settings' */
  outDir?: string | undefined;
  zip?: boolean | undefined;
  labels?: boolean | undefined;
  /** label template; default: the line settings', else `default-50x30` */
  template?: string | undefined;
}

/** Tuning of the job runner. */
export interface JobRunnerOptions {
  /** units per durable chunk (default 250) */
  chunkSize?: number;
  /** units derived and written at the same time (default 8) */
  concurrency?: number;
}

/** Progress callback of a run (tests and the CLI's progress line). */
export type JobProgress = (job: JobView) => void;

const DEFAULT_TEMPLATE = 'default-50x30';
const MAX_JOB_UNITS = 1_000_000;
const RATE_WINDOW_MS = 10_000;

/** A job running in this process. */
interface Runner {
  cancel: boolean;
  done: Promise<JobView>;
  samples: Array<{ at: number; done: number }>;
}

/** Pre-generation jobs: create, run, cancel, resume, list. */
export class PregenJobs {
  readonly #runners = new Map<string, Runner>();
  readonly #chunkSize: number;
  readonly #concurrency: number;

  constructor(
    private readonly deps: FactoryLineDeps,
    private readonly settings: LineSettingsService,
    options: JobRunnerOptions = {},
  ) {
    this.#chunkSize = options.chunkSize ?? 250;
    this.#concurrency = options.concurrency ?? 8;
  }

  /**
   * Creates a job (state `running`, not yet started: call {@link run} or {@link start}).
   * @throws DomainError('invalid_request') for a bad count or a range past the batch end;
   *   ('conflict') when the range holds personalized units or meets an unfinished job;
   *   ('not_found' | 'not_configured' | 'invalid_uri' | 'trust_required').
   */
  async create(ctx: RequestContext, input: StartJobInput): Promise<JobView> {
    if (!Number.isSafeInteger(input.count) || input.count < 1 || input.count > MAX_JOB_UNITS) {
      throw new DomainError(
        'invalid_request',
        `count: ${String(input.count)} is not a whole number 1–${MAX_JOB_UNITS}`,
        {
          field: 'count',
        },
      );
    }
    const line =
      input.outDir === undefined || input.template === undefined
        ? (await this.settings.get()).settings
        : null;
    const outDir = input.outDir ?? line?.outDir;
    if (outDir === undefined) {
      throw new DomainError(
        'not_configured',
        'outDir: no output folder given and the line has none configured',
        {
          field: 'outDir',
        },
      );
    }
    const options: JobOptions = {
      zip: input.zip ?? false,
      labels: input.labels ?? true,
      template: input.template ?? line?.template ?? DEFAULT_TEMPLATE,
    };
    if (options.labels) await renderJobZpl(this.deps, 0n, '00000000', options.template); // unknown template → fail now
    const id = `job-${bytesToHex(this.deps.random.bytes(6))}`;
    const at = isoAt(this.deps.clock.now());
    const row = await this.deps.store.transaction(async (tx) => {
      const batch = await loadLineBatch(tx, this.deps, input.batchId);
      bundleSettingsOf(batch);
      const first =
        input.first === undefined ? await firstFree(tx, batch) : parseIdField(input.first, 'first');
      const last = first + BigInt(input.count) - 1n;
      if (first < batch.first || last > batch.last) {
        throw new DomainError(
          'invalid_request',
          `first/count: ${formatId6(first)} + ${input.count} units leaves batch ${batch.id} (${formatId6(batch.first)} … ${formatId6(batch.last)})`,
          { field: 'count' },
        );
      }
      await checkRangeFree(tx, first, last);
      const job: JobRow = {
        id,
        batchId: batch.id,
        first,
        last,
        next: first,
        total: input.count,
        done: 0,
        outDir,
        options,
        state: 'running',
        error: null,
        station: this.deps.station,
        createdAt: at,
        createdBy: actorOf(ctx.principal),
        updatedAt: at,
      };
      await tx.run(
        `INSERT INTO factory_jobs (${JOB_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [
          job.id,
          job.batchId,
          euiHex(first),
          euiHex(last),
          euiHex(first),
          job.total,
          0,
          outDir,
          JSON.stringify(options),
          'running',
          null,
          job.station,
          at,
          job.createdBy,
          at,
        ],
      );
      await new AuditWriter(tx, ctx, at).add('factory.job.start', id, {
        batch: batch.id,
        first: formatId6(first),
        last: formatId6(last),
        count: input.count,
        outDir,
        ...options,
      });
      return job;
    });
    return this.#view(row);
  }

  /** Creates a job and runs it in the background; poll {@link get} or await {@link wait}. */
  async start(ctx: RequestContext, input: StartJobInput): Promise<JobView> {
    const job = await this.create(ctx, input);
    this.#launch(ctx, job.id);
    return this.get(job.id);
  }

  /** Creates a job and runs it in this call until it is done, cancelled or failed (the CLI's way). */
  async startAndWait(ctx: RequestContext, input: StartJobInput, onProgress?: JobProgress): Promise<JobView> {
    const job = await this.create(ctx, input);
    return this.#launch(ctx, job.id, onProgress).done;
  }

  /**
   * Resumes a stopped job in this call, from its cursor, until it is done, cancelled or failed.
   * @throws DomainError('conflict') when it runs already or is done; ('not_found').
   */
  async resumeAndWait(ctx: RequestContext, id: string, onProgress?: JobProgress): Promise<JobView> {
    await this.#claim(ctx, id);
    return this.#launch(ctx, id, onProgress).done;
  }

  /**
   * Continues a cancelled, failed or interrupted job in the background from its cursor.
   * @throws DomainError('conflict' | 'not_found')
   */
  async resume(ctx: RequestContext, id: string): Promise<JobView> {
    await this.#claim(ctx, id);
    this.#launch(ctx, id);
    return this.get(id);
  }

  /**
   * Stops a job after the units in flight (they are committed); resumable. A job stored as running
   * without a runner here (interrupted) is marked cancelled at once.
   * @throws DomainError('conflict') for a finished job; ('not_found').
   */
  async cancel(ctx: RequestContext, id: string): Promise<JobView> {
    const runner = this.#runners.get(id);
    if (runner !== undefined) {
      runner.cancel = true;
      return runner.done;
    }
    const job = await this.#require(id);
    if (job.state === 'done') throw new DomainError('conflict', `job ${id} is done; nothing to cancel`);
    if (job.state === 'running') await this.#finish(ctx, job, 'cancelled', null);
    return this.get(id);
  }

  /** Waits for a job running in this process; answers its current view otherwise. */
  async wait(id: string): Promise<JobView> {
    const runner = this.#runners.get(id);
    return runner === undefined ? this.get(id) : runner.done;
  }

  /** One job. @throws DomainError('not_found') */
  async get(id: string): Promise<JobView> {
    return this.#view(await this.#require(id));
  }

  /** Jobs, newest first (of one batch when given). */
  async list(batchId?: string): Promise<JobView[]> {
    const rows = await this.deps.store.read((tx) =>
      batchId === undefined
        ? tx.all(`SELECT ${JOB_COLUMNS} FROM factory_jobs ORDER BY created_at DESC, id`)
        : tx.all(`SELECT ${JOB_COLUMNS} FROM factory_jobs WHERE batch_id = ? ORDER BY created_at DESC, id`, [
            batchId,
          ]),
    );
    return rows.map((r) => this.#view(jobRowOf(r)));
  }

  /** Cancels every job running here and waits for them (call before closing the store). */
  async close(): Promise<void> {
    for (const r of this.#runners.values()) r.cancel = true;
    await Promise.allSettled([...this.#runners.values()].map((r) => r.done));
  }

  async #require(id: string): Promise<JobRow> {
    const job = await this.deps.store.read((tx) => findJob(tx, id));
    if (job === undefined)
      throw new DomainError('not_found', `job: no pre-generation job ${JSON.stringify(id)}`);
    return job;
  }

  /** Marks a stopped job running again (audited), refusing live or finished jobs. */
  async #claim(ctx: RequestContext, id: string): Promise<void> {
    if (this.#runners.has(id)) throw new DomainError('conflict', `job ${id} is running already`);
    const at = isoAt(this.deps.clock.now());
    await this.deps.store.transaction(async (tx) => {
      const job = await findJob(tx, id);
      if (job === undefined)
        throw new DomainError('not_found', `job: no pre-generation job ${JSON.stringify(id)}`);
      if (job.state === 'done') throw new DomainError('conflict', `job ${id} is done`);
      await tx.run("UPDATE factory_jobs SET state = 'running', error = NULL, updated_at = ? WHERE id = ?", [
        at,
        id,
      ]);
      await new AuditWriter(tx, ctx, at).add('factory.job.resume', id, {
        batch: job.batchId,
        from: job.next === null ? null : formatId6(job.next),
        previousState: job.state,
      });
    });
  }

  #launch(ctx: RequestContext, id: string, onProgress?: JobProgress): Runner {
    const runner: Runner = {
      cancel: false,
      samples: [],
      done: Promise.resolve(undefined as unknown as JobView),
    };
    this.#runners.set(id, runner);
    runner.done = this.#loop(ctx, id, runner, onProgress).finally(() => this.#runners.delete(id));
    // a background run reports through the job row; keep its rejection from becoming unhandled
    runner.done.catch(() => undefined);
    return runner;
  }

  async #loop(ctx: RequestContext, id: string, runner: Runner, onProgress?: JobProgress): Promise<JobView> {
    let job = await this.#require(id);
    try {
      const batch = await this.deps.store.read((tx) => loadLineBatch(tx, this.deps, job.batchId));
      const { options: bundle } = await lineBundleOptions(this.deps, batch);
      runner.samples.push({ at: this.deps.clock.now(), done: job.done });
      while (job.next !== null && !runner.cancel) {
        const from = job.next;
        const to = minBig(from + BigInt(this.#chunkSize) - 1n, job.last);
        const written = await writeChunk(this.deps, job, batch, bundle, from, to, {
          concurrency: this.#concurrency,
          stop: () => runner.cancel,
        });
        if (written === 0) break;
        await this.deps.sink.flush(job.outDir);
        job = await commitChunk(this.deps, ctx, job, batch, from, written);
        runner.samples.push({ at: this.deps.clock.now(), done: job.done });
        if (runner.samples.length > 200) runner.samples.splice(0, 100);
        onProgress?.(this.#view(job));
      }
      if (job.next !== null) job = await this.#finish(ctx, job, 'cancelled', null);
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      this.deps.logger.error({ job: id, err: message }, 'pre-generation job failed');
      job = await this.#finish(ctx, await this.#require(id), 'failed', message);
    }
    const view = this.#view(job);
    onProgress?.(view);
    return view;
  }

  async #finish(
    ctx: RequestContext,
    job: JobRow,
    state: 'cancelled' | 'failed',
    error: string | null,
  ): Promise<JobRow> {
    const at = isoAt(this.deps.clock.now());
    await this.deps.store.transaction(async (tx) => {
      await tx.run(
        'UPDATE factory_jobs SET state = ?, error = ?, updated_at = ? WHERE id = ? AND state = ?',
        [state, error, at, job.id, 'running'],
      );
      await new AuditWriter(tx, ctx, at).add(
        `factory.job.${state === 'failed' ? 'fail' : 'cancel'}`,
        job.id,
        {
          batch: job.batchId,
          done: job.done,
          next: job.next === null ? null : formatId6(job.next),
          ...(error !== null ? { error } : {}),
        },
      );
    });
    return { ...job, state, error, updatedAt: at };
  }

  #view(job: JobRow): JobView {
    const runner = this.#runners.get(job.id);
    let ratePerSecond: number | null = null;
    let etaSeconds: number | null = null;
    if (runner !== undefined) {
      const now = this.deps.clock.now();
      const samples = runner.samples;
      const b = samples[samples.length - 1];
      const a = samples.find((s) => now - s.at <= RATE_WINDOW_MS && s !== b) ?? samples[samples.length - 2];
      if (a !== undefined && b !== undefined && b.at > a.at && b.done > a.done) {
        ratePerSecond = ((b.done - a.done) * 1000) / (b.at - a.at);
        etaSeconds = Math.ceil((job.total - job.done) / ratePerSecond);
      }
    }
    return {
      id: job.id,
      batch: job.batchId,
      first: formatId6(job.first),
      last: formatId6(job.last),
      next: job.next === null ? null : formatId6(job.next),
      total: job.total,
      done: job.done,
      state: job.state === 'running' && runner === undefined ? 'interrupted' : job.state,
      outDir: job.outDir,
      zip: job.options.zip,
      labels: job.options.labels,
      template: job.options.template,
      error: job.error,
      createdAt: job.createdAt,
      createdBy: job.createdBy,
      updatedAt: job.updatedAt,
      ratePerSecond,
      etaSeconds,
    };
  }
}
