/**
 * Quotes an SQL identifier (`"name"`, inner quotes doubled), so any name is safe in generated DDL.
 *
 * @example
 * ```ts
 * quoteIdent('Order Lines'); // '"Order Lines"'
 * ```
 */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
