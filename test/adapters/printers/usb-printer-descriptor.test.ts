import { describe, expect, it } from 'vitest';
import {
  RAW_PRINTER_PROTOCOLS,
  USB_TRANSFER_BYTES,
  chunkForBulk,
  isRawPrinter,
  selectPrinterEndpoint,
  type UsbAlternateDescriptor,
  type UsbConfigurationDescriptor,
} from '../../../src-main/adapters/printers/usb-printer-descriptor';

const bulk = (endpointNumber: number, direction: 'in' | 'out', packetSize = 512) =>
  ({ endpointNumber, direction, type: 'bulk', packetSize }) as const;
const alt = (
  alternateSetting: number,
  cls: number,
  sub: number,
  protocol: number,
  endpoints: UsbAlternateDescriptor['endpoints'],
): UsbAlternateDescriptor => ({
  alternateSetting,
  interfaceClass: cls,
  interfaceSubclass: sub,
  interfaceProtocol: protocol,
  endpoints,
});

/** Zebra ZD421 (0a5f:0185) as `usb` reports it: one printer interface, bidirectional, EP 1 OUT / 2 IN. */
const zebra: UsbConfigurationDescriptor[] = [
  {
    configurationValue: 1,
    interfaces: [
      { interfaceNumber: 0, alternates: [alt(0, 0x07, 0x01, 2, [bulk(1, 'out'), bulk(2, 'in')])] },
    ],
  },
];

/** A multifunction printer: scanner (vendor class), IPP-over-USB (7/1/4) and a raw printer interface. */
const mfp: UsbConfigurationDescriptor[] = [
  {
    configurationValue: 1,
    interfaces: [
      { interfaceNumber: 0, alternates: [alt(0, 0xff, 0xff, 0xff, [bulk(1, 'out'), bulk(1, 'in')])] },
      { interfaceNumber: 1, alternates: [alt(0, 0x07, 0x01, 4, [bulk(3, 'out'), bulk(4, 'in')])] },
      {
        interfaceNumber: 2,
        alternates: [
          alt(0, 0x07, 0x01, 1, [bulk(6, 'out', 64)]),
          alt(1, 0x07, 0x01, 2, [bulk(5, 'out'), bulk(5, 'in')]),
          alt(2, 0x07, 0x01, 3, [bulk(7, 'out'), bulk(7, 'in')]),
        ],
      },
    ],
  },
];

describe('selectPrinterEndpoint', () => {
  it('picks the printer-class interface and its bulk OUT endpoint (Zebra fixture)', () => {
    expect(selectPrinterEndpoint(zebra)).toEqual({
      configurationValue: 1,
      interfaceNumber: 0,
      alternateSetting: 0,
      protocol: 2,
      endpointNumber: 1,
      packetSize: 512,
    });
    expect(isRawPrinter(zebra)).toBe(true);
  });

  it('prefers bidirectional over unidirectional and 1284.4, and never IPP-over-USB (protocol 4)', () => {
    expect(RAW_PRINTER_PROTOCOLS).toEqual([2, 1, 3]);
    expect(selectPrinterEndpoint(mfp)).toMatchObject({
      interfaceNumber: 2,
      alternateSetting: 1,
      protocol: 2,
      endpointNumber: 5,
    });
  });

  it('finds nothing on a device with only IPP-over-USB', () => {
    const ippOnly = [{ ...mfp[0]!, interfaces: [mfp[0]!.interfaces[1]!] }];
    expect(selectPrinterEndpoint(ippOnly)).toBeUndefined();
  });

  it('finds nothing without a bulk OUT endpoint, or on devices of other classes', () => {
    const inOnly: UsbConfigurationDescriptor[] = [
      {
        configurationValue: 1,
        interfaces: [{ interfaceNumber: 0, alternates: [alt(0, 7, 1, 2, [bulk(2, 'in')])] }],
      },
    ];
    const interruptOut: UsbConfigurationDescriptor[] = [
      {
        configurationValue: 1,
        interfaces: [
          {
            interfaceNumber: 0,
            alternates: [
              alt(0, 7, 1, 2, [{ endpointNumber: 1, direction: 'out', type: 'interrupt', packetSize: 64 }]),
            ],
          },
        ],
      },
    ];
    const keyboard: UsbConfigurationDescriptor[] = [
      { configurationValue: 1, interfaces: [{ interfaceNumber: 0, alternates: [alt(0, 0x03, 1, 1, [])] }] },
    ];
    const storage: UsbConfigurationDescriptor[] = [
      {
        configurationValue: 1,
        interfaces: [
          { interfaceNumber: 0, alternates: [alt(0, 0x08, 0x06, 0x50, [bulk(1, 'out'), bulk(2, 'in')])] },
        ],
      },
    ];
    for (const d of [inOnly, interruptOut, keyboard, storage, []])
      expect(selectPrinterEndpoint(d)).toBeUndefined();
  });

  it('searches every configuration in the order given', () => {
    const two: UsbConfigurationDescriptor[] = [
      { configurationValue: 1, interfaces: [{ interfaceNumber: 0, alternates: [alt(0, 0x03, 1, 1, [])] }] },
      { configurationValue: 2, interfaces: zebra[0]!.interfaces },
    ];
    expect(selectPrinterEndpoint(two)).toMatchObject({ configurationValue: 2, interfaceNumber: 0 });
  });
});

describe('chunkForBulk', () => {
  it('cuts a job into whole-packet transfers whose concatenation is the job', () => {
    const job = new Uint8Array(40_000).map((_, i) => i & 0xff);
    const chunks = chunkForBulk(job, 512);
    expect(chunks.map((c) => c.byteLength)).toEqual([16384, 16384, 40_000 - 32768]);
    expect(Buffer.concat(chunks).equals(Buffer.from(job))).toBe(true);
    expect(USB_TRANSFER_BYTES % 1024).toBe(0);
  });

  it('rounds the transfer size down to whole packets', () => {
    const chunks = chunkForBulk(new Uint8Array(1000), 64, 300);
    expect(chunks.map((c) => c.byteLength)).toEqual([256, 256, 256, 232]);
  });

  it('gives no transfers for an empty job and refuses impossible sizes', () => {
    expect(chunkForBulk(new Uint8Array(0), 512)).toEqual([]);
    expect(() => chunkForBulk(new Uint8Array(1), 0)).toThrow(RangeError);
    expect(() => chunkForBulk(new Uint8Array(1), 512, 100)).toThrow(/smaller than one packet/);
  });
});
