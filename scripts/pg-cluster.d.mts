/** Types of pg-cluster.mjs (a private PostgreSQL cluster for tests, CI and benches). */
export interface PgCluster {
  /** `postgres://postgres@127.0.0.1:PORT/postgres` (trust authentication, loopback only) */
  url: string;
  /** temp dir holding the data dir, socket and server.log */
  dir: string;
  port: number;
}
/** The PostgreSQL server binaries directory. */
export function pgBinDir(): string;
/** Starts a cluster in a fresh temp dir (`fast`: fsync off, the default). */
export function startPgCluster(options?: { fast?: boolean }): Promise<PgCluster>;
/** Stops the cluster of `dir` and removes the dir. */
export function stopPgCluster(dir: string): void;
