/**
 * `gwjs personalize` (SPEC §5, §7): derives a gateway's secrets through the HSM and writes its
 * factory bundle to `DIR/<16-hex EUI>/`. Files holding secrets (gateway.json with the GMK, the
 * cups keys) are written mode 0600.
 */
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { euiHex, parseIdField } from '../../../src-shared/ids';
import { optionalString, requireString, UsageError, type Command } from '../command';

/** Bundle files that carry secrets. */
const SECRET_FILES = new Set(['gateway.json', 'cups.key', 'cups-boot.key']);
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
  ],
  options: {
    gateway: { type: 'string' },
    out: { type: 'string' },
    'cups-uri': { type: 'string' },
    auth: { type: 'string' },
  },
  positionals: { min: 0, max: 0 },
  async run(args, io) {
    const gateway = requireString(args, 'gateway');
    const out = path.resolve(requireString(args, 'out'));
    const flagUri = optionalString(args, 'cups-uri');
    const auth = optionalString(args, 'auth') ?? 'token';
    if (!(AUTH_MODES as readonly string[]).includes(auth)) {
      throw new UsageError(`--auth: "${auth}" is neither token nor client-cert`);
    }
    const eui = parseIdField(gateway, '--gateway');
    const { withStation } = await import('../open');
    return withStation(args, io, async (s) => {
      const batch = await s.core.batches.findForEui(eui);
      const cupsUri = flagUri ?? batch?.cupsUri ?? s.cupsUri;
      const bundle = await s.core.factory.personalize(s.cliContext, gateway, {
        cupsUri,
        trustPem: s.tls.caCertPem,
        auth: auth as (typeof AUTH_MODES)[number],
      });
      const dir = path.join(out, euiHex(eui));
      await mkdir(dir, { recursive: true, mode: 0o700 });
      for (const [name, content] of Object.entries(bundle.files)) {
        const file = path.join(dir, name);
        const mode = SECRET_FILES.has(name) ? 0o600 : 0o644;
        await writeFile(file, content, { mode });
        await chmod(file, mode);
      }
      for (const [name, content] of Object.entries(bundle.binaryFiles ?? {})) {
        await writeFile(path.join(dir, name), content, { mode: 0o644 });
        await chmod(path.join(dir, name), 0o644);
      }
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
          files: [...Object.keys(bundle.files), ...Object.keys(bundle.binaryFiles ?? {})].sort(),
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
