/**
 * `gwjs cert issue | list | revoke` (SPEC §3.1 certificate mode): gateway TLS client certificates
 * from the station's local CA, bound to the gateway's EUI. `issue` writes the station files
 * `cups.crt` (PEM) and `cups.key` (PEM, SEC1 — mode 0600) to `DIR/<16-hex EUI>/` with the bundle
 * writer of `gwjs personalize`; the key is not kept anywhere else.
 */
import path from 'node:path';
import { optionalString, requireString, UsageError, type Command } from '../command';

export const certIssueCommand: Command = {
  name: 'cert issue',
  summary: 'issue a gateway TLS client certificate (cups.crt + cups.key) with the station’s CA',
  usage: '--gateway ID --out DIR [--days N]',
  help: [
    '  --gateway ID               the gateway (in a batch, or added)',
    '  --out DIR                  cups.crt and cups.key go to DIR/<16-hex EUI>/',
    '  --days N                   validity in days (default 3650)',
  ],
  options: { gateway: { type: 'string' }, out: { type: 'string' }, days: { type: 'string' } },
  positionals: { min: 0, max: 0 },
  access: 'write',
  async run(args, io) {
    const gateway = requireString(args, 'gateway');
    const out = path.resolve(requireString(args, 'out'));
    const daysText = optionalString(args, 'days');
    const days = daysText === undefined ? undefined : Number(daysText);
    if (days !== undefined && !(Number.isInteger(days) && days >= 1 && days <= 3650)) {
      throw new UsageError(`--days: "${daysText}" is not a whole number of days from 1 to 3650`);
    }
    const [{ withStation }, { FolderBundleSink }] = await Promise.all([
      import('../open'),
      import('../../adapters/factory/folder-bundle-sink'),
    ]);
    return withStation(args, io, async (s) => {
      const c = await s.core.clientCertificates.issue(s.cliContext, gateway, { days });
      const sink = new FolderBundleSink();
      const { path: dir } = await sink.writeBundle({
        outDir: out,
        euiHex: c.eui,
        files: [
          { name: 'cups.crt', data: c.certPem, secret: false },
          { name: 'cups.key', data: c.keyPem, secret: true },
        ],
        zip: false,
        zipTime: 0,
      });
      await sink.flush(out);
      return {
        json: { gateway: c.gateway, eui: c.eui, fingerprint: c.fingerprint, notAfter: c.notAfter, dir },
        text: [
          `Client certificate for ${c.gateway} (${c.eui}) written to ${dir} (cups.crt, cups.key).`,
          `SHA-256 fingerprint: ${c.fingerprint}`,
          `Valid until:         ${c.notAfter}`,
        ].join('\n'),
      };
    });
  },
};

export const certListCommand: Command = {
  name: 'cert list',
  summary: 'list the client certificates recorded for a gateway',
  usage: '--gateway ID',
  help: ['  --gateway ID               the gateway'],
  options: { gateway: { type: 'string' } },
  positionals: { min: 0, max: 0 },
  access: 'read',
  async run(args, io) {
    const gateway = requireString(args, 'gateway');
    const { askStation } = await import('../open');
    // read-only: while `gwjs serve` holds the store, the server answers (docs/cli.md)
    const r = await askStation(args, io, 'certificates', { gateway });
    return {
      json: r,
      text:
        r.certificates.length === 0
          ? `No certificate recorded for ${r.gateway}.`
          : r.certificates
              .map(
                (c) =>
                  `${c.fingerprint}  ${c.source.padEnd(6)}  until ${c.notAfter ?? '?'}  ${c.revokedAt === null ? 'valid' : `revoked ${c.revokedAt}`}`,
              )
              .join('\n'),
    };
  },
};

export const certRevokeCommand: Command = {
  name: 'cert revoke',
  summary: 'revoke a gateway’s client certificate (or all of them); CUPS then answers 403',
  usage: '--gateway ID [--fingerprint SHA256]',
  help: [
    '  --gateway ID               the gateway',
    '  --fingerprint SHA256       the certificate (64 hex, colons allowed); default: every recorded one',
  ],
  options: { gateway: { type: 'string' }, fingerprint: { type: 'string' } },
  positionals: { min: 0, max: 0 },
  access: 'write',
  async run(args, io) {
    const gateway = requireString(args, 'gateway');
    const fingerprint = optionalString(args, 'fingerprint');
    const { withStation } = await import('../open');
    return withStation(args, io, async (s) => {
      const r = await s.core.clientCertificates.revoke(s.cliContext, null, gateway, fingerprint);
      return {
        json: r,
        text:
          r.revoked.length === 0
            ? `Nothing new to revoke for ${r.gateway}.`
            : `Revoked for ${r.gateway}:\n${r.revoked.join('\n')}`,
      };
    });
  },
};
