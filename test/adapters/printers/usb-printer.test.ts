import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PrinterError } from '../../../src-main/adapters/printers/printer-error';
import {
  UsbPrinter,
  scanUsbPrinters,
  type UsbBackend,
  type UsbDeviceLike,
} from '../../../src-main/adapters/printers/usb-printer';
import type { UsbConfigurationDescriptor } from '../../../src-main/adapters/printers/usb-printer-descriptor';

const SYSFS = '/sys/bus/usb/devices';

// Any unhandled rejection during these tests is a failure (the `usb` package is known to raise them
// where USB is missing, and that kills Node).
const unhandled: unknown[] = [];
const onUnhandled = (e: unknown) => unhandled.push(e);
beforeEach(() => {
  unhandled.length = 0;
  process.on('unhandledRejection', onUnhandled);
});
afterEach(async () => {
  await new Promise((r) => setTimeout(r, 50));
  process.off('unhandledRejection', onUnhandled);
  expect(unhandled).toEqual([]);
});

describe('UsbPrinter where USB is missing', () => {
  it('reports the "no USB printer" state on this machine instead of crashing', async () => {
    const state = await new UsbPrinter().availability();
    if (!existsSync(SYSFS)) {
      expect(state).toEqual({
        available: false,
        reason: 'no USB printer',
        detail: `USB is not available on this machine (${SYSFS} is missing)`,
      });
    } else {
      // a workstation with USB: either a printer is attached or the same clear state comes back
      expect(state.available || (state as { reason: string }).reason === 'no USB printer').toBe(true);
    }
  });

  it('guards on the sysfs folder before touching the native module', async () => {
    const scan = await scanUsbPrinters({ sysfsPath: '/nonexistent/usb/devices' });
    if (process.platform === 'linux') {
      expect(scan).toEqual({
        available: false,
        reason: 'no USB printer',
        detail: 'USB is not available on this machine (/nonexistent/usb/devices is missing)',
      });
    } else {
      expect(scan.available === false ? scan.reason : 'found').toMatch(/no USB printer|found/);
    }
  });

  it('catches the real `usb` package failing (guard passed, getDevices rejects) and keeps the clear state', async () => {
    // point the guard at a folder that exists so the real usb.getDevices() runs
    const scan = await scanUsbPrinters({ sysfsPath: tmpdir() });
    if (scan.available) {
      expect(scan.printers.length).toBeGreaterThan(0);
    } else {
      expect(scan.reason).toBe('no USB printer');
      expect(scan.detail).toMatch(/^(USB is not available: |no printer-class USB device among \d+ attached)/);
    }
  });

  it('rejects a print job with a PrinterError saying "no USB printer", and nothing goes unhandled', async () => {
    const printer = new UsbPrinter({ sysfsPath: '/nonexistent/usb/devices' });
    for (let i = 0; i < 3; i++) {
      const e = await printer.send(new Uint8Array([0x5e])).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(PrinterError);
      expect((e as PrinterError).code).toBe('printer_unavailable');
      expect((e as PrinterError).message).toMatch(/^no USB printer: /);
    }
  });
});

/**
 * A printer at the WebUSB boundary (what `usb` 3.x hands us), recording every call. The hardware
 * cannot run here; this checks our side of the conversation.
 */
class RecordingDevice implements UsbDeviceLike {
  vendorId = 0x0a5f;
  productId = 0x0185;
  productName = 'ZD421';
  serialNumber = 'D4J000001';
  calls: string[] = [];
  received: Uint8Array[] = [];
  opened = false;
  configuration: UsbConfigurationDescriptor | null = null;
  fail: { claim?: Error; hang?: boolean; short?: boolean } = {};
  constructor(readonly configurations: UsbConfigurationDescriptor[]) {}
  async open() {
    this.calls.push('open');
    this.opened = true;
  }
  async close() {
    this.calls.push('close');
    this.opened = false;
  }
  async selectConfiguration(v: number) {
    this.calls.push(`selectConfiguration ${v}`);
    this.configuration = this.configurations.find((c) => c.configurationValue === v) ?? null;
  }
  async detachKernelDriver(n: number) {
    this.calls.push(`detachKernelDriver ${n}`);
  }
  async attachKernelDriver(n: number) {
    this.calls.push(`attachKernelDriver ${n}`);
  }
  async claimInterface(n: number) {
    this.calls.push(`claimInterface ${n}`);
    if (this.fail.claim) throw this.fail.claim;
  }
  async releaseInterface(n: number) {
    this.calls.push(`releaseInterface ${n}`);
  }
  async selectAlternateInterface(n: number, a: number) {
    this.calls.push(`selectAlternateInterface ${n} ${a}`);
  }
  async transferOut(ep: number, data: Uint8Array) {
    this.calls.push(`transferOut ${ep} ${data.byteLength}`);
    if (this.fail.hang) return new Promise<never>(() => undefined);
    this.received.push(data.slice());
    return { bytesWritten: this.fail.short ? data.byteLength - 1 : data.byteLength, status: 'ok' };
  }
}

