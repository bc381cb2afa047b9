/**
 * The pure half of USB printing: finding the interface and endpoint a print job goes to in a device's
 * descriptors (USB Printer Class 1.1: interface class 0x07, subclass 0x01, a bulk OUT endpoint), and
 * cutting a job into bulk transfers. Shapes follow WebUSB (`USBConfiguration` …) as the `usb` 3.x
 * package exposes them, so descriptor fixtures test this without hardware.
 */

/** USB interface class of printers. */
const USB_CLASS_PRINTER = 0x07;
/** The only printer subclass (Printers). */
const USB_SUBCLASS_PRINTER = 0x01;
/**
 * Printer-class protocols we send raw page-description bytes (ZPL) to, best first: 2 bidirectional,
 * 1 unidirectional, 3 IEEE 1284.4. Protocol 4 is IPP-over-USB, which expects HTTP, not ZPL.
 */
export const RAW_PRINTER_PROTOCOLS: readonly number[] = [2, 1, 3];

/** An endpoint descriptor (WebUSB `USBEndpoint`). */
interface UsbEndpointDescriptor {
  endpointNumber: number;
  direction: 'in' | 'out';
  type: 'bulk' | 'interrupt' | 'isochronous';
  packetSize: number;
}

/** An alternate setting of an interface (WebUSB `USBAlternateInterface`). */
export interface UsbAlternateDescriptor {
  alternateSetting: number;
  interfaceClass: number;
  interfaceSubclass: number;
  interfaceProtocol: number;
  endpoints: readonly UsbEndpointDescriptor[];
}

/** An interface (WebUSB `USBInterface`). */
interface UsbInterfaceDescriptor {
  interfaceNumber: number;
  alternates: readonly UsbAlternateDescriptor[];
}

/** A configuration (WebUSB `USBConfiguration`). */
export interface UsbConfigurationDescriptor {
  configurationValue: number;
  interfaces: readonly UsbInterfaceDescriptor[];
}

/** Where a print job goes on one device. */
export interface PrinterEndpoint {
  configurationValue: number;
  interfaceNumber: number;
  alternateSetting: number;
  /** printer-class protocol of the chosen alternate (1, 2 or 3) */
  protocol: number;
  /** bulk OUT endpoint number (without the direction bit) */
  endpointNumber: number;
  packetSize: number;
}

/**
 * Picks the printer-class interface and bulk OUT endpoint for raw jobs: over all configurations (in
 * the order given; put the active one first), interfaces and alternate settings, the class-0x07 /
 * subclass-0x01 alternate with a bulk OUT endpoint whose protocol ranks best in
 * {@link RAW_PRINTER_PROTOCOLS}; ties go to the earliest. `undefined` when the device cannot take raw
 * jobs (no printer interface, only IPP-over-USB, or no bulk OUT endpoint).
 */
export function selectPrinterEndpoint(
  configurations: readonly UsbConfigurationDescriptor[],
): PrinterEndpoint | undefined {
  let best: { rank: number; ep: PrinterEndpoint } | undefined;
  for (const config of configurations) {
    for (const iface of config.interfaces) {
      for (const alt of iface.alternates) {
        if (alt.interfaceClass !== USB_CLASS_PRINTER || alt.interfaceSubclass !== USB_SUBCLASS_PRINTER)
          continue;
        const rank = RAW_PRINTER_PROTOCOLS.indexOf(alt.interfaceProtocol);
        if (rank < 0) continue;
        const out = alt.endpoints.find((e) => e.direction === 'out' && e.type === 'bulk');
        if (!out) continue;
        if (best === undefined || rank < best.rank) {
          best = {
            rank,
            ep: {
              configurationValue: config.configurationValue,
              interfaceNumber: iface.interfaceNumber,
              alternateSetting: alt.alternateSetting,
              protocol: alt.interfaceProtocol,
              endpointNumber: out.endpointNumber,
              packetSize: out.packetSize,
            },
          };
        }
      }
    }
  }
  return best?.ep;
}

/** True when any configuration offers a printer-class interface usable for raw jobs. */
export function isRawPrinter(configurations: readonly UsbConfigurationDescriptor[]): boolean {
  return selectPrinterEndpoint(configurations) !== undefined;
}

/** Default bulk transfer size: 16 KiB, a multiple of every bulk packet size (8 … 1024). */
export const USB_TRANSFER_BYTES = 16 * 1024;

/**
 * Cuts a job into bulk transfers of at most `maxBytes` (rounded down to a whole number of
 * `packetSize` packets so only the last transfer ends in a short packet). Views, no copies; their
 * concatenation is `data`. An empty job gives no transfers.
 * @throws RangeError for a non-positive packet size or a maximum smaller than one packet.
 */
export function chunkForBulk(
  data: Uint8Array,
  packetSize: number,
  maxBytes: number = USB_TRANSFER_BYTES,
): Uint8Array[] {
  if (!Number.isInteger(packetSize) || packetSize <= 0) {
    throw new RangeError(`packetSize: ${packetSize} is not a positive integer`);
  }
  if (maxBytes < packetSize)
    throw new RangeError(`maxBytes: ${maxBytes} is smaller than one packet (${packetSize})`);
  const size = Math.floor(maxBytes / packetSize) * packetSize;
  const out: Uint8Array[] = [];
  for (let off = 0; off < data.byteLength; off += size) out.push(data.subarray(off, off + size));
  return out;
}
