/**
 * `gwjs db export | import` (docs/server-mode.md): a station's rows go from sql.js to PostgreSQL
 * and back, and a core on each copy answers the same `info` for every gateway; the CLI commands
 * do the same through the real bin; a non-empty target or other migrations are refused.
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { exportStore, importStore } from '../../../src-main/adapters/store/db-transfer';
import { createCore } from '../../../src-main/core/index';
import type { Store } from '../../../src-main/core/ports';
import {
  createCoreFixture,
  KDF_VECTORS,
  OUTSIDE_ID,
  SERVER_CUPS_URI,
  type CoreFixture,
} from '../../helpers/core-fixture';
import { runGwjs } from '../../helpers/gwjs-cli';
import { freshStoreLocation, openTestStore } from '../../helpers/test-store';
import { makeTempDir } from '../../helpers/tmp-dir';

const { gw1, gw2 } = KDF_VECTORS;
const opened: Store[] = [];
let f: CoreFixture | undefined;
afterEach(async () => {
  for (const s of opened.splice(0)) await s.close().catch(() => undefined);
  await f?.close();
  f = undefined;
});

async function populated(): Promise<CoreFixture> {
  const fx = await createCoreFixture({ store: 'sqljs' });
  await fx.core.owner.claim(fx.ownerA.ctx, fx.ownerA.id6, [
    { gateway: gw1.id6, claim: gw1.pin },
    { gateway: gw2.id6, claim: 'WRONGPIN' },
  ]);
  await fx.core.owner.claim(fx.ownerB.ctx, fx.ownerB.id6, [{ gateway: gw2.id6, claim: gw2.pin }]);
  await fx.core.owner.setup(fx.ownerA.ctx, fx.ownerA.id6, [
    { gateway: gw1.id6, lnsUri: 'ws://lns.example.com:1887' },
  ]);
  await fx.core.owner.add(fx.ownerB.ctx, fx.ownerB.id6, [
    { gateway: OUTSIDE_ID, token: 'added-token', flavorid: 'x' },
  ]);
  await fx.core.owner.rotate(fx.ownerB.ctx, fx.ownerB.id6, [gw2.id6]);
  return fx;
}

/** `info` of every gateway for both owners, through a core on `store`. */
async function infoOf(fx: CoreFixture, store: Store) {
  const core = createCore({
    store,
    hsm: fx.hsm,
    clock: fx.clock,
    config: { server: { cupsUri: SERVER_CUPS_URI, trustDer: fx.pki.caDer } },
  });
  return {
    a: await core.owner.info(fx.ownerA.ctx, fx.ownerA.id6, [gw1.id6, gw2.id6, OUTSIDE_ID]),
    b: await core.owner.info(fx.ownerB.ctx, fx.ownerB.id6, [gw1.id6, gw2.id6, OUTSIDE_ID]),
    audit: (await core.audit.list(fx.admin, {})).length,
  };
}

describe('db export / import', () => {
  it('sql.js → PostgreSQL → sql.js keeps every row: the same info for every gateway', async () => {
    f = await populated();
    const before = await infoOf(f, f.store);
    expect(before.a[0]!.info).toBeDefined();
    const file1 = join(makeTempDir('export'), 'one.jsonl');
    const counts = await exportStore(f.store, 'sqljs', file1);
    expect(counts.gateways).toBe(3);

    const pg = await openTestStore('pg');
    opened.push(pg);
    expect(await importStore(pg, 'pg', file1)).toEqual(counts);
    expect(await infoOf(f, pg)).toEqual(before);

    const file2 = join(makeTempDir('export'), 'two.jsonl');
    expect(await exportStore(pg, 'pg', file2)).toEqual(counts);
    const back = await openTestStore('sqljs');
    opened.push(back);
    expect(await importStore(back, 'sqljs', file2)).toEqual(counts);
    expect(await infoOf(f, back)).toEqual(before);
  });

  it('refuses a target that is not empty, or at other migrations, and changes nothing', async () => {
    f = await populated();
    const file = join(makeTempDir('export'), 'x.jsonl');
    await exportStore(f.store, 'sqljs', file);
    const pg = await openTestStore('pg');
    opened.push(pg);
    await importStore(pg, 'pg', file);
    await expect(importStore(pg, 'pg', file)).rejects.toMatchObject({ code: 'conflict' });
    const older = await openTestStore('pg', {
      migrations: (await import('../../helpers/test-store')).productMigrations('pg').slice(0, 2),
    });
    opened.push(older);
    await expect(importStore(older, 'pg', file)).rejects.toMatchObject({ code: 'conflict' });
    expect(await older.read((tx) => tx.get('SELECT COUNT(*) AS n FROM owners'))).toEqual({ n: 0 });
  });

  it('gwjs db export / db import / db migrate through the real bin', async () => {
    f = await populated();
    const dir = f.dir;
    await f.close();
    f = undefined;
    const file = join(makeTempDir('export'), 'cli.jsonl');
    const exported = await runGwjs(['db', 'export', '--data', dir, '--json', file]);
    expect(exported.code, exported.stderr).toBe(0);
    const where = freshStoreLocation('pg');
    const migrated = await runGwjs(['db', 'migrate', '--db', where.url!, '--json']);
    expect(migrated.code, migrated.stderr).toBe(0);
    const imported = await runGwjs(['db', 'import', '--db', where.url!, '--json', file]);
    expect(imported.code, imported.stderr).toBe(0);
    expect(JSON.parse(imported.stdout).tables).toEqual(JSON.parse(exported.stdout).tables);
    const pg = await openTestStore('pg', { where });
    opened.push(pg);
    expect(await pg.read((tx) => tx.get('SELECT COUNT(*) AS n FROM gateways'))).toEqual({ n: 3 });
  });
});
