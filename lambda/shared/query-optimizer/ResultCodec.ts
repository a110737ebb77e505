/**
 * Serializes query results for L2 so that what comes back looks like what pg returned: Dates stay
 * Dates, BigInts stay BigInts, Buffers stay Buffers. Anything that does not decode to the expected
 * shape is garbage (the caller treats it as a miss).
 */
import type { QueryResult } from 'pg';

/** The part of a pg QueryResult worth caching. */
export interface CachedResult {
  command: string;
  rowCount: number | null;
  rows: unknown[];
  fields: Array<{ name: string; dataTypeID: number }>;
}

/** The envelope stored in Redis. */
export interface CachedEnvelope {
  v: 1;
  /** Table generations observed when the read started. */
  g: number[];
  r: CachedResult;
}

/**
 * Keeps only what a cached result needs from a pg QueryResult.
 *
 * @example
 * ```ts
 * const cached = toCachedResult(await pool.query('SELECT 1'));
 * ```
 */
export function toCachedResult(result: QueryResult): CachedResult {
  return {
    command: result.command,
    rowCount: result.rowCount,
    rows: result.rows,
    fields: (result.fields ?? []).map((f) => ({ name: f.name, dataTypeID: f.dataTypeID })),
  };
}

function replacer(this: Record<string, unknown>, key: string, value: unknown): unknown {
  const raw = this[key];
  if (raw instanceof Date) return { $d: raw.getTime() };
  if (typeof value === 'bigint') return { $b: value.toString() };
  if (Buffer.isBuffer(raw)) return { $x: raw.toString('base64') };
  return value;
}

function reviver(_key: string, value: unknown): unknown {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const o = value as Record<string, unknown>;
    const keys = Object.keys(o);
    if (keys.length === 1) {
      if (typeof o.$d === 'number') return new Date(o.$d);
      if (typeof o.$b === 'string') return BigInt(o.$b);
      if (typeof o.$x === 'string') return Buffer.from(o.$x, 'base64');
    }
  }
  return value;
}

/**
 * Encodes an envelope as JSON.
 *
 * @example
 * ```ts
 * const text = encodeEnvelope({ v: 1, g: [0], r: toCachedResult(result) });
 * ```
 */
export function encodeEnvelope(envelope: CachedEnvelope): string {
  return JSON.stringify(envelope, replacer);
}

/**
 * Decodes an envelope; `undefined` for anything malformed.
 *
 * @example
 * ```ts
 * const envelope = decodeEnvelope(await redis.get(key));
 * if (!envelope) console.log('miss');
 * ```
 */
export function decodeEnvelope(text: string): CachedEnvelope | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text, reviver);
  } catch {
    return undefined;
  }
  if (parsed === null || typeof parsed !== 'object') return undefined;
  const e = parsed as Partial<CachedEnvelope>;
  if (e.v !== 1 || !Array.isArray(e.g) || !e.g.every((n) => typeof n === 'number')) return undefined;
  const r = e.r as Partial<CachedResult> | undefined;
  if (!r || typeof r !== 'object' || !Array.isArray(r.rows) || typeof r.command !== 'string')
    return undefined;
  if (!Array.isArray(r.fields)) return undefined;
  return e as CachedEnvelope;
}
