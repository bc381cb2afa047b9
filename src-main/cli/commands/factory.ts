/**
 * Factory line commands (docs/factory-line.md): `gwjs batch list` and `gwjs batch configure` (KCV, counters,
 * what bundles carry), `gwjs pregenerate` (a range into bundles + ZPL labels, resumable),
 * `gwjs manifest export` (EUIs + PINs encrypted to the owner's key) and `gwjs claim --manifest`
 * (the owner side: decrypt with the private key, bulk-claim). Heavy modules load inside `run`.
 */
import { formatCount } from '../../../src-shared/format-count';
import { createPrivateKey } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { DomainError } from '../../../src-shared/errors';
import {
  MANIFEST_FORMATS,
  UNIT_STATES,
  type JobView,
  type UnitState,
} from '../../../src-shared/factory-channels';
import type { FactoryLineServices, JobRunnerOptions } from '../../core/factory-line';
import {
  NO_ARGUMENTS,
  optionalString,
  requireString,
  UsageError,
  type CliIo,
  type Command,
  type CommandArgs,
  type CommandResult,
} from '../command';
import { readInputFile } from '../read-input';
import type { Station } from '../../compose/station';
import type { FactoryBatch } from '../../../src-shared/factory-channels';

/** What `openFactoryLine` needs of an open station. */
function factoryInputOf(station: Station) {
  return {
    store: station.store,
    hsm: station.hsm,
    core: station.core,
    clock: station.clock,
    cupsUri: station.cupsUri,
    caCertPem: station.tls.caCertPem,
  };
}

/** Opens the station and its factory line for one command; closes both after `fn`. */
async function withFactory<T>(
  args: CommandArgs,
  io: CliIo,
  fn: (station: Station, factory: FactoryLineServices) => Promise<T>,
  jobs?: JobRunnerOptions,
): Promise<T> {
  const [{ withStation }, { openFactoryLine }] = await Promise.all([
    import('../open'),
    import('../../compose/factory-line'),
  ]);
  return withStation(args, io, async (station) => {
    const factory = openFactoryLine({ ...factoryInputOf(station), ...(jobs !== undefined ? { jobs } : {}) });
    try {
      return await fn(station, factory);
    } finally {
      await factory.close();
    }
  });
}

function positiveInt(args: CommandArgs, name: string, fallback?: number): number {
  const raw = optionalString(args, name);
  if (raw === undefined) {
    if (fallback !== undefined) return fallback;
    throw new UsageError(`--${name} is required`);
  }
  if (!/^[1-9][0-9]{0,6}$/.test(raw))
    throw new UsageError(`--${name}: ${JSON.stringify(raw)} is not a whole number ≥ 1`);
  return Number(raw);
}

/** `gwjs batch list`: every batch with its KCV, bundle settings and unit counters. */
export const batchListCommand: Command = {
  name: 'batch list',
  summary: 'batches with KCV, bundle settings and unit counts',
  ...NO_ARGUMENTS,
  access: 'read',
  async run(args, io) {
    const text = (batches: FactoryBatch[]) =>
      batches.map(
        (b) =>
          `${b.id}  ${b.firstEui64} … ${b.lastEui64}  KCV ${b.kcv}  ${b.flavor ?? '-'}/${b.model ?? '-'}  ` +
          `personalized ${formatCount(b.counts.personalized)}, printed ${formatCount(b.counts.printed)}, verified ${formatCount(b.counts.verified)}, blocked ${formatCount(b.counts.blocked)}`,
      );
    const { askStation } = await import('../open');
    // read-only: while `gwjs serve` holds the store, the server answers (its local door, docs/cli.md)
    const { batches } = await askStation(args, io, 'batches', {});
    const lines = text(batches);
    return { json: { batches }, text: lines.length > 0 ? lines.join('\n') : 'No batches yet.' };
  },
};

