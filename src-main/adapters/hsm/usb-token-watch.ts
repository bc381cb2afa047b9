/**
 * USB presence of HSM tokens (docs/twin-hsm.md "USB presence"): the `usb` package (3.x, WebUSB
 * style) reports attach and detach of devices of known token vendors, so a pulled token locks the
 * PKCS#11 HSM at once and the UI says "token removed" within a second. Where USB is unavailable
 * (no `/sys/bus/usb/devices` in containers and CI, or the native module fails) the watch reports
 * "USB not available" and never raises: every call is guarded, listeners catch their errors.
 */
import { existsSync } from 'node:fs';

/** USB vendor ids of HSM tokens the station recognizes. */
const TOKEN_VENDORS: Readonly<Record<number, string>> = {
  0x20a0: 'Nitrokey',
  0x1050: 'Yubico',
  0x04e6: 'CardContact (SmartCard-HSM)',
  0x096e: 'Feitian',
};

/** One token device seen on the bus. */
interface UsbToken {
  vendorId: number;
  productId: number;
  vendor: string;
  product: string | null;
}

/** What the watch knows now. */
export type UsbTokenState =
  { usb: 'available'; tokens: UsbToken[] } | { usb: 'not_available'; reason: string; tokens: [] };

/** The subset of the `usb` package's WebUSB object used here (injectable for tests). */
export interface UsbEvents {
  getDevices(): Promise<readonly { vendorId: number; productId: number; productName?: string | undefined }[]>;
  addEventListener(
    type: 'connect' | 'disconnect',
    listener: (ev: {
      device: { vendorId: number; productId: number; productName?: string | undefined };
    }) => void,
  ): void;
  removeEventListener(
    type: 'connect' | 'disconnect',
    listener: (ev: {
      device: { vendorId: number; productId: number; productName?: string | undefined };
    }) => void,
  ): void;
}

/** A running watch. */
export interface UsbTokenWatch {
  state(): UsbTokenState;
  close(): void;
}

/** Options of {@link watchUsbTokens}. */
interface UsbTokenWatchOptions {
  /** a known token vendor's device was detached */
  onDetach?: (token: UsbToken) => void;
  onAttach?: (token: UsbToken) => void;
  /** default: the `usb` package */
  backend?: UsbEvents;
  /** Linux sysfs folder whose absence means "no USB here" */
  sysfsPath?: string;
}

const tokenOf = (d: {
  vendorId: number;
  productId: number;
  productName?: string | undefined;
}): UsbToken | undefined => {
  const vendor = TOKEN_VENDORS[d.vendorId];
  if (vendor === undefined) return undefined;
  let product: string | null = null;
  try {
    product = d.productName ?? null;
  } catch {
    // descriptor strings may need the device open
  }
  return { vendorId: d.vendorId, productId: d.productId, vendor, product };
};

/** Starts watching; resolves at once to a watch whose state says whether USB works here. Never rejects. */
export async function watchUsbTokens(options: UsbTokenWatchOptions = {}): Promise<UsbTokenWatch> {
  const unavailable = (reason: string): UsbTokenWatch => ({
    state: () => ({ usb: 'not_available', reason, tokens: [] }),
    close: () => undefined,
  });
  const sysfs = options.sysfsPath ?? '/sys/bus/usb/devices';
  if (options.backend === undefined && process.platform === 'linux' && !existsSync(sysfs)) {
    return unavailable(`USB not available (${sysfs} is missing: a container or CI machine?)`);
  }
  let usb: UsbEvents;
  try {
    if (options.backend !== undefined) usb = options.backend;
    else {
      const mod = await import('usb');
      usb = (mod.usb ?? (mod as unknown as { default: typeof mod }).default.usb) as unknown as UsbEvents;
    }
  } catch (e) {
    return unavailable(`USB not available (${e instanceof Error ? e.message : String(e)})`);
  }
  const present = new Map<string, UsbToken>();
  const key = (t: UsbToken) => `${t.vendorId}:${t.productId}`;
  try {
    for (const d of await usb.getDevices()) {
      const t = tokenOf(d);
      if (t !== undefined) present.set(key(t), t);
    }
  } catch (e) {
    return unavailable(`USB not available (${e instanceof Error ? e.message : String(e)})`);
  }
  const onConnect = (ev: {
    device: { vendorId: number; productId: number; productName?: string | undefined };
  }) => {
    try {
      const t = tokenOf(ev.device);
      if (t === undefined) return;
      present.set(key(t), t);
      options.onAttach?.(t);
    } catch {
      // a listener must never throw into the usb package's event loop
    }
  };
  const onDisconnect = (ev: {
    device: { vendorId: number; productId: number; productName?: string | undefined };
  }) => {
    try {
      const t = tokenOf(ev.device);
      if (t === undefined) return;
      present.delete(key(t));
      options.onDetach?.(t);
    } catch {
      // as above
    }
  };
  try {
    usb.addEventListener('connect', onConnect);
    usb.addEventListener('disconnect', onDisconnect);
  } catch (e) {
    return unavailable(`USB not available (${e instanceof Error ? e.message : String(e)})`);
  }
  return {
    state: () => ({ usb: 'available', tokens: [...present.values()] }),
    close: () => {
      try {
        usb.removeEventListener('connect', onConnect);
        usb.removeEventListener('disconnect', onDisconnect);
      } catch {
        // closing twice or after the module failed
      }
    },
  };
}
