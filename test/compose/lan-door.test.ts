/**
 * The LAN door's switch (`station:lanDoor`, `station:setLanDoor` → `compose/lan-door.ts`): lists
 * this machine's addresses, opens the door on one of them with a certificate of the station's CA
 * (reused on the next opening), refuses an address that is not this machine's naming `address`,
 * and closes it again.
 */
import { connect } from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { createLanHandlers } from '../../src-main/bridge/lan-handlers';
import { DESKTOP_CALLER } from '../../src-main/bridge/caller';
import { LanDoor } from '../../src-main/compose/lan-door';
import { startSyncPair, type SyncPair } from '../helpers/sync-pair';

let pair: SyncPair | undefined;
let door: LanDoor | undefined;
afterEach(async () => {
  await door?.close();
  await pair?.close();
  pair = door = undefined;
});

const reachable = (port: number, ca: string) =>
  new Promise<boolean>((resolve) => {
    const s = connect({ host: '127.0.0.1', port, ca }, () => {
      s.destroy();
      resolve(true);
    });
    s.on('error', () => resolve(false));
  });

describe('LAN door switch', () => {
  it('opens, reuses its certificate, refuses foreign addresses and closes', async () => {
    const p = (pair = await startSyncPair({ twin: false }));
    door = new LanDoor({ dataDir: p.stationDir, core: p.station.core });
    const h = createLanHandlers(door);
    const closed = await h['station:lanDoor'](DESKTOP_CALLER, {});
    expect(closed).toMatchObject({ available: true, active: null });
    expect(closed.addresses).toContainEqual(
      expect.objectContaining({ address: '127.0.0.1', internal: true }),
    );

    const open = await h['station:setLanDoor'](DESKTOP_CALLER, { address: '127.0.0.1', port: 0 });
    const port = open.active!.port;
    expect(open.active).toMatchObject({ address: '127.0.0.1', cupsUri: `https://127.0.0.1:${port}` });
    expect(await reachable(port, p.station.tls.caCertPem)).toBe(true);
    const again = await h['station:setLanDoor'](DESKTOP_CALLER, { address: '127.0.0.1', port: 0 });
    expect(again.active!.certFingerprint).toBe(open.active!.certFingerprint);

    await expect(h['station:setLanDoor'](DESKTOP_CALLER, { address: '192.0.2.77' })).rejects.toMatchObject({
      code: 'invalid_request',
      attributes: { field: 'address' },
    });
    const shut = await h['station:setLanDoor'](DESKTOP_CALLER, { address: null });
    expect(shut.active).toBeNull();
    expect(await reachable(again.active!.port, p.station.tls.caCertPem)).toBe(false);

    // a process without a door shows it as not available and refuses to open one
    const none = createLanHandlers(undefined);
    expect(await none['station:lanDoor'](DESKTOP_CALLER, {})).toEqual({
      available: false,
      addresses: [],
      active: null,
    });
    await expect(none['station:setLanDoor'](DESKTOP_CALLER, { address: '127.0.0.1' })).rejects.toMatchObject({
      code: 'not_configured',
    });
  });
});