/** `gwjs batch configure`: what later bundles of a batch carry (model, public CUPS URI, trust). */
export const batchConfigureCommand: Command = {
  name: 'batch configure',
  summary: 'set what bundles of a batch carry: model, public CUPS URI, trust',
  usage: '--batch B [--model M] [--cups-uri URI] [--trust FILE]',
  help: [
    '  --batch B                  the batch id (see `gwjs batch list`)',
    '  --model M                  gateway model recorded with the batch',
    '  --cups-uri URI             the join server’s public CUPS URI (https://host:port) bundles carry',
    '  --trust FILE               PEM certificate gateways trust for that URI (default: this station’s CA)',
  ],
  options: {
    batch: { type: 'string' },
    model: { type: 'string' },
    'cups-uri': { type: 'string' },
    trust: { type: 'string' },
  },
  positionals: { min: 0, max: 0 },
  access: 'write',
  async run(args, io) {
    const batchId = requireString(args, 'batch');
    const model = optionalString(args, 'model');
    const cupsUri = optionalString(args, 'cups-uri');
    const trustFile = optionalString(args, 'trust');
    const trustPem =
      trustFile === undefined ? undefined : readInputFile(trustFile, '--trust').toString('utf8');
    return withFactory(args, io, async (s, f) => {
      const b = await f.batches.configure(s.cliContext, {
        batchId,
        ...(model !== undefined ? { model } : {}),
        ...(cupsUri !== undefined ? { cupsUri } : {}),
        ...(trustPem !== undefined ? { trustPem } : {}),
      });
      return {
        json: { batch: b },
        text: `Batch ${b.id}: model ${b.model ?? '-'}, CUPS URI ${b.cupsUri ?? '-'}, trust ${b.trustFingerprint ?? '-'}`,
      };
    });
  },
};

function jobLine(j: JobView): string {
  const rate = j.ratePerSecond === null ? '' : `, ${formatCount(Math.round(j.ratePerSecond))} units/s`;
  const eta = j.etaSeconds === null ? '' : `, ETA ${j.etaSeconds} s`;
  return `job ${j.id}: ${formatCount(j.done)}/${formatCount(j.total)} (${j.state}${rate}${eta})`;
}

/** `gwjs pregenerate`: a range into bundles + ZPL labels in one job; Ctrl-C stops cleanly, `--resume` continues. */
export const pregenerateCommand: Command = {
  name: 'pregenerate',
  summary: 'personalize a range into bundles and ZPL labels in one resumable job',
  usage: '--batch B --count N --out DIR [--first ID] [--zip] [--no-labels] [--template T] | --resume JOB',
  help: [
    '  --batch B                  the batch whose range is written',
    '  --count N                  units in the job',
    '  --first ID                 first EUI (default: after every personalized unit and job of the batch)',
    '  --out DIR                  bundles go to DIR/<16-hex EUI>/, labels to DIR/labels/<EUI>.zpl',
    '  --zip                      also write DIR/<EUI>.zip',
    '  --no-labels                no ZPL labels',
    '  --template T               label template (default default-50x30)',
    '  --chunk N                  units per durable chunk (default 250)',
    '  --resume JOB               continue a stopped job after its last durable unit',
  ],
  options: {
    batch: { type: 'string' },
    count: { type: 'string' },
    first: { type: 'string' },
    out: { type: 'string' },
    zip: { type: 'boolean', default: false },
    'no-labels': { type: 'boolean', default: false },
    template: { type: 'string' },
    chunk: { type: 'string' },
    resume: { type: 'string' },
  },
  positionals: { min: 0, max: 0 },
  access: 'write',
  async run(args, io) {
    const resume = optionalString(args, 'resume');
    const chunkSize = positiveInt(args, 'chunk', 250);
    const progress = (j: JobView) => io.stderr(`gwjs: ${jobLine(j)}\n`);
    const input =
      resume === undefined
        ? {
            batchId: requireString(args, 'batch'),
            count: positiveInt(args, 'count'),
            outDir: path.resolve(requireString(args, 'out')),
            zip: args.values.zip === true,
            labels: args.values['no-labels'] !== true,
            ...(optionalString(args, 'first') !== undefined ? { first: optionalString(args, 'first') } : {}),
            ...(optionalString(args, 'template') !== undefined
              ? { template: optionalString(args, 'template') }
              : {}),
          }
        : undefined;
    const started = Date.now();
    const job = await withFactory(
      args,
      io,
      async (s, f) => {
        // Ctrl-C stops after the units in flight (committed); run again with --resume
        const onSignal = () => {
          io.stderr('gwjs: stopping after the units in flight…\n');
          void f.close();
        };
        process.once('SIGINT', onSignal);
        try {
          return input === undefined
            ? await f.jobs.resumeAndWait(s.cliContext, resume!, progress)
            : await f.jobs.startAndWait(s.cliContext, input, progress);
        } finally {
          process.off('SIGINT', onSignal);
        }
      },
      { chunkSize },
    );
    const seconds = (Date.now() - started) / 1000;
    if (job.state === 'failed') {
      throw new DomainError(
        'internal',
        `job ${job.id} failed after ${formatCount(job.done)} units: ${job.error ?? 'unknown'}; fix it and run with --resume ${job.id}`,
      );
    }
    const result: CommandResult = {
      json: { job, seconds },
      text:
        job.state === 'done'
          ? `Job ${job.id} done: ${formatCount(job.total)} units (${job.first} … ${job.last}) in ${seconds.toFixed(1)} s → ${job.outDir}`
          : `Job ${job.id} ${job.state} at ${formatCount(job.done)}/${formatCount(job.total)}; continue with: gwjs pregenerate --resume ${job.id}`,
    };
    return result;
  },
};

