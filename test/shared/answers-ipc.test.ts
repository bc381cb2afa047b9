/**
 * Every IPC channel answers what its declaration says (docs/owner-api.md "Answers are checked"):
 * the channel list is `CHANNEL_NAMES` itself, each channel is called through the real bridge
 * `dispatch` of a real station wired as `gwjs serve` wires it — its own data directory, linked to a
 * real remote join server on loopback (test/helpers/sync-pair.ts), the key ceremony, the factory
 * line, the LAN door, Settings → Network, a switchable HSM backend with a SoftHSM2 token in view —
 * on its success path, and its answer must parse with the channel's response schema and parse to
 * itself (nothing an object schema would strip). The coverage test fails when a channel is added
 * to the contract without a case here.
 */
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DESKTOP_CALLER, type BridgeCaller } from '../../src-main/bridge/caller';
import { dispatch } from '../../src-main/bridge/dispatch';
import { LanDoor } from '../../src-main/compose/lan-door';
import { NetworkSettings } from '../../src-main/compose/network-settings';
import { createStationUi, type StationUi } from '../../src-main/compose/station-ui';
import { encodeQrPayload } from '../../src-shared/qr-payload';
import { CHANNELS, CHANNEL_NAMES, type Channel, type RequestOf, type ResponseOf } from '../../src-shared/ipc';
import { KDF_VECTORS, MemoryLogger } from '../helpers/core-fixture';
import { makeToken, SOFTHSM_MODULE } from '../helpers/softhsm';
import { startSyncPair, type SyncPair } from '../helpers/sync-pair';
import { makeTempDir } from '../helpers/tmp-dir';

const { gw1, gw2 } = KDF_VECTORS;
const PASSPHRASE = 'test passphrase';

let pair: SyncPair;
let ui: StationUi;
let lanDoor: LanDoor;
const logger = new MemoryLogger();
/** what each channel answered, for the requests of the channels after it */
const answers: { [C in Channel]?: ResponseOf<C> } = {};
const got = <C extends Channel>(c: C): ResponseOf<C> => {
  const a = answers[c];
  if (a === undefined) throw new Error(`${c} has not answered yet (see ORDER)`);
  return a as ResponseOf<C>;
};
/** made in beforeAll: what the requests need from outside the station */
let fx: {
  outDir: string;
  ownerPublicKey: string;
  contestedPin: string;
  /** a batch of the remote, wrapped for this station's transport key */
  wrapped: () => Promise<string>;
};

/** An operator of the HTTP bridge, for the one channel the desktop user has no account for. */
const installer: BridgeCaller = {
  name: 'ina',
  role: 'installer',
  ownerId: 'a::1',
  transport: 'http',
  address: '127.0.0.1',
};

const unit = '00-00-00-FF-FE-00-01-00';
/** a batch gateway owner B claimed on the remote before this station's owner A claims it */
const CONTESTED = '00-00-00-FF-FE-00-03-00';
/** the batch the station shares with the remote (the SPEC §2 vector key): the factory line's */
const twinBatch = () => got('batches:list').find((b) => b.kcv === KDF_VECTORS.kcv)!.id;

/**
 * One success-path request per channel, built when the channel's turn comes (it may use what an
 * earlier channel answered). The caller is the desktop user (admin) unless `as` says otherwise.
 */
