/**
 * The LAN door's switch (`station:lanDoor`, `station:setLanDoor` → `compose/lan-door.ts`): lists
 * this machine's addresses, opens the door on one of them with a certificate of the station's CA
 * (reused on the next opening), refuses an address that is not this machine's naming `address`,
 * and closes it again. The switch's choice is kept in station.json and reopened by the next
 * process's door; a saved address no longer on this machine leaves the door closed with the reason.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
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
      openedBy: null,
      saved: null,
      startError: null,
    });
    await expect(none['station:setLanDoor'](DESKTOP_CALLER, { address: '127.0.0.1' })).rejects.toMatchObject({
      code: 'not_configured',
    });
  });

  it('keeps the switch’s choice in station.json and reopens it; a vanished address is reported, not fatal', async () => {
    const p = (pair = await startSyncPair({ twin: false }));
    const deps = { dataDir: p.stationDir, core: p.station.core, persist: true };
    const settingsFile = join(p.stationDir, 'station.json');
    const savedChoice = () =>
      (JSON.parse(readFileSync(settingsFile, 'utf8')) as { lanDoor?: unknown }).lanDoor;
    door = new LanDoor(deps);
    expect(await door.restore()).toMatchObject({ active: null, saved: null, startError: null });
    const open = await door.set('127.0.0.1', 0);
    const port = open.active!.port;
    expect(open).toMatchObject({ openedBy: 'switch', saved: { address: '127.0.0.1', port, open: true } });
    expect(savedChoice()).toEqual({ address: '127.0.0.1', port, open: true });
    await door.close();

    // the next process's door reopens it on the same port, with the same certificate
    door = new LanDoor(deps);
    const again = await door.restore();
    expect(again).toMatchObject({
      active: { address: '127.0.0.1', port, certFingerprint: open.active!.certFingerprint },
      openedBy: 'saved',
      startError: null,
    });
    expect(await reachable(port, p.station.tls.caCertPem)).toBe(true);
    // closing keeps the address for the switch, and the next start stays closed
    expect((await door.set(null)).saved).toEqual({ address: '127.0.0.1', port, open: false });
    await door.close();
    door = new LanDoor(deps);
    expect(await door.restore()).toMatchObject({ active: null, saved: { open: false }, startError: null });
    expect(await reachable(port, p.station.tls.caCertPem)).toBe(false);
    await door.close();

    // an address that is no longer on any interface: closed, with the reason, and no throw
    const settings = JSON.parse(readFileSync(settingsFile, 'utf8')) as Record<string, unknown>;
    writeFileSync(
      settingsFile,
      JSON.stringify({ ...settings, lanDoor: { address: '192.0.2.77', port, open: true } }),
    );
    door = new LanDoor(deps);
    const gone = await door.restore();
    expect(gone.active).toBeNull();
    expect(gone.startError).toMatch(
      /^the saved LAN door 192\.0\.2\.77:\d+ was not opened: "192\.0\.2\.77" is not an IP address of this machine/,
    );
    // --lan overrides for its run; the saved choice stays as it was
    const flag = await door.override('127.0.0.1', 0);
    expect(flag).toMatchObject({ openedBy: 'flag', saved: { address: '192.0.2.77', open: true } });
    expect(savedChoice()).toEqual({ address: '192.0.2.77', port, open: true });
  });
});