function statesOf(raw: string | undefined): UnitState[] | undefined {
  if (raw === undefined) return undefined;
  const states = raw.split(',').map((s) => s.trim());
  for (const s of states) {
    if (!(UNIT_STATES as readonly string[]).includes(s)) {
      throw new UsageError(`--states: ${JSON.stringify(s)} is not one of ${UNIT_STATES.join(', ')}`);
    }
  }
  return states as UnitState[];
}

/** `gwjs manifest export`: EUIs + PINs of a batch (or a selection) encrypted to the owner’s P-256 key. */
export const manifestExportCommand: Command = {
  name: 'manifest export',
  summary: 'export EUIs and PINs of a batch encrypted to the owner’s P-256 public key',
  usage: '--batch B --owner-key PUBKEY.pem --out FILE [--format csv|json] [--gateways FILE] [--states S,…]',
  help: [
    '  --batch B                  the batch',
    '  --owner-key FILE           the owner’s public key (PEM, EC P-256) or a certificate carrying it',
    '  --out FILE                 where the manifest goes (gwjs-manifest v1, JSON)',
    '  --format csv|json          plaintext inside (default csv)',
    '  --gateways FILE            a selection: one gateway id per line (default: the whole batch)',
    `  --states S,…               unit states to export (default personalized,printed,verified)`,
  ],
  options: {
    batch: { type: 'string' },
    'owner-key': { type: 'string' },
    out: { type: 'string' },
    format: { type: 'string' },
    gateways: { type: 'string' },
    states: { type: 'string' },
  },
  positionals: { min: 0, max: 0 },
  access: 'read',
  async run(args, io) {
    const batchId = requireString(args, 'batch');
    const ownerPublicKey = readInputFile(requireString(args, 'owner-key'), '--owner-key').toString('utf8');
    const out = path.resolve(requireString(args, 'out'));
    const format = optionalString(args, 'format') ?? 'csv';
    if (!(MANIFEST_FORMATS as readonly string[]).includes(format)) {
      throw new UsageError(`--format: ${JSON.stringify(format)} is not csv or json`);
    }
    const list = optionalString(args, 'gateways');
    const gateways =
      list === undefined
        ? undefined
        : readInputFile(list, '--gateways')
            .toString('utf8')
            .split(/\r?\n/)
            .map((l) => l.trim())
            .filter((l) => l !== '' && !l.startsWith('#'));
    const states = statesOf(optionalString(args, 'states'));
    const { askStation } = await import('../open');
    // no state changes (audited): while `gwjs serve` holds the store, the server exports it (docs/cli.md)
    const m = await askStation(args, io, 'manifest', {
      batchId,
      format: format as 'csv' | 'json',
      ownerPublicKey,
      ...(gateways !== undefined ? { gateways } : {}),
      ...(states !== undefined ? { states } : {}),
    });
    await mkdir(path.dirname(out), { recursive: true });
    await writeFile(out, m.text, { mode: 0o600 });
    return {
      json: { manifest: out, count: m.count, kid: m.kid, batch: batchId },
      text: `Manifest of ${m.count} gateways encrypted to key ${m.kid} → ${out}`,
    };
  },
};

