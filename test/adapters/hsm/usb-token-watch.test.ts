/**
 * USB token presence (docs/twin-hsm.md "USB presence"). This machine has no USB bus: the real `usb`
 * package path must degrade to "USB not available" without an unhandled rejection. The event path
 * is driven by an EventTarget standing in for the bus (the only stand-in: there is no bus to
 * plug into here), wired to a real SoftHSM2-backed HSM.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Pkcs11Hsm } from '../../../src-main/adapters/hsm/pkcs11-hsm';
import { acquireModule, releaseModule } from '../../../src-main/adapters/hsm/pkcs11-module';
import { watchUsbTokens, type UsbEvents } from '../../../src-main/adapters/hsm/usb-token-watch';
import { makeToken, type TestToken } from '../../helpers/softhsm';

let token: TestToken;
let hsm: Pkcs11Hsm;
beforeAll(async () => {
  token = makeToken('usb');
  hsm = Pkcs11Hsm.open({ module: token.module, tokenLabel: token.label });
  await hsm.unlock(token.pin);
});
afterAll(async () => {
  await hsm?.close();
});

/** A bus with one Nitrokey on it. */
class Bus extends EventTarget {
  devices = [{ vendorId: 0x20a0, productId: 0x4230, productName: 'Nitrokey HSM' }];
  async getDevices() {
    return this.devices;
  }
  emit(type: 'connect' | 'disconnect', device: { vendorId: number; productId: number }) {
    this.dispatchEvent(Object.assign(new Event(type), { device }));
  }
}

describe('watchUsbTokens', () => {
  it('degrades to "USB not available" where there is no USB, never an unhandled rejection', async () => {
    const rejections: unknown[] = [];
    const onRejection = (e: unknown) => rejections.push(e);
    process.on('unhandledRejection', onRejection);
    try {
      const watch = await watchUsbTokens({ onDetach: () => hsm.checkPresence() });
      expect(watch.state()).toMatchObject({
        usb: 'not_available',
        reason: expect.stringMatching(/USB not available/),
      });
      const missing = await watchUsbTokens({ sysfsPath: '/nonexistent/usb' });
      expect(missing.state().usb).toBe('not_available');
      const broken = await watchUsbTokens({
        backend: {
          getDevices: () => Promise.reject(new Error('LIBUSB_ERROR_ACCESS')),
        } as unknown as UsbEvents,
      });
      expect(broken.state()).toMatchObject({
        usb: 'not_available',
        reason: expect.stringMatching(/LIBUSB_ERROR_ACCESS/),
      });
      watch.close();
      await new Promise((r) => setTimeout(r, 50));
      expect(rejections).toEqual([]);
    } finally {
      process.off('unhandledRejection', onRejection);
    }
  });

  it('a detach of a token vendor locks the HSM at once when its token is gone; other devices are ignored', async () => {
    const bus = new Bus();
    const detached: string[] = [];
    const watch = await watchUsbTokens({
      backend: bus as unknown as UsbEvents,
      onDetach: (t) => {
        detached.push(t.vendor);
        hsm.checkPresence();
      },
    });
    expect(watch.state()).toMatchObject({
      usb: 'available',
      tokens: [{ vendor: 'Nitrokey', product: 'Nitrokey HSM' }],
    });
    bus.emit('disconnect', { vendorId: 0x046d, productId: 0xc52b }); // a mouse
    bus.emit('connect', { vendorId: 0x1050, productId: 0x0407 }); // a YubiKey
    expect(
      watch
        .state()
        .tokens.map((t) => t.vendor)
        .sort(),
    ).toEqual(['Nitrokey', 'Yubico']);
    bus.emit('disconnect', { vendorId: 0x1050, productId: 0x0407 }); // detached, but our token is still there
    expect(hsm.isUnlocked()).toBe(true);
    // our token goes: every session closed, as the module does when the device leaves
    const m = acquireModule(token.module);
    const slot = m.C_GetSlotList(true).find((s) => m.C_GetTokenInfo(s).label.trim() === token.label)!;
    m.C_CloseAllSessions(slot);
    releaseModule(token.module);
    bus.emit('disconnect', { vendorId: 0x20a0, productId: 0x4230 });
    expect(detached).toEqual(['Yubico', 'Nitrokey']);
    expect(await hsm.status()).toMatchObject({ locked: true, tokenRemoved: true });
    watch.close();
    await hsm.unlock(token.pin);
    expect(hsm.isUnlocked()).toBe(true);
  });
});
