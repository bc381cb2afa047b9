/**
 * `gwjs personalize` (SPEC §5, §7): derives a gateway's secrets through the HSM and writes its
 * factory bundle to `DIR/<16-hex EUI>/` with the factory line's writer: files holding secrets
 * (gateway.json with the GMK, the cups keys) mode 0600, the folder 0700, flushed to disk. Once the
 * bundle is on disk, its audit entry commits — and, while the station has a remote link, its
 * factory record (`personalized`, this host as the station) in the same transaction
 * (docs/sync.md "Factory records"), pushed by the next sync round.
 */
import { hostname } from 'node:os';
import path from 'node:path';
import { parseIdField } from '../../../src-shared/ids';
import { optionalString, requireString, UsageError, type Command } from '../command';
import { isLoopbackUri } from '../../../src-shared/uri';
/** Values of `--auth`: how the bundle authenticates to CUPS (SPEC §3.1). */
const AUTH_MODES = ['token', 'client-cert'] as const;

export const personalizeCommand: Command = {
  name: 'personalize',
  summary: 'derive a gateway’s secrets and write its factory bundle (SPEC §5)',
  usage: '--gateway ID --out DIR [--cups-uri URI] [--auth token|client-cert]',
  help: [
    '  --gateway ID               the gateway (must lie in a batch)',
    '  --out DIR                  the bundle goes to DIR/<16-hex EUI>/',
    '  --cups-uri URI             CUPS URI to write (default: the batch’s, else this server’s)',
    '  --auth MODE                token (default: cups.key = Authorization header) or client-cert',
    '                             (cups.crt + cups.key: a client certificate from the station’s CA)',
    '  (with a station update-signing key, the bundle also gets its sig-0.key)',
    '  (with a remote link, the bundle’s factory record is queued for the remote: docs/sync.md)',
  ],
  options: {
    gateway: { type: 'string' },
    out: { type: 'string' },
    'cups-uri': { type: 'string' },
    auth: { type: 'string' },
  },
  positionals: { min: 0, max: 0 },
  access: 'write',
  async run(args, io) {
    const gateway = requireString(args, 'gateway');
    const out = path.resolve(requireString(args, 'out'));
    const flagUri = optionalString(args, 'cups-uri');
    const auth = optionalString(args, 'auth') ?? 'token';
    if (!(AUTH_MODES as readonly string[]).includes(auth)) {
      throw new UsageError(`--auth: "${auth}" is neither token nor client-cert`);
    }
    const eui = parseIdField(gateway, '--gateway');
    const [{ withStation }, { FolderBundleSink }, { bundleFileList }] = await Promise.all([
      import('../open'),
      import('../../adapters/factory/folder-bundle-sink'),
      import('../../core/factory-bundle'),
    ]);
    return withStation(args, io, async (s) => {
      const batch = await s.core.batches.findForEui(eui);
      const cupsUri = flagUri ?? batch?.cupsUri ?? s.cupsUri;
      if (isLoopbackUri(cupsUri)) {
        io.stderr(
          `gwjs: warning: the bundle carries the CUPS URI ${cupsUri}, which only this machine reaches — ` +
            'a real gateway cannot: give --cups-uri, `batch configure --cups-uri`, or init/serve --public-host\n',
        );
      }
      const sink = new FolderBundleSink();
      let dir = '';
      const bundle = await s.core.factory.personalize(s.cliContext, gateway, {
        cupsUri,
        trustPem: s.tls.caCertPem,
        auth: auth as (typeof AUTH_MODES)[number],
        station: hostname(),
        // on disk and flushed before the audit entry and the factory record commit
        write: async (b) => {
          ({ path: dir } = await sink.writeBundle({
            outDir: out,
            euiHex: b.eui,
            files: bundleFileList(b),
            zip: false,
            zipTime: 0,
          }));
          await sink.flush(out);
        },
      });
      const files = bundleFileList(bundle);
      return {
        json: {
          gateway: bundle.id6,
          eui: bundle.eui,
          pin: bundle.pin,
          bundle: dir,
          cupsUri,
          auth,
          ...(bundle.certificateFingerprint !== undefined
            ? { certificate: bundle.certificateFingerprint }
            : {}),
          files: files.map((f) => f.name),
        },
        text: [
          `Gateway ${bundle.id6} (${bundle.eui}) personalized.`,
          `Claim PIN: ${bundle.pin}`,
          `Bundle:    ${dir}`,
          `CUPS URI:  ${cupsUri}`,
        ].join('\n'),
      };
    });
  },
};
