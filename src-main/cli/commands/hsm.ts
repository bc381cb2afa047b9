/**
 * `gwjs hsm …` (docs/twin-hsm.md): the HSM's status and keys, and the key ceremony between two
 * stations that may never share a network — transport key, wrapped export and import, transcript
 * (JSON + PDF), custodian backup and restore, seal. Files carry no secret a third party can use:
 * transport.pub is public, a wrapped file opens only inside the receiving HSM.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  NO_ARGUMENTS,
  optionalString,
  requireString,
  stringList,
  UsageError,
  type Command,
} from '../command';
import { readInputFile } from '../read-input';

const readText = (file: string, flag: string) => readInputFile(file, flag).toString('utf8');

function write(file: string, data: string | Uint8Array, mode = 0o644): string {
  writeFileSync(file, data, { mode });
  return path.resolve(file);
}

/** The KCV printed large for the two operators to compare. */
const kcvBanner = (kcv: string) => `\n    KCV  ${kcv.split('').join(' ')}\n`;

const hsmStatusCommand: Command = {
  name: 'hsm status',
  summary: 'the HSM backend, token, lock state and keys (label, KCV, kind — never values)',
  ...NO_ARGUMENTS,
  access: 'read',
  async run(args, io) {
    const { askStation } = await import('../open');
    // read-only: while `gwjs serve` holds the store, the server's HSM answers (docs/cli.md)
    const { status, keys, token } = await askStation(args, io, 'hsm-status', {});
    const lines = [
      `backend: ${status.kind}${token ? ` — token "${token.label}" (serial ${token.serial}, ${token.model}, ${token.manufacturer})` : ''}`,
      `state:   ${status.tokenRemoved ? 'token removed' : status.locked ? 'locked' : 'unlocked'}`,
      `detail:  ${status.detail}`,
      status.locked
        ? 'keys:    (unlock to list: --pin-file / $GWJS_HSM_PIN or the passphrase)'
        : `keys:    ${keys.length}`,
      ...keys.map(
        (k) =>
          `  ${k.kind.padEnd(9)} ${k.handle.padEnd(26)} ${k.kcv ?? (k.fingerprint ? `fp ${k.fingerprint.slice(0, 16)}…` : '').padEnd(6)} ${k.kind === 'root' ? (k.exportable ? 'exportable' : 'non-exportable') : ''}  ${k.label}`,
      ),
    ];
    return {
      json: {
        backend: status.kind,
        token,
        locked: status.locked,
        tokenRemoved: status.tokenRemoved === true,
        detail: status.detail,
        keyCount: status.keyCount,
        keys,
      },
      text: lines.join('\n'),
    };
  },
};

const hsmTransportKeyCommand: Command = {
  name: 'hsm transport-key create',
  summary: 'ceremony, receiving side: a transport key pair inside the HSM; writes its public key',
  usage: '--out transport.pub [--label L]',
  help: [
    '  --out FILE                 transport.pub: the public key and its fingerprint (give it to the sender)',
    '  --label L                  label of the key pair in the HSM',
  ],
  options: { out: { type: 'string' }, label: { type: 'string' } },
  positionals: { min: 0, max: 0 },
  access: 'write',
  async run(args, io) {
    const out = requireString(args, 'out');
    const label = optionalString(args, 'label');
    const { withStation } = await import('../open');
    return withStation(args, io, async (s) => {
      const t = await s.core.ceremony.createTransportKey(s.cliContext, label);
      const file = write(out, t.text);
      return {
        json: { file, fingerprint: t.file.fingerprint, oaepHash: t.file.oaepHash, hsm: t.file.hsm },
        text: `Transport key created in the ${t.file.hsm} HSM; public key written to ${file}\nfingerprint ${t.file.fingerprint}\n(the sender compares this fingerprint before exporting)`,
      };
    });
  },
};