/** The owner's private key file (PEM or DER; PKCS#8 or SEC1) as PKCS#8 DER. */
function ownerPrivateKey(file: string): Uint8Array {
  const raw = readInputFile(file, '--key');
  try {
    const text = raw.toString('latin1');
    const key = text.includes('-----BEGIN')
      ? createPrivateKey({ key: text, format: 'pem' })
      : createPrivateKey({ key: raw, format: 'der', type: 'pkcs8' });
    return new Uint8Array(key.export({ type: 'pkcs8', format: 'der' }));
  } catch {
    throw new DomainError(
      'invalid_request',
      `--key: ${JSON.stringify(file)} is not an unencrypted private key (PEM or PKCS#8 DER)`,
    );
  } finally {
    raw.fill(0);
  }
}

/** `gwjs claim --manifest`: the owner opens a manifest with its private key and bulk-claims every gateway. */
export const claimManifestCommand: Command = {
  name: 'claim',
  summary: 'claim every gateway of an owner manifest (decrypted with the owner’s private key)',
  usage: '--owner ID --manifest FILE --key KEYFILE',
  help: [
    '  --owner ID                 the owner who claims (its id in any form)',
    '  --manifest FILE            a gwjs-manifest file from `gwjs manifest export`',
    '  --key KEYFILE              the owner’s P-256 private key (PEM: PRIVATE KEY or EC PRIVATE KEY)',
    '',
    'Exit 0 when every gateway is claimed (or already was, by this owner); 1 when any is not.',
  ],
  options: { owner: { type: 'string' }, manifest: { type: 'string' }, key: { type: 'string' } },
  positionals: { min: 0, max: 0 },
  access: 'write',
  async run(args, io) {
    const owner = requireString(args, 'owner');
    const text = readInputFile(requireString(args, 'manifest'), '--manifest').toString('utf8');
    const key = ownerPrivateKey(requireString(args, 'key'));
    const { openManifest } = await import('../../../src-shared/manifest');
    const opened = await openManifest(text, key).finally(() => key.fill(0));
    const { withStation } = await import('../open');
    return withStation(args, io, async (s) => {
      const results = await s.core.owner.claim(
        s.cliContext,
        owner,
        opened.gateways.map((g) => ({ gateway: g.id6, claim: g.pin })),
      );
      const failed = results.filter((r) => r.error !== undefined);
      if (failed.length > 0) {
        const shown = failed
          .slice(0, 5)
          .map((r) => `${r.gateway} (${r.code ?? 'error'}: ${r.error})`)
          .join('; ');
        throw new DomainError(
          'conflict',
          `${failed.length} of ${results.length} gateways not claimed: ${shown}${failed.length > 5 ? '; …' : ''}`,
        );
      }
      return {
        json: { ownerid: owner, claimed: results.length, batch: opened.header.batch, kid: opened.header.kid },
        text: `Claimed ${results.length} gateways of manifest batch ${opened.header.batch ?? '-'} for owner ${owner}.`,
      };
    });
  },
};