const zebraConfig: UsbConfigurationDescriptor[] = [
  {
    configurationValue: 1,
    interfaces: [
      {
        interfaceNumber: 0,
        alternates: [
          {
            alternateSetting: 0,
            interfaceClass: 7,
            interfaceSubclass: 1,
            interfaceProtocol: 2,
            endpoints: [
              { endpointNumber: 1, direction: 'out', type: 'bulk', packetSize: 512 },
              { endpointNumber: 2, direction: 'in', type: 'bulk', packetSize: 512 },
            ],
          },
        ],
      },
    ],
  },
];
const backendOf = (...devices: UsbDeviceLike[]): UsbBackend => ({ getDevices: async () => devices });

describe('UsbPrinter at its boundary', () => {
  it('lists printer-class devices with their endpoint and ignores the rest', async () => {
    const zebra = new RecordingDevice(zebraConfig);
    const hub = new RecordingDevice([]);
    hub.productName = 'Hub';
    const scan = await scanUsbPrinters({ backend: backendOf(hub, zebra) });
    expect(scan).toEqual({
      available: true,
      printers: [
        {
          vendorId: 0x0a5f,
          productId: 0x0185,
          name: 'ZD421 (0a5f:0185)',
          serialNumber: 'D4J000001',
          endpoint: {
            configurationValue: 1,
            interfaceNumber: 0,
            alternateSetting: 0,
            protocol: 2,
            endpointNumber: 1,
            packetSize: 512,
          },
        },
      ],
    });
    expect(await new UsbPrinter({ backend: backendOf(hub) }).availability()).toEqual({
      available: false,
      reason: 'no USB printer',
      detail: 'no printer-class USB device among 1 attached device(s)',
    });
    expect(
      await new UsbPrinter({ backend: backendOf(zebra), vendorId: 0x1234, productId: 1 }).availability(),
    ).toMatchObject({
      available: false,
      detail: 'no printer-class USB device matching 1234:0001 among 1 attached device(s)',
    });
  });

  it('opens, configures, detaches the kernel driver, claims, writes the job in bulk chunks, then cleans up', async () => {
    const zebra = new RecordingDevice(zebraConfig);
    const job = new Uint8Array(20_000).map((_, i) => (i * 7) & 0xff);
    const result = await new UsbPrinter({ backend: backendOf(zebra) }).send(job);
    expect(result).toEqual({ bytesSent: 20_000 });
    expect(zebra.calls).toEqual([
      'open',
      'selectConfiguration 1',
      'detachKernelDriver 0',
      'claimInterface 0',
      'transferOut 1 16384',
      'transferOut 1 3616',
      'releaseInterface 0',
      'attachKernelDriver 0',
      'close',
    ]);
    expect(Buffer.concat(zebra.received).equals(Buffer.from(job))).toBe(true);
  });

  it('turns a busy interface into a clear I/O error and still closes the device', async () => {
    const zebra = new RecordingDevice(zebraConfig);
    zebra.fail.claim = new Error('LIBUSB_ERROR_BUSY');
    const e = (await new UsbPrinter({ backend: backendOf(zebra) })
      .send(new Uint8Array(10))
      .catch((x: unknown) => x)) as PrinterError;
    expect(e).toBeInstanceOf(PrinterError);
    expect(e.code).toBe('printer_io');
    expect(e.message).toBe('USB printer ZD421 (0a5f:0185): claim interface 0 failed: LIBUSB_ERROR_BUSY');
    expect(zebra.calls.slice(-2)).toEqual(['attachKernelDriver 0', 'close']);
    expect(zebra.calls).not.toContain('releaseInterface 0');
  });

  it('times out a transfer the printer never completes', async () => {
    const zebra = new RecordingDevice(zebraConfig);
    zebra.fail.hang = true;
    const e = (await new UsbPrinter({ backend: backendOf(zebra), timeoutMs: 100 })
      .send(new Uint8Array(10))
      .catch((x: unknown) => x)) as PrinterError;
    expect(e.code).toBe('printer_timeout');
    expect(e.message).toBe(
      'USB printer ZD421 (0a5f:0185) took no data for 100 ms (bulk OUT to endpoint 1 at byte 0)',
    );
    expect(zebra.calls.at(-1)).toBe('close');
  });

  it('reports a short write', async () => {
    const zebra = new RecordingDevice(zebraConfig);
    zebra.fail.short = true;
    const e = (await new UsbPrinter({ backend: backendOf(zebra) })
      .send(new Uint8Array(10))
      .catch((x: unknown) => x)) as PrinterError;
    expect(e.code).toBe('printer_io');
    expect(e.message).toMatch(/wrote 9 of 10 bytes/);
  });
});
