import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, Socket, type AddressInfo, type Server } from 'node:net';
import { once } from 'node:events';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { buildLabelModel } from '../../../src-main/core/labels/label-model';
import { renderLabels } from '../../../src-main/adapters/printers/render';
import { PrinterError } from '../../../src-main/adapters/printers/printer-error';
import { Tcp9100Printer, probeTcp9100, sendTcp9100 } from '../../../src-main/adapters/printers/tcp9100';
import { bundledTemplate, randomGateways } from './helpers/label-fixtures';

/** A raw-TCP "printer" on 127.0.0.1:0 that records every job (bytes up to the client's FIN). */
class FakeZebra {
  readonly jobs: Buffer[] = [];
  private server: Server;
  constructor(
    private readonly behaviour: 'close-after-job' | 'keep-open' | 'never-read' | 'slam' = 'close-after-job',
  ) {
    this.server = createServer((sock) => {
      if (this.behaviour === 'slam') {
        sock.resetAndDestroy();
        return;
      }
      if (this.behaviour === 'never-read') {
        sock.pause();
        return;
      }
      const chunks: Buffer[] = [];
      sock.on('data', (c: Buffer) => chunks.push(c));
      sock.on('end', () => {
        this.jobs.push(Buffer.concat(chunks));
        if (this.behaviour === 'close-after-job') sock.end();
      });
      sock.on('error', () => undefined);
    });
  }
  async start(): Promise<number> {
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    return (this.server.address() as AddressInfo).port;
  }
  async stop(): Promise<void> {
    this.server.close();
    this.server.unref();
  }
}

const printers: FakeZebra[] = [];
afterEach(async () => {
  for (const p of printers.splice(0)) await p.stop();
});
async function startPrinter(
  b?: ConstructorParameters<typeof FakeZebra>[0],
): Promise<{ printer: FakeZebra; port: number }> {
  const printer = new FakeZebra(b);
  printers.push(printer);
  return { printer, port: await printer.start() };
}

/** A port nobody listens on: bind, read the number, close. */
async function closedPort(): Promise<number> {
  const s = createServer();
  s.listen(0, '127.0.0.1');
  await once(s, 'listening');
  const port = (s.address() as AddressInfo).port;
  s.close();
  await once(s, 'close');
  return port;
}

async function rejection(p: Promise<unknown>): Promise<PrinterError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof PrinterError) return e;
    throw e;
  }
  throw new Error('the send succeeded');
}

