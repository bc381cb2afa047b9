/**
 * A real core on a temp directory: sql.js store with the shipped migrations, a software
 * HSM (initialized, unlocked), a clock the test moves, a batch imported with the SPEC §2 vector key
 * (BRK = 00 01 … 1f) over a range holding both vector gateways, an admin context and two owners with
 * API keys. The server's CUPS identity is a real local CA (its DER is the default cupsCred trust).
 */
import { X509Certificate } from 'node:crypto';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { hexToBytes } from '../../src-shared/bytes';
import { SoftwareHsm } from '../../src-main/adapters/hsm/software-hsm';
import { LocalCaIssuer } from '../../src-main/adapters/tls/client-cert-issuer';
import { issueCertificate, loadOrCreateCa, type LocalCa } from '../../src-main/adapters/tls/local-ca';
import type { BatchRow, Principal, RequestContext, Scope } from '../../src-main/core/api';
import { createCore, type CoreConfigInput, type CoreServices } from '../../src-main/core/index';
import type { Clock, Logger, Store } from '../../src-main/core/ports';
import {
  fixtureStoreKind,
  freshStoreLocation,
  openTestStore,
  type StoreKind,
  type TestStoreLocation,
} from './test-store';
import { makeTempDir } from './tmp-dir';

/** SPEC §2 vectors (BRK = bytes 00 01 … 1f). */
export const KDF_VECTORS = {
  brkHex: '000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f',
  kcv: '1CCE9B',
  gw1: {
    id6: '0:ff:fe00:abc',
    eui: '00-00-00-FF-FE-00-0A-BC',
    hex: '000000FFFE000ABC',
    pin: '6CVHEQSA',
    token0: '8u2tRbRVN57VOg0--7cEf4PV8aadaFbYevynlLE85cQ',
    token1: 'xsHcigFHDwzzswNJ9lcB2uBgwO5tEq-jEnwnkw5ouLc',
  },
  gw2: {
    id6: '58a0:cbff:fe80:102',
    eui: '58-A0-CB-FF-FE-80-01-02',
    hex: '58A0CBFFFE800102',
    pin: 'S07VYTHR',
    token0: 'sju-OaZykkW3Qa6iHI0ONg0s0m63J6iwvo9iQfqfmWk',
  },
} as const;

/** The imported batch's range: both vector gateways inside, `OUTSIDE_ID` beyond it. */
export const BATCH_RANGE = { first: '00-00-00-FF-FE-00-00-00', last: '58-A0-CB-FF-FE-FF-FF-FF' } as const;
/** An id outside the batch (a Raspberry Pi MAC as EUI-64): where `add` works. */
export const OUTSIDE_ID = 'b827:ebff:fe12:3456';
/** The server's own CUPS URI in the fixture's configuration. */
export const SERVER_CUPS_URI = 'https://js.example.com:6041';

/** A clock the test moves. */
export class TestClock implements Clock {
  constructor(private ms = Date.parse('2030-01-01T00:00:00.000Z')) {}
  now(): number {
    return this.ms;
  }
  /** Moves the clock forward by `ms`. */
  advance(ms: number): void {
    this.ms += ms;
  }
  /** Sets the clock. */
  set(ms: number): void {
    this.ms = ms;
  }
}

/** A logger that keeps entries for assertions. */
export class MemoryLogger implements Logger {
  readonly entries: { level: string; obj: object; msg: string | undefined }[] = [];
  info(obj: object, msg?: string): void {
    this.entries.push({ level: 'info', obj, msg });
  }
  warn(obj: object, msg?: string): void {
    this.entries.push({ level: 'warn', obj, msg });
  }
  error(obj: object, msg?: string): void {
    this.entries.push({ level: 'error', obj, msg });
  }
  debug(obj: object, msg?: string): void {
    this.entries.push({ level: 'debug', obj, msg });
  }
}

/** An owner with an API key (every owner scope) and the authenticated context. */
export interface OwnerFixture {
  id6: string;
  apiKey: string;
  principal: Principal;
  ctx: RequestContext;
}

/** Test certificates under one real local CA. */
export interface TestPki {
  caPem: string;
  caDer: Uint8Array;
  /** the CA itself (signing key included): the core's `CertificateAuthority` issues under it */
  ca: LocalCa;
  /** a TLS client certificate and its key (PKCS#8 PEM), for client-certificate setups */
  client: { certPem: string; certDer: Uint8Array; keyPem: string };
  /** a second client certificate, whose key does not match `client` */
  other: { certPem: string; certDer: Uint8Array; keyPem: string };
}

let pki: Promise<TestPki> | undefined;

