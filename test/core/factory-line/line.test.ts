import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { RequestContext } from '../../../src-main/core/api';
import { bundleFileList } from '../../../src-main/core/factory-bundle';
import { KDF_VECTORS, OUTSIDE_ID } from '../../helpers/core-fixture';
import { makeTempDir } from '../../helpers/tmp-dir';
import { createLineFixture, type LineFixture } from './helpers/line-fixture';

const { gw1, gw2 } = KDF_VECTORS;
const QR1 = `GWJS:1:${gw1.hex}:${gw1.pin}`;
const QR2 = `GWJS:1:${gw2.hex}:${gw2.pin}`;

const operator = (name: string): RequestContext => ({
  principal: { kind: 'operator', id: name, ownerId: null, scopes: new Set(['admin']) },
  address: '192.0.2.7',
});

describe('FactoryLine', () => {
  let lf: LineFixture;
  afterEach(async () => lf?.close());

  it('personalizes a scanned MAC: bundle on disk, label printed over TCP 9100, unit recorded', async () => {
    lf = await createLineFixture();
    const r = await lf.line.line.scan(operator('olga'), {
      batchId: lf.fx.batch.id,
      input: ' 00:00:00:00:0a:bc\r\n',
    });

    expect(r.bundle.path).toBe(join(lf.outDir, gw1.hex));
    const gatewayJson = JSON.parse(readFileSync(join(r.bundle.path, 'gateway.json'), 'utf8')) as Record<
      string,
      string
    >;
    expect(gatewayJson).toMatchObject({
      eui: gw1.hex,
      id6: gw1.id6,
      claimPin: '6CVH-EQSA',
      batch: lf.fx.batch.id,
    });
    expect(readFileSync(join(r.bundle.path, 'cups.key'), 'utf8')).toBe(
      `Authorization: Bearer ${gw1.token0}\r\n`,
    );
    expect(statSync(join(r.bundle.path, 'gateway.json')).mode & 0o777).toBe(0o600);
    expect(statSync(join(r.bundle.path, 'cups.uri')).mode & 0o777).toBe(0o644);

    expect(r.print).toMatchObject({ status: 'printed' });
    await lf.printer.waitForJobs(1);
    const zpl = lf.printer.jobs[0]!.toString('latin1');
    expect(zpl).toMatch(/^\^XA/);
    expect(zpl).toContain(QR1);
    expect(zpl).toContain('00:00:00:0A:BC'); // the MAC the EUI came from
    expect(r.print.status === 'printed' && r.print.bytes).toBe(lf.printer.jobs[0]!.length);

    expect(r.unit).toMatchObject({
      gateway: gw1.id6,
      eui: gw1.eui,
      mac: '00:00:00:00:0A:BC',
      state: 'printed',
      personalizedBy: 'operator:olga',
      station: 'line-1',
      batch: lf.fx.batch.id,
      printCount: 1,
    });
    expect(r.counts).toEqual({ personalized: 1, printed: 1, verified: 0, blocked: 0 });
    expect(r.labelPng).toMatch(/^iVBORw0KGgo/); // PNG preview

    const { events } = await lf.line.line.unit(gw1.id6);
    expect(events.map((e) => e.event)).toEqual(['personalized', 'printed']);
    const audit = await lf.fx.core.audit.list(lf.fx.admin, { target: gw1.id6, action: 'personalize' });
    expect(audit[0]).toMatchObject({
      actor: 'operator:olga',
      detail: { batch: lf.fx.batch.id, station: 'line-1' },
    });
    expect(JSON.stringify(audit) + JSON.stringify(events)).not.toContain(gw1.pin);
  });

  it('writes the same bundle as core.factory.personalize, sig-0.key included, byte for byte', async () => {
    lf = await createLineFixture({ settings: { printer: { kind: 'none' } } });
    const key = await lf.fx.core.signingKeys.create(lf.fx.admin);
    const r = await lf.line.line.scan(lf.fx.admin, { batchId: lf.fx.batch.id, input: gw2.eui });
    const reference = await lf.fx.core.factory.personalize(lf.fx.admin, gw2.id6, {
      cupsUri: 'https://js.example.com:6041',
      trustPem: lf.fx.pki.caPem,
    });
    const files = bundleFileList(reference);
    expect(files.map((f) => f.name)).toContain('sig-0.key');
    expect(readdirSync(r.bundle.path).sort()).toEqual(files.map((f) => f.name));
    for (const { name, data } of files) {
      expect(new Uint8Array(readFileSync(join(r.bundle.path, name))), name).toEqual(
        typeof data === 'string' ? new TextEncoder().encode(data) : data,
      );
    }
    expect(new Uint8Array(readFileSync(join(r.bundle.path, 'sig-0.key')))).toEqual(key.publicKey);
    const audit = await lf.fx.core.audit.list(lf.fx.admin, { target: gw2.id6, action: 'personalize' });
    expect(audit.map((e) => e.detail.signingKeyCrc)).toEqual([key.keyCrc, key.keyCrc]);
    expect(r.print).toEqual({ status: 'skipped', message: 'no printer configured for this line' });
    expect(r.unit.state).toBe('personalized');
  });

  it('verifies a matching QR, blocks a mis-scanned label, and needs a reason to bring it back', async () => {
    lf = await createLineFixture();
    const batchId = lf.fx.batch.id;
    const ctx = operator('olga');
    await lf.line.line.scan(ctx, { batchId, input: gw1.hex });
    const ok = await lf.line.line.verify(ctx, { gateway: gw1.id6, scanned: `${QR1}\r\n` });
    expect(ok).toMatchObject({
      outcome: 'verified',
      unit: { state: 'verified', verifiedBy: 'operator:olga' },
    });

    await lf.line.line.scan(ctx, { batchId, input: gw2.eui });
    const bad = await lf.line.line.verify(ctx, { gateway: gw2.id6, scanned: QR1 }); // the neighbour's label
    expect(bad.outcome).toBe('mismatch');
    expect(bad.message).toContain('BLOCKED');
    expect(bad.unit).toMatchObject({ state: 'blocked', blockedReason: expect.stringContaining(gw1.id6) });
    expect(bad.counts).toEqual({ personalized: 2, printed: 1, verified: 1, blocked: 1 });
    const blocked = await lf.fx.core.audit.list(lf.fx.admin, { action: 'factory.unit.blocked' });
    expect(blocked[0]).toMatchObject({ target: gw2.id6, actor: 'operator:olga' });

    // a blocked unit goes nowhere: no verify, no reprint, no silent re-personalization
    await expect(lf.line.line.verify(ctx, { gateway: gw2.id6, scanned: QR2 })).rejects.toMatchObject({
      code: 'conflict',
    });
    await expect(lf.line.line.print(ctx, { gateway: gw2.id6, reason: 'try again' })).rejects.toMatchObject({
      code: 'conflict',
    });
    await expect(lf.line.line.scan(ctx, { batchId, input: gw2.eui })).rejects.toMatchObject({
      code: 'conflict',
      message: expect.stringContaining('needs a reason'),
    });

    const again = await lf.line.line.scan(ctx, {
      batchId,
      input: gw2.eui,
      reason: 'label mixed up at the printer',
    });
    expect(again.unit).toMatchObject({
      state: 'printed',
      personalizeCount: 2,
      repersonalizeReason: 'label mixed up at the printer',
    });
    const audited = await lf.fx.core.audit.list(lf.fx.admin, { action: 'factory.unit.repersonalize' });
    expect(audited[0]).toMatchObject({
      target: gw2.id6,
      detail: { reason: 'label mixed up at the printer', previousState: 'blocked' },
    });
    expect(await lf.line.line.verify(ctx, { gateway: gw2.id6, scanned: QR2 })).toMatchObject({
      outcome: 'verified',
    });

    const { events } = await lf.line.line.unit(gw2.id6);
    expect(events.map((e) => e.event)).toEqual([
      'personalized',
      'printed',
      'mismatch',
      'repersonalized',
      'printed',
      'verified',
    ]);
  });

  it('blocks a label whose PIN is wrong and refuses the barcode without blocking', async () => {
    lf = await createLineFixture();
    await lf.line.line.scan(lf.fx.admin, { batchId: lf.fx.batch.id, input: gw1.id6 });
    await expect(
      lf.line.line.verify(lf.fx.admin, { gateway: gw1.id6, scanned: gw1.hex }),
    ).rejects.toMatchObject({
      code: 'invalid_request',
      message: expect.stringContaining('scan the QR code'),
    });
    expect((await lf.line.line.unit(gw1.id6)).unit?.state).toBe('printed');
    const r = await lf.line.line.verify(lf.fx.admin, {
      gateway: gw1.id6,
      scanned: `GWJS:1:${gw1.hex}:6CVHEQSB`,
    });
    expect(r).toMatchObject({ outcome: 'mismatch', unit: { state: 'blocked' } });
    expect(r.unit.blockedReason).toContain('does not match the PIN derived through the HSM');
  });

  it('refuses a code that is not a GWJS label, and any scan while the label never printed, without blocking', async () => {
    lf = await createLineFixture();
    await lf.line.line.scan(lf.fx.admin, { batchId: lf.fx.batch.id, input: gw1.id6 });
    const garbage = lf.line.line.verify(lf.fx.admin, { gateway: gw1.id6, scanned: 'hello?!' });
    await expect(garbage).rejects.toMatchObject({
      code: 'invalid_request',
      attributes: { field: 'scanned' },
    });
    const message = await garbage.catch((e: Error) => e.message);
    expect(message).toMatch(/^scanned: not a GWJS label \(.*\); scan the QR code of the label of gateway/);
    expect(message).not.toMatch(/\.\./);
    expect((await lf.line.line.unit(gw1.id6)).unit?.state).toBe('printed');

    // the printer is gone: gw2's label never prints, so no scan can block gw2
    await lf.printer.close();
    await lf.line.line.scan(lf.fx.admin, { batchId: lf.fx.batch.id, input: gw2.id6 });
    await expect(lf.line.line.verify(lf.fx.admin, { gateway: gw2.id6, scanned: QR1 })).rejects.toMatchObject({
      code: 'invalid_request',
      message: expect.stringMatching(/has no printed label yet .*print it again/),
    });
    expect((await lf.line.line.unit(gw2.id6)).unit?.state).toBe('personalized');
    expect(await lf.fx.core.audit.list(lf.fx.admin, { action: 'factory.unit.blocked' })).toEqual([]);
  });

  it('line settings name a template the station has, else invalid_request naming template', async () => {
    lf = await createLineFixture();
    const names = (await lf.line.settings.templates()).map((t) => t.name);
    expect(names).toEqual(['default-50x30', 'small-40x20']);
    await expect(
      lf.line.settings.save(lf.fx.admin, { outDir: lf.outDir, template: 'bogus-label' }),
    ).rejects.toMatchObject({
      code: 'invalid_request',
      attributes: { field: 'template' },
      message: expect.stringContaining('template: "bogus-label" is not a label template of this station'),
    });
    expect(
      (await lf.line.settings.save(lf.fx.admin, { outDir: lf.outDir, template: 'small-40x20' })).settings
        .template,
    ).toBe('small-40x20');
  });

  it('refuses gateways outside the active batch, unreadable scans and a second personalization', async () => {
    lf = await createLineFixture();
    const batchId = lf.fx.batch.id;
    await expect(lf.line.line.scan(lf.fx.admin, { batchId, input: OUTSIDE_ID })).rejects.toMatchObject({
      code: 'invalid_request',
      message: expect.stringContaining('outside the active batch'),
    });
    await expect(lf.line.line.scan(lf.fx.admin, { batchId, input: 'hello' })).rejects.toMatchObject({
      code: 'invalid_id',
      message: expect.stringContaining('"hello" is not a gateway id'),
    });
    await expect(lf.line.line.scan(lf.fx.admin, { batchId: 'nope', input: gw1.hex })).rejects.toMatchObject({
      code: 'not_found',
    });
    await lf.line.line.scan(lf.fx.admin, { batchId, input: QR1 }); // a pre-printed label's QR names the gateway too
    await expect(lf.line.line.scan(lf.fx.admin, { batchId, input: gw1.hex })).rejects.toMatchObject({
      code: 'conflict',
    });
    expect(lf.printer.jobs.length).toBeLessThanOrEqual(1);
  });

  it('writes a zip and runs the post-write hook with the bundle path', async () => {
    lf = await createLineFixture({
      settings: {
        zip: true,
        hook: {
          command: '/bin/sh',
          args: ['-c', 'ls "$1" > "$1.files" && echo "flashed $GWJS_EUI from $1"', 'flash', '{bundle}'],
          timeoutMs: 10_000,
        },
      },
    });
    const r = await lf.line.line.scan(lf.fx.admin, { batchId: lf.fx.batch.id, input: gw1.hex });
    expect(r.hook).toMatchObject({ ok: true, exitCode: 0, timedOut: false });
    expect(r.hook!.output.trim()).toBe(`flashed ${gw1.hex} from ${r.bundle.path}`);
    expect(readFileSync(`${r.bundle.path}.files`, 'utf8').split('\n').filter(Boolean)).toHaveLength(8);
    expect(r.bundle.zipPath).toBe(join(lf.outDir, `${gw1.hex}.zip`));
    const listing = execFileSync('unzip', ['-Z1', r.bundle.zipPath!], { encoding: 'utf8' });
    expect(listing.split('\n').filter(Boolean).sort()).toEqual(
      [
        'cups-boot.key',
        'cups-boot.trust',
        'cups-boot.uri',
        'cups.key',
        'cups.trust',
        'cups.uri',
        'gateway.json',
        'station.conf',
      ].map((f) => `${gw1.hex}/${f}`),
    );
    expect(
      execFileSync('unzip', ['-p', r.bundle.zipPath!, `${gw1.hex}/cups.key`], { encoding: 'utf8' }),
    ).toBe(`Authorization: Bearer ${gw1.token0}\r\n`);
    expect(r.print.status).toBe('printed');
  });

  it('records a failing hook and does not print the label', async () => {
    lf = await createLineFixture({
      settings: {
        hook: {
          command: '/bin/sh',
          args: ['-c', 'echo no programmer attached >&2; exit 3'],
          timeoutMs: 10_000,
        },
      },
    });
    const r = await lf.line.line.scan(lf.fx.admin, { batchId: lf.fx.batch.id, input: gw1.hex });
    expect(r.hook).toMatchObject({ ok: false, exitCode: 3 });
    expect(r.hook!.output).toContain('no programmer attached');
    expect(r.print.status).toBe('skipped');
    expect(r.unit.state).toBe('personalized');
    expect(lf.printer.jobs).toHaveLength(0);
    const { events } = await lf.line.line.unit(gw1.hex);
    expect(events.map((e) => e.event)).toEqual(['personalized', 'hook_failed']);
  });

  it('records a failed print and prints on retry; a reprint needs a reason and is audited', async () => {
    lf = await createLineFixture();
    const dead = await createDeadPort();
    await lf.line.settings.save(lf.fx.admin, {
      ...(await lf.line.settings.get()).settings!,
      printer: { kind: 'tcp9100', host: '127.0.0.1', port: dead },
    });
    const r = await lf.line.line.scan(lf.fx.admin, { batchId: lf.fx.batch.id, input: gw1.hex });
    expect(r.print).toMatchObject({ status: 'failed', code: 'printer_refused' });
    expect(r.unit.state).toBe('personalized');

    await lf.line.settings.save(lf.fx.admin, {
      ...(await lf.line.settings.get()).settings!,
      printer: { kind: 'tcp9100', host: '127.0.0.1', port: lf.printer.port },
    });
    const retry = await lf.line.line.print(lf.fx.admin, { gateway: gw1.hex });
    expect(retry).toMatchObject({ print: { status: 'printed' }, unit: { state: 'printed', printCount: 1 } });
    await expect(lf.line.line.print(lf.fx.admin, { gateway: gw1.hex })).rejects.toMatchObject({
      code: 'conflict',
      message: expect.stringContaining('reprint needs a reason'),
    });
    const reprint = await lf.line.line.print(lf.fx.admin, { gateway: gw1.hex, reason: 'label smudged' });
    expect(reprint.unit).toMatchObject({ state: 'printed', printCount: 2 });
    await lf.printer.waitForJobs(2);
    expect(lf.printer.jobs[0]!.equals(lf.printer.jobs[1]!)).toBe(true);
    const audit = await lf.fx.core.audit.list(lf.fx.admin, { action: 'factory.label.reprint' });
    expect(audit[0]).toMatchObject({ target: gw1.id6, detail: { reason: 'label smudged', count: 2 } });
    const { events } = await lf.line.line.unit(gw1.hex);
    expect(events.map((e) => e.event)).toEqual(['personalized', 'print_failed', 'printed', 'reprinted']);
  });

  it('lets only an admin save line settings and refuses a station without them', async () => {
    lf = await createLineFixture();
    const factoryOnly: RequestContext = {
      principal: { kind: 'operator', id: 'fred', ownerId: null, scopes: new Set(['read']) },
    };
    await expect(
      lf.line.settings.save(factoryOnly, { outDir: '/tmp', printer: { kind: 'none' } }),
    ).rejects.toMatchObject({ code: 'forbidden' });
    await expect(lf.line.settings.save(lf.fx.admin, { outDir: '' })).rejects.toMatchObject({
      code: 'invalid_request',
      message: expect.stringContaining('outDir'),
    });
    await lf.fx.store.transaction((tx) => tx.run('DELETE FROM factory_line_settings'));
    await expect(
      lf.line.line.scan(lf.fx.admin, { batchId: lf.fx.batch.id, input: gw1.hex }),
    ).rejects.toMatchObject({
      code: 'not_configured',
    });
    expect(existsSync(join(lf.outDir, gw1.hex))).toBe(false);
  });
});

describe('FactoryLine output problems', () => {
  let lf: LineFixture;
  afterEach(async () => lf?.close());

  it('says which output folder could not be written instead of an internal error', async () => {
    const file = join(makeTempDir('not-a-folder'), 'file');
    writeFileSync(file, 'x');
    lf = await createLineFixture({ settings: { outDir: join(file, 'bundles'), printer: { kind: 'none' } } });
    await expect(
      lf.line.line.scan(lf.fx.admin, { batchId: lf.fx.batch.id, input: gw1.hex }),
    ).rejects.toMatchObject({
      code: 'not_configured',
      message: expect.stringMatching(
        /output folder ".*bundles": the bundle could not be written \(ENOTDIR\)/,
      ),
    });
    expect((await lf.line.line.unit(gw1.hex)).unit).toBeNull();
  });
});

/** A local port with nothing listening. */
async function createDeadPort(): Promise<number> {
  const { createServer } = await import('node:net');
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}
