/**
 * Raw TCP printing ("port 9100", HP JetDirect / Zebra raw): connect, write the job bytes, half-close,
 * and let the printer close. Every failure becomes a {@link PrinterError} that names the printer and
 * what to check; every phase has a deadline, so a dead printer never hangs the factory line.
 */
import { Socket } from 'node:net';
import type { PrintResult, PrinterAvailability, PrinterTransport } from '../../core/labels/printer-port';
import { PrinterError } from './printer-error';

/** Where and how patiently to print. */
interface Tcp9100Options {
  host: string;
  /** default 9100 */
  port?: number;
  /** deadline for the TCP connect, ms (default 3000) */
  connectTimeoutMs?: number;
  /** longest pause while the printer takes data, ms (default 10000) */
  idleTimeoutMs?: number;
  /** after our FIN, how long to wait for the printer to close before we drop the socket, ms (default 2000) */
  closeGraceMs?: number;
}

const describe = (o: Tcp9100Options) => `printer ${o.host}:${o.port ?? 9100}`;

function classify(e: NodeJS.ErrnoException, o: Tcp9100Options, phase: 'connect' | 'send'): PrinterError {
  const who = describe(o);
  switch (e.code) {
    case 'ECONNREFUSED':
      return new PrinterError(
        'printer_refused',
        `${who} refused the connection: is the printer on and is raw printing (port ${o.port ?? 9100}) enabled?`,
        { cause: e },
      );
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new PrinterError('printer_unreachable', `${who}: host name not found`, { cause: e });
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'EHOSTDOWN':
      return new PrinterError('printer_unreachable', `${who} is unreachable from this station (${e.code})`, {
        cause: e,
      });
    case 'ECONNRESET':
    case 'EPIPE':
      return new PrinterError(
        'printer_io',
        `${who} dropped the connection (${e.code}): is it busy with another client, or out of media?`,
        { cause: e },
      );
    default:
      return new PrinterError(
        'printer_io',
        `${who}: connection failed while ${phase === 'connect' ? 'connecting' : 'sending'} (${e.code ?? e.message})`,
        { cause: e },
      );
  }
}

/**
 * Sends one job and resolves once the bytes are handed to the network and the printer has closed
 * (or `closeGraceMs` passed after our half-close: some printers keep the socket open).
 * @throws PrinterError `printer_refused` | `printer_timeout` | `printer_unreachable` | `printer_io`.
 */
export function sendTcp9100(data: Uint8Array, options: Tcp9100Options): Promise<PrintResult> {
  const port = options.port ?? 9100;
  const connectTimeoutMs = options.connectTimeoutMs ?? 3000;
  const idleTimeoutMs = options.idleTimeoutMs ?? 10_000;
  const closeGraceMs = options.closeGraceMs ?? 2000;
  const who = describe(options);
  return new Promise<PrintResult>((resolve, reject) => {
    const socket = new Socket();
    let phase: 'connect' | 'send' | 'closing' = 'connect';
    let settled = false;
    const timers: NodeJS.Timeout[] = [];
    const finish = (err?: PrinterError) => {
      if (settled) return;
      settled = true;
      for (const t of timers) clearTimeout(t);
      socket.setTimeout(0);
      socket.destroy();
      if (err) reject(err);
      else resolve({ bytesSent: data.byteLength });
    };
    timers.push(
      setTimeout(
        () =>
          phase === 'connect' &&
          finish(
            new PrinterError(
              'printer_timeout',
              `${who} did not accept a connection within ${connectTimeoutMs} ms`,
            ),
          ),
        connectTimeoutMs,
      ),
    );
    socket.on('error', (e: NodeJS.ErrnoException) =>
      finish(classify(e, options, phase === 'connect' ? 'connect' : 'send')),
    );
    socket.on('timeout', () => {
      if (phase === 'send') {
        finish(new PrinterError('printer_timeout', `${who} stopped taking data for ${idleTimeoutMs} ms`));
      }
    });
    socket.on('close', () => {
      if (phase === 'closing') finish();
      else if (!settled)
        finish(new PrinterError('printer_io', `${who} closed the connection before the job was sent`));
    });
    socket.on('data', () => {
      // printers may answer status bytes on this channel; they are not part of the job
    });
    socket.connect({ host: options.host, port }, () => {
      phase = 'send';
      socket.setTimeout(idleTimeoutMs);
      socket.end(data, () => {
        phase = 'closing';
        timers.push(setTimeout(() => finish(), closeGraceMs));
      });
    });
  });
}

/**
 * Checks that something accepts TCP connections at the printer's address, without printing.
 * Never throws.
 */
export async function probeTcp9100(options: Tcp9100Options): Promise<PrinterAvailability> {
  const port = options.port ?? 9100;
  const timeoutMs = options.connectTimeoutMs ?? 3000;
  return new Promise<PrinterAvailability>((resolve) => {
    const socket = new Socket();
    const done = (a: PrinterAvailability) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(a);
    };
    const timer = setTimeout(
      () => done({ available: false, reason: `${describe(options)} did not answer within ${timeoutMs} ms` }),
      timeoutMs,
    );
    socket.on('error', (e: NodeJS.ErrnoException) =>
      done({ available: false, reason: classify(e, options, 'connect').message }),
    );
    socket.connect({ host: options.host, port }, () =>
      done({ available: true, detail: `raw TCP printer at ${options.host}:${port}` }),
    );
  });
}

/** A network printer taking raw jobs on TCP port 9100 (the Printer port). */
export class Tcp9100Printer implements PrinterTransport {
  readonly kind = 'tcp9100' as const;
  constructor(private readonly options: Tcp9100Options) {}

  availability(): Promise<PrinterAvailability> {
    return probeTcp9100(this.options);
  }

  send(data: Uint8Array): Promise<PrintResult> {
    return sendTcp9100(data, this.options);
  }
}