const hsmExportCommand: Command = {
  name: 'hsm export',
  summary: 'ceremony, sending side: wraps a batch root key inside the HSM to a transport key',
  usage: '--batch B --to transport.pub --out batch-B.wrapped',
  help: [
    '  --batch B                  the batch id',
    "  --to FILE                  the receiving station's transport.pub",
    '  --out FILE                 the wrapped key file (range, KCV, algorithm, sender; authenticated)',
  ],
  options: { batch: { type: 'string' }, to: { type: 'string' }, out: { type: 'string' } },
  positionals: { min: 0, max: 0 },
  access: 'write',
  async run(args, io) {
    const batch = requireString(args, 'batch');
    const transport = readText(requireString(args, 'to'), '--to');
    const out = requireString(args, 'out');
    const { withStation } = await import('../open');
    return withStation(args, io, async (s) => {
      const w = await s.core.ceremony.exportBatch(s.cliContext, batch, transport);
      const file = write(out, w.text);
      return {
        json: {
          file,
          batch,
          kcv: w.kcv,
          transportKey: w.file.transportKey,
          algorithm: w.file.algorithm,
          fileSha256: w.fileSha256,
        },
        text: `Batch ${batch} wrapped to transport key ${w.file.transportKey.slice(0, 16)}… (${w.file.algorithm}) → ${file}${kcvBanner(w.kcv)}\nRead the KCV to the receiving operator; theirs must be the same.`,
      };
    });
  },
};

const hsmImportCommand: Command = {
  name: 'hsm import',
  summary: 'ceremony, receiving side: unwraps a batch root key inside the HSM and creates the batch',
  usage: '--in batch-B.wrapped [--expect-kcv KCV]',
  help: [
    '  --in FILE                  the wrapped key file from the sender',
    '  --expect-kcv KCV           the KCV the sending operator reads out (checked too)',
  ],
  options: { in: { type: 'string' }, 'expect-kcv': { type: 'string' } },
  positionals: { min: 0, max: 0 },
  access: 'write',
  async run(args, io) {
    const text = readText(requireString(args, 'in'), '--in');
    const expectKcv = optionalString(args, 'expect-kcv');
    const { withStation } = await import('../open');
    return withStation(args, io, async (s) => {
      const r = await s.core.ceremony.importBatch(s.cliContext, text, { expectKcv });
      return {
        json: { batch: r.batch.id, kcv: r.kcv, first: r.batch.firstEui, last: r.batch.lastEui },
        text: `Batch ${r.batch.id} imported: ${r.batch.firstEui} … ${r.batch.lastEui}${kcvBanner(r.kcv)}\nCompare with the sending operator's KCV.`,
      };
    });
  },
};

const hsmTranscriptCommand: Command = {
  name: 'hsm transcript',
  summary: "exports a batch's ceremony transcript (JSON + printable PDF), each hash chain verified",
  usage: '--batch B --out PREFIX',
  help: [
    '  --batch B                  the batch id',
    '  --out PREFIX               writes PREFIX.json and PREFIX.pdf',
  ],
  options: { batch: { type: 'string' }, out: { type: 'string' } },
  positionals: { min: 0, max: 0 },
  access: 'read',
  async run(args, io) {
    const batch = requireString(args, 'batch');
    const prefix = requireString(args, 'out').replace(/\.(json|pdf)$/, '');
    const [{ askStation }, { transcriptPdf }] = await Promise.all([
      import('../open'),
      import('../../adapters/ceremony/ceremony-pdf'),
    ]);
    // read-only: while `gwjs serve` holds the store, the server answers (docs/cli.md)
    const t = await askStation(args, io, 'transcript', { batch });
    const json = write(`${prefix}.json`, `${JSON.stringify(t, null, 2)}\n`);
    const pdf = write(`${prefix}.pdf`, await transcriptPdf(t));
    const ok = t.chains.every((c) => c.check.ok);
    return {
      json: {
        batch,
        json,
        pdf,
        verified: ok,
        chains: t.chains.map((c) => ({
          chain: c.chain,
          ok: c.check.ok,
          entries: c.entries.length,
          brokenAt: c.check.brokenAt ?? null,
        })),
      },
      text: `Transcript of batch ${batch}: ${t.chains.map((c) => `${c.chain} ${c.entries.length} entries ${c.check.ok ? 'verified' : 'BROKEN'}`).join('; ')}\n→ ${json}\n→ ${pdf}`,
    };
  },
};