const CASES: { [C in Channel]: { as?: BridgeCaller; request: () => RequestOf<C> | Promise<RequestOf<C>> } } =
  {
    'session:whoami': { request: () => ({}) },
    'session:changePassword': {
      as: installer,
      request: () => ({ current: 'installer-pass-1', password: 'installer-pass-2' }),
    },
    'station:status': { request: () => ({}) },
    'station:activity': { request: () => ({ limit: 10 }) },
    'hsm:unlock': { request: () => ({ passphrase: PASSPHRASE }) },
    'hsm:lock': { request: () => ({}) },
    'operators:list': { request: () => ({}) },
    'operators:create': {
      request: () => ({ name: 'ina', role: 'installer', password: 'installer-pass-1', ownerId: 'a::1' }),
    },
    'operators:update': { request: () => ({ name: 'ina', disabled: true }) },
    'gateways:query': { request: () => ({ offset: 0, limit: 5, search: '00-00-00', state: 'any' }) },
    'gateways:info': { request: () => ({ ownerId: 'a::1', gateways: [gw1.id6] }) },
    'gateways:claim': {
      request: () => ({
        ownerId: 'a::1',
        items: [
          { gateway: gw1.eui, claim: gw1.pin },
          { gateway: gw2.id6, claim: gw2.pin },
          // owner B holds it on the remote: the sync round meets a conflict to resolve
          { gateway: CONTESTED, claim: fx.contestedPin },
        ],
      }),
    },
    'gateways:setup': {
      request: () => ({
        ownerId: 'a::1',
        templateId: got('templates:save').id,
        common: { lnsUri: 'ws://lns.example.com:1700' },
        items: [{ gateway: gw1.id6 }],
      }),
    },
    'gateways:delete': { request: () => ({ ownerId: 'c::3', gateways: [gw2.id6] }) },
    'gateways:transfer': {
      request: () => ({ ownerId: 'a::1', gateway: gw2.id6, to: 'c::3', claim: gw2.pin }),
    },
    'gateways:add': {
      request: () => ({
        ownerId: 'a::1',
        items: [{ gateway: 'b827:ebff:fe12:3456', flavorid: 'x', token: 'tok' }],
      }),
    },
    'templates:list': { request: () => ({ ownerId: 'a::1' }) },
    'templates:save': {
      request: () => ({ ownerId: 'a::1', name: 'tpl', fields: { lnsUri: 'ws://lns.example.com:1700' } }),
    },
    'templates:delete': { request: () => ({ ownerId: 'a::1', id: got('templates:save').id }) },
    'setup:checkReachability': {
      request: () => ({ uri: pair.remote.url, trust: Buffer.from(pair.remote.caPem).toString('base64') }),
    },
    'owners:list': { request: () => ({}) },
    'owners:create': { request: () => ({ id: 'c::3', name: 'Carol' }) },
    'apiKeys:list': { request: () => ({}) },
    'apiKeys:create': { request: () => ({ ownerId: 'c::3', scopes: ['read'] }) },
    'apiKeys:revoke': { request: () => ({ id: got('apiKeys:create').summary.id }) },
    'batches:list': { request: () => ({}) },
    'batches:create': { request: () => ({ first: 'ff00::', last: 'ff00::ff' }) },
    'audit:list': { request: () => ({ limit: 5 }) },
    'hsm:state': { request: () => ({}) },
    'hsm:backend': { request: () => ({}) },
    'hsm:tokens': { request: () => ({ module: SOFTHSM_MODULE }) },
    'hsm:use': { request: () => ({ backend: 'software', passphrase: PASSPHRASE }) },
    'hsm:keys': { request: () => ({}) },
    'ceremony:batches': { request: () => ({}) },
    'ceremony:transportKey': { request: () => ({ label: 'answers test' }) },
    'ceremony:export': {
      request: () => ({ batchId: got('batches:create').id, transport: got('ceremony:transportKey').text }),
    },
    'ceremony:import': { request: async () => ({ wrapped: await fx.wrapped() }) },
    'ceremony:transcript': { request: () => ({ batchId: got('batches:create').id, format: 'pdf' }) },
    'factory:batches': { request: () => ({}) },
    'factory:createBatch': {
      request: () => ({
        first: 'fe00::',
        last: 'fe00::ff',
        model: 'M1',
        cupsUri: pair.station.cupsUri,
        trustPem: pair.station.tls.caCertPem,
      }),
    },
    'factory:configureBatch': {
      request: () => ({
        batchId: twinBatch(),
        model: 'M2',
        cupsUri: pair.station.cupsUri,
        trustPem: pair.station.tls.caCertPem,
      }),
    },
    'factory:lineSettings': { request: () => ({}) },
    'factory:saveLineSettings': { request: () => ({ outDir: fx.outDir, printer: { kind: 'none' } }) },
    'factory:labelTemplates': { request: () => ({}) },
    'factory:scan': { request: () => ({ batchId: twinBatch(), input: unit }) },
    'factory:print': { request: () => ({ gateway: unit }) },
    'factory:verify': {
      request: async () => {
        // what the printed label's QR says (SPEC §6), the PIN re-derived through the HSM
        const label = await pair.station.core.factory.labelData(pair.station.cliContext, unit, {
          kind: 'render',
          format: 'png',
          template: 'test',
        });
        return { gateway: unit, scanned: encodeQrPayload(label.id, label.pin) };
      },
    },
    'factory:linePosition': { request: () => ({}) },
    'factory:leaveUnit': { request: () => ({ gateway: unit }) },
    'factory:history': { request: () => ({ batchId: twinBatch() }) },
    'factory:unit': { request: () => ({ gateway: unit }) },
    'factory:startJob': {
      // large enough to be running still when cancelled (the resume picks it up again)
      request: () => ({ batchId: twinBatch(), first: '00-00-00-FF-FE-00-02-00', count: 500 }),
    },
    'factory:jobs': { request: () => ({}) },
    'factory:cancelJob': { request: () => ({ id: got('factory:startJob').id }) },
    'factory:resumeJob': { request: () => ({ id: got('factory:startJob').id }) },
    'factory:exportManifest': {
      request: () => ({
        batchId: twinBatch(),
        gateways: [unit],
        format: 'csv',
        ownerPublicKey: fx.ownerPublicKey,
      }),
    },
    'sync:status': { request: () => ({}) },
    'sync:link': {
      request: () => ({
        url: pair.remote.url,
        caPem: pair.remote.caPem,
        ownerId: pair.remote.ownerA.id6,
        apiKey: pair.remote.ownerA.apiKey,
      }),
    },
    'sync:now': { request: () => ({}) },
    'sync:outbox': { request: () => ({ states: ['rejected', 'conflict'] }) },
    'sync:versions': { request: () => ({ seq: got('sync:outbox').entries[0]!.seq }) },
    'sync:resolve': { request: () => ({ seq: got('sync:outbox').entries[0]!.seq, action: 'drop' }) },
    'sync:sitePack': { request: () => ({}) },
    'sync:sitePackChoose': { request: () => ({ gateways: null }) },
    'sync:claims': { request: () => ({}) },
    'sync:unlink': { request: () => ({}) },
    'station:lanDoor': { request: () => ({}) },
    'station:setLanDoor': { request: () => ({ address: '127.0.0.1', port: 0 }) },
    'network:get': { request: () => ({}) },
    'network:save': {
      request: () => ({ host: '127.0.0.1', publicHosts: ['127.0.0.1', 'localhost'], cupsUri: null }),
    },
  };

