/**
 * USB printing through the `usb` package 3.x (WebUSB-style API): find a printer-class device, claim
 * its printer interface and write the job to the bulk OUT endpoint. Where USB is missing (containers,
 * CI: no /sys/bus/usb/devices) or the native module cannot load, every call degrades to the state
 * `{ available: false, reason: 'no USB printer' }` — never a crash, never an unhandled rejection
 * (no hot-plug listener is ever registered; STACK.md "usb 3.x").
 */
import { existsSync } from 'node:fs';
import type { PrintResult, PrinterAvailability, PrinterTransport } from '../../core/labels/printer-port';
import { PrinterError } from './printer-error';
import {
  chunkForBulk,
  selectPrinterEndpoint,
  type PrinterEndpoint,
  type UsbConfigurationDescriptor,
} from './usb-printer-descriptor';

/** The part of a WebUSB `USBDevice` (as `usb` 3.x implements it) that printing uses. */
export interface UsbDeviceLike {
  vendorId: number;
  productId: number;
  readonly productName?: string | null | undefined;
  readonly serialNumber?: string | null | undefined;
  readonly configuration?: UsbConfigurationDescriptor | null | undefined;
  readonly configurations: readonly UsbConfigurationDescriptor[];
  readonly opened: boolean;
  open(): Promise<void>;
  close(): Promise<void>;
  selectConfiguration(configurationValue: number): Promise<void>;
  claimInterface(interfaceNumber: number): Promise<void>;
  releaseInterface(interfaceNumber: number): Promise<void>;
  selectAlternateInterface(interfaceNumber: number, alternateSetting: number): Promise<void>;
  transferOut(endpointNumber: number, data: Uint8Array): Promise<{ bytesWritten: number; status?: string }>;
  /** Linux: the kernel's usblp driver holds printer interfaces until detached */
  detachKernelDriver?(interfaceNumber: number): Promise<void>;
  attachKernelDriver?(interfaceNumber: number): Promise<void>;
}

/** Lists attached devices (the `usb` package's `usb.getDevices()`). */
export interface UsbBackend {
  getDevices(): Promise<readonly UsbDeviceLike[]>;
}

/** A printer found on USB. */
interface UsbPrinterInfo {
  vendorId: number;
  productId: number;
  /** product name and `vvvv:pppp` ids, for the operator */
  name: string;
  serialNumber?: string;
  endpoint: PrinterEndpoint;
}

/** What a USB scan found: printers, or why there are none. */
type UsbPrinterScan =
  | { available: true; printers: UsbPrinterInfo[] }
  | { available: false; reason: 'no USB printer'; detail: string };

/** Which printer to use (first printer-class device when nothing is given) and how. */
interface UsbPrinterOptions {
  vendorId?: number;
  productId?: number;
  serialNumber?: string;
  /** per bulk transfer, ms (default 10000) */
  timeoutMs?: number;
  /** where devices come from; default: the `usb` package, loaded on first use */
  backend?: UsbBackend;
  /** Linux sysfs folder whose absence means "no USB here" (default /sys/bus/usb/devices) */
  sysfsPath?: string;
}

const NO_PRINTER = 'no USB printer' as const;
const hex4 = (n: number) => n.toString(16).padStart(4, '0');

/** Loads the `usb` package's default WebUSB object; rejects when the native module cannot load. */
async function defaultBackend(): Promise<UsbBackend> {
  const mod = await import('usb');
  const usb = mod.usb ?? (mod as unknown as { default: typeof mod }).default.usb;
  return { getDevices: async () => (await usb.getDevices()) as unknown as readonly UsbDeviceLike[] };
}

function safe<T>(get: () => T): T | undefined {
  try {
    return get();
  } catch {
    return undefined;
  }
}

function describeDevice(d: UsbDeviceLike): string {
  const product = safe(() => d.productName) ?? 'USB printer';
  return `${product} (${hex4(d.vendorId)}:${hex4(d.productId)})`;
}

function configurationsOf(d: UsbDeviceLike): UsbConfigurationDescriptor[] {
  const all = safe(() => d.configurations) ?? [];
  const active = safe(() => d.configuration) ?? undefined;
  // the active configuration first, so a device already configured is not switched
  return active
    ? [active, ...all.filter((c) => c.configurationValue !== active.configurationValue)]
    : [...all];
}