const hsmBackupCommand: Command = {
  name: 'hsm backup',
  summary: 'custodian backup: the root key wrapped to a recovery transport key, split into M-of-N shares',
  usage: '--batch B --to recovery.pub --shares N --threshold M --out DIR',
  help: [
    '  --to FILE                  transport.pub of the recovery HSM',
    '  --shares N --threshold M   N shares, any M restore (2 ≤ M ≤ N ≤ 32)',
    '  --out DIR                  share-K.txt per share and shares.pdf (one page each, QR code)',
  ],
  options: {
    batch: { type: 'string' },
    to: { type: 'string' },
    shares: { type: 'string' },
    threshold: { type: 'string' },
    out: { type: 'string' },
  },
  positionals: { min: 0, max: 0 },
  access: 'write',
  async run(args, io) {
    const batch = requireString(args, 'batch');
    const transport = readText(requireString(args, 'to'), '--to');
    const n = Number(requireString(args, 'shares'));
    const m = Number(requireString(args, 'threshold'));
    if (!Number.isInteger(n) || !Number.isInteger(m))
      throw new UsageError('--shares, --threshold: whole numbers');
    const dir = requireString(args, 'out');
    const [{ withStation }, { sharesPdf }, { mkdirSync }] = await Promise.all([
      import('../open'),
      import('../../adapters/ceremony/ceremony-pdf'),
      import('node:fs'),
    ]);
    return withStation(args, io, async (s) => {
      const b = await s.core.ceremony.backup(s.cliContext, batch, transport, n, m);
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      const files = b.shares.map((sh) =>
        write(path.join(dir, `share-${sh.share.x}.txt`), `${sh.text}\n`, 0o600),
      );
      const row = b.file.batch;
      const pdf = write(path.join(dir, 'shares.pdf'), await sharesPdf(row, b.shares), 0o600);
      return {
        json: {
          batch,
          kcv: b.kcv,
          setId: b.setId,
          shares: n,
          threshold: m,
          files,
          pdf,
          checks: b.shares.map((x) => x.check),
        },
        text: `Backup of batch ${batch}: ${n} shares, any ${m} restore it → ${dir}${kcvBanner(b.kcv)}\nHand each custodian one page (share check values: ${b.shares.map((x) => x.check).join(', ')}).`,
      };
    });
  },
};

const hsmRestoreCommand: Command = {
  name: 'hsm restore',
  summary: 'restores a custodian backup from any M shares into the HSM holding the recovery transport key',
  usage: '--share FILE… [--expect-kcv KCV]',
  help: [
    '  --share FILE               a share file (repeat: at least the threshold)',
    '  --expect-kcv KCV           the KCV printed on the shares',
  ],
  options: { share: { type: 'string', multiple: true }, 'expect-kcv': { type: 'string' } },
  positionals: { min: 0, max: 0 },
  access: 'write',
  async run(args, io) {
    const shares = stringList(args, 'share').map((f) => readText(f, '--share'));
    const expectKcv = optionalString(args, 'expect-kcv');
    const { withStation } = await import('../open');
    return withStation(args, io, async (s) => {
      const r = await s.core.ceremony.restore(s.cliContext, shares, { expectKcv });
      return {
        json: { batch: r.batch.id, kcv: r.kcv, first: r.batch.firstEui, last: r.batch.lastEui },
        text: `Batch ${r.batch.id} restored: ${r.batch.firstEui} … ${r.batch.lastEui}${kcvBanner(r.kcv)}`,
      };
    });
  },
};

const hsmSealCommand: Command = {
  name: 'hsm seal',
  summary: 'makes a batch root key non-exportable for good (after the ceremony and the backup)',
  usage: '--batch B',
  help: ['  --batch B                  the batch id'],
  options: { batch: { type: 'string' } },
  positionals: { min: 0, max: 0 },
  access: 'write',
  async run(args, io) {
    const batch = requireString(args, 'batch');
    const { withStation } = await import('../open');
    return withStation(args, io, async (s) => {
      const r = await s.core.ceremony.seal(s.cliContext, batch);
      return {
        json: { batch, kcv: r.batch.kcv, sealed: true },
        text: `Batch ${batch} sealed: its root key can no longer leave this HSM (KCV ${r.batch.kcv})`,
      };
    });
  },
};

/** Every `gwjs hsm` command. */
export const HSM_COMMANDS: readonly Command[] = [
  hsmStatusCommand,
  hsmTransportKeyCommand,
  hsmExportCommand,
  hsmImportCommand,
  hsmTranscriptCommand,
  hsmBackupCommand,
  hsmRestoreCommand,
  hsmSealCommand,
];
