/**
 * A real factory line for tests: the core fixture (sql.js store, software HSM, the batch imported
 * with the SPEC §2 vector key over a range holding both vector gateways), the factory-line services
 * with the real folder/zip writer, hook runner and template labels, a TCP 9100 printer simulated by
 * a local socket, and line settings pointing at a temp output folder.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { openFactoryLine, type FactoryLineWiring } from '../../../../src-main/compose/factory-line';
import type { FactoryLineServices } from '../../../../src-main/core/factory-line';
import type { LineSettingsInput } from '../../../../src-shared/factory-channels';
import { createCoreFixture, SERVER_CUPS_URI, type CoreFixture } from '../../../helpers/core-fixture';
import { makeTempDir } from '../../../helpers/tmp-dir';

/** A raw TCP printer on 127.0.0.1: every connection's bytes are one job. */
export interface PrinterSim {
  port: number;
  jobs: Buffer[];
  /** resolves once `n` jobs have arrived */
  waitForJobs(n: number): Promise<void>;
  close(): Promise<void>;
}

/** Starts a TCP 9100 printer simulator on a free port. */
export async function startPrinterSim(): Promise<PrinterSim> {
  const jobs: Buffer[] = [];
  const waiters: Array<{ n: number; resolve: () => void }> = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    const parts: Buffer[] = [];
    socket.on('data', (d: Buffer) => parts.push(d));
    socket.on('end', () => {
      jobs.push(Buffer.concat(parts));
      socket.end();
      for (const w of [...waiters]) {
        if (jobs.length >= w.n) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve();
        }
      }
    });
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('printer sim: no port');
  return {
    port: address.port,
    jobs,
    waitForJobs: (n) =>
      jobs.length >= n ? Promise.resolve() : new Promise((resolve) => waiters.push({ n, resolve })),
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** What {@link createLineFixture} returns. */
export interface LineFixture {
  fx: CoreFixture;
  line: FactoryLineServices;
  printer: PrinterSim;
  outDir: string;
  close(): Promise<void>;
}

/** Wires the line; `settings` override the fixture's (TCP printer sim, no zip, no hook). */
export async function createLineFixture(
  options: {
    settings?: Partial<LineSettingsInput>;
    wiring?: Partial<FactoryLineWiring>;
    station?: string;
  } = {},
): Promise<LineFixture> {
  // sql.js always: the pre-generation job tests reopen the data directory in a child process
  const fx = await createCoreFixture({ store: 'sqljs' });
  const printer = await startPrinterSim();
  const outDir = join(makeTempDir('line-out'), 'bundles');
  const line = openFactoryLine({
    store: fx.store,
    hsm: fx.hsm,
    core: fx.core,
    cupsUri: SERVER_CUPS_URI,
    caCertPem: fx.pki.caPem,
    station: options.station ?? 'line-1',
    clock: fx.clock,
    logger: fx.logger,
    ...options.wiring,
  });
  await line.settings.save(fx.admin, {
    outDir,
    zip: false,
    hook: null,
    printer: { kind: 'tcp9100', host: '127.0.0.1', port: printer.port },
    template: 'default-50x30',
    ...options.settings,
  });
  return {
    fx,
    line,
    printer,
    outDir,
    close: async () => {
      await line.close();
      await printer.close();
      await fx.close();
    },
  };
}
