/**
 * The demo's embedded PostgreSQL: PGlite (PostgreSQL compiled to WASM) behind a real PostgreSQL
 * wire-protocol socket on 127.0.0.1, so the toolkit talks to it with `pg` exactly as it would to
 * Aurora. Its data directory lives in a cache dir, so the second start takes well under a second.
 *
 * PGlite limits (one backend session shared by all sockets): named prepared statements collide,
 * `SET` leaks across connections, queries serialize, `statement_timeout` is not enforced, no HypoPG.
 */
import { mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** A running embedded database. */
export interface EmbeddedPostgres {
  readonly databaseUrl: string;
  readonly dataDir: string;
  /** true when the data directory already existed (a warm start) */
  readonly reused: boolean;
  stop(): Promise<void>;
}

/** Where the demo keeps its PGlite data directory. */
export function defaultDataDir(): string {
  const cache = process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache');
  return join(cache, 'lambda-perf-kit', 'pglite-0.5');
}

/**
 * Starts PGlite with a socket server on 127.0.0.1 and a free port.
 *
 * @example
 * ```ts
 * const db = await startEmbeddedPostgres({ maxConnections: 10 });
 * console.log(db.databaseUrl); // postgres://postgres@127.0.0.1:41234/postgres
 * await db.stop();
 * ```
 */
export async function startEmbeddedPostgres(
  options: { dataDir?: string; maxConnections?: number } = {},
): Promise<EmbeddedPostgres> {
  const dataDir = options.dataDir ?? defaultDataDir();
  const { existsSync } = await import('node:fs');
  const reused = existsSync(join(dataDir, 'PG_VERSION'));
  mkdirSync(dataDir, { recursive: true });
  // Loaded lazily: PGlite is only needed when no DATABASE_URL is given.
  const [{ PGlite }, { PGLiteSocketServer }] = await Promise.all([
    import('@electric-sql/pglite'),
    import('@electric-sql/pglite-socket'),
  ]);
  const db = await PGlite.create({ dataDir });
  // maxConnections must be >= the pool's max, or extra connections are refused.
  const server = new PGLiteSocketServer({
    db,
    port: 0,
    host: '127.0.0.1',
    maxConnections: options.maxConnections ?? 20,
  });
  await server.start();
  const [host, port] = server.getServerConn().split(':');
  return {
    databaseUrl: `postgres://postgres@${host}:${port}/postgres`,
    dataDir,
    reused,
    stop: async () => {
      await server.stop();
      await db.close();
    },
  };
}
