#!/usr/bin/env node
// A private, throw-away PostgreSQL cluster for tests, CI and benches (docs/server-mode.md):
// initdb into a temp dir, listening on 127.0.0.1:<free port> only, its socket in the same dir.
// When run as root (CI, containers) initdb and pg_ctl run as the `postgres` user, which owns the dir.
//   node scripts/pg-cluster.mjs start   → prints `GWJS_TEST_PG=postgres://…` and `GWJS_PG_DIR=…`
//   node scripts/pg-cluster.mjs stop DIR
// Also imported by the test global setup (startPgCluster / stopPgCluster).
import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

/** The PostgreSQL server binaries: $GWJS_PG_BIN, else the newest /usr/lib/postgresql/N/bin. */
export function pgBinDir() {
  if (process.env.GWJS_PG_BIN) return process.env.GWJS_PG_BIN;
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions.length === 0) {
    throw new Error(
      'PostgreSQL server binaries not found (no /usr/lib/postgresql/N/bin/initdb): install the Debian ' +
        'package `postgresql`, set $GWJS_PG_BIN, or point $GWJS_TEST_PG at a running server',
    );
  }
  return join(root, versions[0], 'bin');
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen({ host: '127.0.0.1', port: 0 }, () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** Runs a PostgreSQL binary, as `postgres` when we are root (initdb refuses root). */
function pgExec(bin, args) {
  const file = join(pgBinDir(), bin);
  const asRoot = process.getuid?.() === 0;
  const [cmd, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', file, ...args]] : [file, args];
  return execFileSync(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'], cwd: '/' }).toString();
}

/**
 * Starts a cluster in a fresh temp dir; resolves { url, dir, port }. fsync stays on unless
 * `fast` (tests: the data is thrown away; benches keep the real commit cost).
 */
export async function startPgCluster({ fast = true } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'gwjs-pg-'));
  const data = join(dir, 'data');
  if (process.getuid?.() === 0) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    chownSync(dir, uid, gid);
  }
  try {
    pgExec('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--locale=C', '--no-sync']);
    const port = await freePort();
    const settings = [
      '-c listen_addresses=127.0.0.1',
      `-p ${port}`,
      `-k ${dir}`,
      '-c max_connections=200',
      '-c shared_buffers=64MB',
      ...(fast ? ['-c fsync=off', '-c full_page_writes=off'] : []),
    ].join(' ');
    pgExec('pg_ctl', ['-D', data, '-o', settings, '-l', join(dir, 'server.log'), '-w', '-t', '60', 'start']);
    writeFileSync(join(dir, 'port'), String(port));
    return { url: `postgres://postgres@127.0.0.1:${port}/postgres`, dir, port };
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`could not start a private PostgreSQL cluster: ${e.stderr?.toString() || e.message}`);
  }
}

/** Stops the cluster of `dir` (immediate: its data is thrown away) and removes the dir. */
export function stopPgCluster(dir) {
  try {
    if (existsSync(join(dir, 'data', 'postmaster.pid'))) {
      pgExec('pg_ctl', ['-D', join(dir, 'data'), '-m', 'immediate', '-w', 'stop']);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  const [cmd, arg] = process.argv.slice(2);
  if (cmd === 'start') {
    const { url, dir } = await startPgCluster({ fast: process.env.GWJS_PG_FSYNC !== '1' });
    console.log(`GWJS_TEST_PG=${url}`);
    console.log(`GWJS_PG_DIR=${dir}`);
  } else if (cmd === 'stop' && arg) {
    stopPgCluster(arg);
  } else {
    console.error(`usage: pg-cluster.mjs start | stop DIR   (user ${userInfo().username})`);
    process.exit(2);
  }
}