/**
 * The order of the calls: the channels whose requests build on other channels' answers or state
 * come after them; everything else in `CHANNEL_NAMES` order.
 */
const FIRST: Channel[] = [
  'hsm:lock',
  'hsm:unlock',
  'owners:create',
  'operators:create',
  'session:changePassword',
  'operators:update',
  'templates:save',
  'gateways:claim',
  'gateways:setup',
  'gateways:transfer',
  'apiKeys:create',
  'batches:create',
  'batches:list',
  'ceremony:transportKey',
  'factory:saveLineSettings',
  'factory:configureBatch',
  'factory:scan',
  'factory:startJob',
  'factory:cancelJob',
];
// the resumed job runs until the station closes: late, so it runs briefly
const LAST: Channel[] = ['sync:outbox', 'sync:versions', 'sync:resolve', 'sync:unlink', 'factory:resumeJob'];
const ORDER: Channel[] = [
  ...FIRST,
  ...CHANNEL_NAMES.filter((c) => !FIRST.includes(c) && !LAST.includes(c)),
  ...LAST,
];

const exercised = new Set<Channel>();

beforeAll(async () => {
  makeToken('answers'); // before the module loads: a token for hsm:tokens to list
  pair = await startSyncPair({ logger });
  const { station, remote } = pair;
  lanDoor = new LanDoor({ dataDir: station.dataDir, core: station.core, logger });
  const network = new NetworkSettings({
    dataDir: station.dataDir,
    running: { host: '127.0.0.1', port: station.settings.port, cupsUri: station.cupsUri },
  });
  ui = createStationUi({ ...station, ceremony: station.core.ceremony, logger, lanDoor, network });
  // the remote's own batch, wrapped for the transport key this station makes (ceremony:import)
  const remoteBatch = await remote.station.core.batches.create(remote.station.cliContext, {
    first: 'fd00::',
    last: 'fd00::ff',
  });
  const contested = await remote.station.core.factory.labelData(remote.station.cliContext, CONTESTED, {
    kind: 'render',
    format: 'png',
    template: 'test',
  });
  const taken = await remote.api('claim', remote.ownerB.apiKey, {
    ownerid: remote.ownerB.id6,
    gateway: CONTESTED,
    claim: contested.pin,
  });
  expect(taken.json).toEqual([{ gateway: contested.id6 }]);
  fx = {
    contestedPin: contested.pin,
    outDir: makeTempDir('answers-factory'),
    ownerPublicKey: generateKeyPairSync('ec', { namedCurve: 'P-256' })
      .publicKey.export({ type: 'spki', format: 'pem' })
      .toString(),
    wrapped: async () =>
      (
        await remote.station.core.ceremony.exportBatch(
          remote.station.cliContext,
          remoteBatch.id,
          got('ceremony:transportKey').text,
        )
      ).text,
  };
}, 60_000);
afterAll(async () => {
  await lanDoor?.close();
  await ui?.close();
  await pair?.close();
});

describe('every IPC answer matches its response schema', () => {
  it.each(ORDER)('%s', async (channel) => {
    const c = CASES[channel];
    expect(c, `${channel}: no case in CASES (add one when adding a channel)`).toBeDefined();
    const request = await c.request();
    const answer = await dispatch(ui.handlers, c.as ?? DESKTOP_CALLER, channel, request, logger);
    exercised.add(channel);
    expect(answer, JSON.stringify(answer)).toMatchObject({ ok: true });
    if (!answer.ok) return;
    (answers as Record<string, unknown>)[channel] = answer.value;
    // a success answer: item channels answer every item without an error code
    if (Array.isArray(answer.value)) {
      for (const item of answer.value as unknown[])
        expect(item, JSON.stringify(item)).not.toHaveProperty('code');
    }
    const parsed = CHANNELS[channel].response.safeParse(answer.value);
    expect(parsed.success, `${channel}: ${parsed.error?.message}`).toBe(true);
    // nothing an object schema would strip: the answer is exactly what the schema describes
    expect(parsed.data).toEqual(answer.value);
  });

  it('covers every channel of the contract, no more and no fewer', () => {
    expect(Object.keys(CASES).sort()).toEqual([...CHANNEL_NAMES].sort());
    expect(ORDER).toHaveLength(CHANNEL_NAMES.length);
    expect([...exercised].sort()).toEqual([...CHANNEL_NAMES].sort());
    expect(logger.entries.filter((e) => e.msg === 'bridge answer does not match its schema')).toEqual([]);
  });
});