const errText = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** Lists printer-class USB devices that take raw jobs. Never throws. */
export async function scanUsbPrinters(options: UsbPrinterOptions = {}): Promise<UsbPrinterScan> {
  const sysfs = options.sysfsPath ?? '/sys/bus/usb/devices';
  if (options.backend === undefined && process.platform === 'linux' && !existsSync(sysfs)) {
    return {
      available: false,
      reason: NO_PRINTER,
      detail: `USB is not available on this machine (${sysfs} is missing)`,
    };
  }
  let devices: readonly UsbDeviceLike[];
  try {
    const backend = options.backend ?? (await defaultBackend());
    devices = await backend.getDevices();
  } catch (e) {
    return { available: false, reason: NO_PRINTER, detail: `USB is not available: ${errText(e)}` };
  }
  const printers: UsbPrinterInfo[] = [];
  for (const d of devices) {
    const endpoint = selectPrinterEndpoint(configurationsOf(d));
    if (!endpoint) continue;
    if (options.vendorId !== undefined && d.vendorId !== options.vendorId) continue;
    if (options.productId !== undefined && d.productId !== options.productId) continue;
    const serial = safe(() => d.serialNumber) ?? undefined;
    if (options.serialNumber !== undefined && serial !== options.serialNumber) continue;
    const info: UsbPrinterInfo = {
      vendorId: d.vendorId,
      productId: d.productId,
      name: describeDevice(d),
      endpoint,
    };
    if (serial) info.serialNumber = serial;
    printers.push(info);
  }
  if (printers.length === 0) {
    const which =
      options.vendorId !== undefined
        ? ` matching ${hex4(options.vendorId)}:${hex4(options.productId ?? 0)}`
        : '';
    return {
      available: false,
      reason: NO_PRINTER,
      detail: `no printer-class USB device${which} among ${devices.length} attached device(s)`,
    };
  }
  return { available: true, printers };
}

/** Runs `p` with a deadline; the late outcome of `p` is swallowed so it can never go unhandled. */
function withTimeout<T>(p: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  p.catch(() => undefined);
  return Promise.race([
    p,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(onTimeout()), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** A USB printer-class printer taking raw jobs (the Printer port). */
export class UsbPrinter implements PrinterTransport {
  readonly kind = 'usb' as const;
  constructor(private readonly options: UsbPrinterOptions = {}) {}

  /** `{available: false, reason: 'no USB printer', detail}` when USB or a printer is missing. */
  async availability(): Promise<PrinterAvailability> {
    const scan = await scanUsbPrinters(this.options);
    if (!scan.available) return scan;
    return { available: true, detail: `${scan.printers[0]!.name} on USB` };
  }

  /**
   * Sends one job to the first matching printer: open, select configuration, detach the kernel
   * driver where one holds the interface (Linux usblp), claim, bulk OUT in chunks, release, re-attach,
   * close.
   * @throws PrinterError `printer_unavailable` (no USB / no printer), `printer_timeout`, `printer_io`.
   */
  async send(data: Uint8Array): Promise<PrintResult> {
    const timeoutMs = this.options.timeoutMs ?? 10_000;
    const scan = await scanUsbPrinters(this.options);
    if (!scan.available) throw new PrinterError('printer_unavailable', `${scan.reason}: ${scan.detail}`);
    const target = scan.printers[0]!;
    const backend = this.options.backend ?? (await defaultBackend());
    const device = (await backend.getDevices()).find(
      (d) =>
        d.vendorId === target.vendorId &&
        d.productId === target.productId &&
        (target.serialNumber === undefined || safe(() => d.serialNumber) === target.serialNumber),
    );
    if (!device) throw new PrinterError('printer_unavailable', `${NO_PRINTER}: ${target.name} was unplugged`);
    const ep = target.endpoint;
    const who = `USB printer ${target.name}`;
    let step = 'open';
    let claimed = false;
    let detached = false;
    try {
      if (!device.opened) await device.open();
      step = 'select configuration';
      if (safe(() => device.configuration?.configurationValue) !== ep.configurationValue) {
        await device.selectConfiguration(ep.configurationValue);
      }
      if (device.detachKernelDriver) {
        try {
          await device.detachKernelDriver(ep.interfaceNumber);
          detached = true;
        } catch {
          // no kernel driver bound (or not Linux): nothing to detach
        }
      }
      step = `claim interface ${ep.interfaceNumber}`;
      await device.claimInterface(ep.interfaceNumber);
      claimed = true;
      if (ep.alternateSetting !== 0) {
        step = `select alternate setting ${ep.alternateSetting}`;
        await device.selectAlternateInterface(ep.interfaceNumber, ep.alternateSetting);
      }
      let sent = 0;
      for (const chunk of chunkForBulk(data, ep.packetSize)) {
        step = `bulk OUT to endpoint ${ep.endpointNumber} at byte ${sent}`;
        const r = await withTimeout(
          device.transferOut(ep.endpointNumber, chunk),
          timeoutMs,
          () => new PrinterError('printer_timeout', `${who} took no data for ${timeoutMs} ms (${step})`),
        );
        if ((r.status !== undefined && r.status !== 'ok') || r.bytesWritten !== chunk.byteLength) {
          throw new PrinterError(
            'printer_io',
            `${who}: ${step} wrote ${r.bytesWritten} of ${chunk.byteLength} bytes (status ${r.status ?? '?'})`,
          );
        }
        sent += r.bytesWritten;
      }
      return { bytesSent: sent };
    } catch (e) {
      if (e instanceof PrinterError) throw e;
      throw new PrinterError('printer_io', `${who}: ${step} failed: ${errText(e)}`, { cause: e });
    } finally {
      if (claimed) await device.releaseInterface(ep.interfaceNumber).catch(() => undefined);
      if (detached && device.attachKernelDriver) {
        await device.attachKernelDriver(ep.interfaceNumber).catch(() => undefined);
      }
      await device.close().catch(() => undefined);
    }
  }
}
