/**
 * Where a pool connects, read the way pg itself reads it (options, connection string, PG* env),
 * without the password: for TLS defaults, IAM signing, and messages.
 */

import type { PoolConfig } from 'pg';
import pg from 'pg';

/** A connection target, password-free. */
export interface ConnectionTarget {
  host: string;
  port: number;
  database: string;
  user: string;
  /** loopback, `localhost` or a Unix socket: TLS is not turned on by default. */
  local: boolean;
  /** `host:port/database as user`, safe for logs and error messages. */
  description: string;
}

/**
 * true for loopback addresses, `localhost` and Unix-socket paths (TLS stays off for those by default).
 *
 * @example
 * ```ts
 * isLocalHost('127.0.0.1'); // true
 * isLocalHost('db.cluster-abc.eu-west-1.rds.amazonaws.com'); // false
 * ```
 */
export function isLocalHost(host: string): boolean {
  const h = host.trim().toLowerCase();
  return (
    h === '' ||
    h.startsWith('/') ||
    h === 'localhost' ||
    h.endsWith('.localhost') ||
    h === '::1' ||
    h === '[::1]' ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h)
  );
}

/**
 * Reads host, port, database and user as pg would. Uses pg's own parser (a `Client` that never
 * connects), so connection-string query parameters and `PGHOST`-style variables count.
 *
 * @example
 * ```ts
 * describeConnection({ connectionString: 'postgres://app:pw@db:5432/shop' }).description; // 'db:5432/shop as app'
 * ```
 */
export function describeConnection(config: PoolConfig): ConnectionTarget {
  const probe = new pg.Client({
    ...(config.connectionString === undefined ? {} : { connectionString: config.connectionString }),
    ...(config.host === undefined ? {} : { host: config.host }),
    ...(config.port === undefined ? {} : { port: config.port }),
    ...(config.database === undefined ? {} : { database: config.database }),
    ...(config.user === undefined ? {} : { user: config.user }),
  });
  const params = (
    probe as unknown as {
      connectionParameters: { host: string; port: number; database: string; user: string };
    }
  ).connectionParameters;
  const host = String(params.host ?? 'localhost');
  const port = Number(params.port) || 5432;
  const database = String(params.database ?? '');
  const user = String(params.user ?? '');
  return {
    host,
    port,
    database,
    user,
    local: isLocalHost(host),
    description: `${host}:${port}/${database}${user ? ` as ${user}` : ''}`,
  };
}