/** The process-wide test PKI (created once: key generation is the slow part). */
export function testPki(): Promise<TestPki> {
  pki ??= (async () => {
    const dir = makeTempDir('core-pki', { until: 'exit' });
    const { ca } = await loadOrCreateCa(dir);
    const client = await issueCertificate(ca, {
      commonName: 'gw client',
      sans: [],
      usage: 'client',
      days: 30,
    });
    const other = await issueCertificate(ca, {
      commonName: 'other client',
      sans: [],
      usage: 'client',
      days: 30,
    });
    return {
      caPem: ca.certPem,
      caDer: new Uint8Array(new X509Certificate(ca.certPem).raw),
      ca,
      client: { certPem: client.certPem, certDer: client.certDer, keyPem: client.keyPem },
      other: { certPem: other.certPem, certDer: other.certDer, keyPem: other.keyPem },
    };
  })();
  return pki;
}

/** Options of {@link createCoreFixture}. */
export interface CoreFixtureOptions {
  /** configuration over the fixture's (which sets `server` to {@link SERVER_CUPS_URI} + the test CA) */
  config?: CoreConfigInput;
  /** data directory (default: a fresh temp dir) */
  dir?: string;
  /** the store adapter (default: `$GWJS_TEST_STORE`, else sql.js) */
  store?: StoreKind;
}

/** What {@link createCoreFixture} returns. */
export interface CoreFixture {
  dir: string;
  store: Store;
  /** where the store lives (sql.js dir or PostgreSQL schema) */
  storeLocation: TestStoreLocation;
  /** opens another store on the same data, as a new process would (close it yourself) */
  reopenStore(): Promise<Store>;
  hsm: SoftwareHsm;
  clock: TestClock;
  logger: MemoryLogger;
  core: CoreServices;
  pki: TestPki;
  batch: BatchRow;
  /** the CLI acting as admin */
  admin: RequestContext;
  ownerA: OwnerFixture;
  ownerB: OwnerFixture;
  /** creates one more owner with a key of the given scopes (default: every owner scope) */
  addOwner(id: string, scopes?: Scope[]): Promise<OwnerFixture>;
  /** closes the core (and store) */
  close(): Promise<void>;
}

/** Every scope an owner key may hold. */
export const OWNER_SCOPES: Scope[] = ['claim', 'setup', 'delete', 'add', 'read', 'firmware'];

/** Wires a real core on a temp directory (see the module comment). */
export async function createCoreFixture(options: CoreFixtureOptions = {}): Promise<CoreFixture> {
  const dir = options.dir ?? makeTempDir('core');
  const pkiDone = testPki();
  const kind = options.store ?? fixtureStoreKind();
  const storeLocation: TestStoreLocation =
    kind === 'sqljs' ? { kind, dir: join(dir, 'db') } : freshStoreLocation(kind);
  const store = await openTestStore(kind, { where: storeLocation });
  const hsm = await SoftwareHsm.open(join(dir, 'keystore.json'), { scryptN: 2 ** 10 });
  await hsm.initialize('test passphrase');
  const clock = new TestClock();
  const logger = new MemoryLogger();
  const testPkiValue = await pkiDone;
  const core = createCore({
    store,
    hsm,
    clock,
    random: { bytes: (n) => new Uint8Array(randomBytes(n)) },
    logger,
    ca: new LocalCaIssuer(testPkiValue.ca),
    config: {
      ...options.config,
      server: { cupsUri: SERVER_CUPS_URI, trustDer: testPkiValue.caDer, ...options.config?.server },
    },
  });
  const admin: RequestContext = {
    principal: { kind: 'cli', id: 'cli', ownerId: null, scopes: new Set<Scope>(['admin']) },
    address: 'local',
  };
  const brk = hexToBytes(KDF_VECTORS.brkHex);
  const batch = await core.batches.import(admin, { ...BATCH_RANGE, flavor: 'test' }, brk);
  brk.fill(0);

  const addOwner = async (id: string, scopes: Scope[] = OWNER_SCOPES): Promise<OwnerFixture> => {
    const owner = await core.access.createOwner(admin, id, `owner ${id}`);
    const { apiKey } = await core.access.createApiKey(admin, owner.id, scopes, 'test');
    const principal = await core.access.authenticate(apiKey);
    return { id6: owner.id, apiKey, principal, ctx: { principal, address: '192.0.2.1' } };
  };
  const ownerA = await addOwner('a::1');
  const ownerB = await addOwner('b::2');
  return {
    dir,
    store,
    storeLocation,
    reopenStore: () => openTestStore(kind, { where: storeLocation }),
    hsm,
    clock,
    logger,
    core,
    pki: testPkiValue,
    batch,
    admin,
    ownerA,
    ownerB,
    addOwner,
    close: () => core.close(),
  };
}