describe('sendTcp9100', () => {
  it('delivers exactly the ZPL bytes of a multi-label job to a raw TCP printer', async () => {
    const { printer, port } = await startPrinter();
    const models = randomGateways(5).map(buildLabelModel);
    const zpl = await renderLabels(models, bundledTemplate('default-50x30'), 'zpl');
    const result = await sendTcp9100(zpl, { host: '127.0.0.1', port });
    expect(result).toEqual({ bytesSent: zpl.byteLength });
    expect(printer.jobs).toHaveLength(1);
    expect(printer.jobs[0]!.equals(Buffer.from(zpl))).toBe(true);
    expect(printer.jobs[0]!.toString('latin1').match(/\^XA/g)).toHaveLength(5);
  });

  it('sends a large job intact (back-pressure) and one job per connection', async () => {
    const { printer, port } = await startPrinter();
    const big = new Uint8Array(3 * 1024 * 1024).map((_, i) => (i * 31 + 7) & 0xff);
    const p = new Tcp9100Printer({ host: '127.0.0.1', port });
    await p.send(big);
    await p.send(new TextEncoder().encode('^XA^XZ\n'));
    expect(printer.jobs).toHaveLength(2);
    expect(printer.jobs[0]!.equals(Buffer.from(big))).toBe(true);
    expect(printer.jobs[1]!.toString()).toBe('^XA^XZ\n');
  });

  it('finishes when a printer keeps the socket open after the job', async () => {
    const { printer, port } = await startPrinter('keep-open');
    const t0 = Date.now();
    await sendTcp9100(new TextEncoder().encode('^XA^XZ'), { host: '127.0.0.1', port, closeGraceMs: 150 });
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(printer.jobs[0]!.toString()).toBe('^XA^XZ');
  });

  it('reports a refused connection clearly', async () => {
    const port = await closedPort();
    const e = await rejection(sendTcp9100(new Uint8Array([1]), { host: '127.0.0.1', port }));
    expect(e.code).toBe('printer_refused');
    expect(e.message).toBe(
      `printer 127.0.0.1:${port} refused the connection: is the printer on and is raw printing (port ${port}) enabled?`,
    );
  });

  it('reports a printer that stops taking data as a timeout', async () => {
    const { port } = await startPrinter('never-read');
    const job = new Uint8Array(64 * 1024 * 1024);
    const e = await rejection(sendTcp9100(job, { host: '127.0.0.1', port, idleTimeoutMs: 300 }));
    expect(e.code).toBe('printer_timeout');
    expect(e.message).toBe(`printer 127.0.0.1:${port} stopped taking data for 300 ms`);
  });

  it('reports a printer that drops the connection mid-job as an I/O error', async () => {
    const { port } = await startPrinter('slam');
    const e = await rejection(sendTcp9100(new Uint8Array(16 * 1024 * 1024), { host: '127.0.0.1', port }));
    expect(e.code).toBe('printer_io');
    expect(e.message).toMatch(
      new RegExp(
        `^printer 127\\.0\\.0\\.1:${port} (dropped the connection \\((ECONNRESET|EPIPE)\\)|closed the connection)`,
      ),
    );
  });

  it('reports an unknown host name', async () => {
    const e = await rejection(sendTcp9100(new Uint8Array([1]), { host: 'printer.invalid', port: 9100 }));
    expect(['printer_unreachable', 'printer_timeout']).toContain(e.code);
    expect(e.message).toMatch(/^printer printer\.invalid:9100/);
  });
});

describe('sendTcp9100 connect timeout', () => {
  // A listener in another process whose event loop is blocked: the kernel fills its accept queue
  // (backlog 1) and then drops SYNs, so a further connect neither succeeds nor fails — a hung printer.
  let child: ChildProcess | undefined;
  const fillers: Socket[] = [];
  afterAll(() => {
    for (const s of fillers) s.destroy();
    child?.kill('SIGKILL');
  });

  it('gives up after connectTimeoutMs with a clear message', async () => {
    child = spawn(process.execPath, [
      '-e',
      `const s = require('node:net').createServer();
       s.listen({ port: 0, host: '127.0.0.1', backlog: 1 }, () => {
         process.stdout.write(s.address().port + '\\n', () =>
           Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 30000));
       });`,
    ]);
    const [line] = (await once(child.stdout!, 'data')) as [Buffer];
    const port = Number(line.toString().trim());
    for (let i = 0; i < 4; i++) {
      const s = new Socket();
      s.on('error', () => undefined);
      s.connect(port, '127.0.0.1');
      fillers.push(s);
    }
    await new Promise((r) => setTimeout(r, 200));
    const t0 = Date.now();
    const e = await rejection(
      sendTcp9100(new Uint8Array([1]), { host: '127.0.0.1', port, connectTimeoutMs: 400 }),
    );
    expect(e.code).toBe('printer_timeout');
    expect(e.message).toBe(`printer 127.0.0.1:${port} did not accept a connection within 400 ms`);
    expect(Date.now() - t0).toBeLessThan(3000);
  });
});

describe('probeTcp9100', () => {
  it('says a listening printer is available and a closed port is not, without throwing', async () => {
    const { printer, port } = await startPrinter();
    expect(await new Tcp9100Printer({ host: '127.0.0.1', port }).availability()).toEqual({
      available: true,
      detail: `raw TCP printer at 127.0.0.1:${port}`,
    });
    const closed = await closedPort();
    expect(await probeTcp9100({ host: '127.0.0.1', port: closed })).toEqual({
      available: false,
      reason: `printer 127.0.0.1:${closed} refused the connection: is the printer on and is raw printing (port ${closed}) enabled?`,
    });
    // probing prints nothing
    expect(printer.jobs.every((j) => j.length === 0)).toBe(true);
  });
});
