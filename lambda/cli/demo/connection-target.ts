/**
 * Describes a PostgreSQL connection string without its password, for error messages and logs.
 *
 * @example
 * ```ts
 * describeTarget('postgres://app:secret@db:5432/shop'); // 'db:5432/shop as app'
 * ```
 */
export function describeTarget(connectionString: string): string {
  try {
    const url = new URL(connectionString);
    const database = url.pathname.replace(/^\//, '') || '(default database)';
    const user = url.username ? ` as ${decodeURIComponent(url.username)}` : '';
    return `${url.hostname || 'localhost'}:${url.port || '5432'}/${database}${user}`;
  } catch {
    return '(unparseable DATABASE_URL: expected postgres://user:password@host:port/database)';
  }
}
