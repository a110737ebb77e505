/**
 * What the optimizer needs to know about a SQL text, from the real PostgreSQL parser (libpg-query,
 * WASM). The parser is imported on first use only, so it costs nothing at cold start unless used,
 * and each distinct SQL text is analysed once (kept in a small LRU).
 */
import { LRUCache } from 'lru-cache';
import { OPTIMIZER_DEFAULTS } from './constants.js';

type PgQuery = typeof import('libpg-query');

let parserLoading: Promise<PgQuery> | undefined;

/**
 * Loads libpg-query once (dynamic import + WASM init); failures are not cached.
 *
 * @example
 * ```ts
 * const { parseSync } = await loadSqlParser();
 * ```
 */
export function loadSqlParser(): Promise<PgQuery> {
  parserLoading ??= import('libpg-query')
    .then(async (mod) => {
      await mod.loadModule();
      return mod;
    })
    .catch((error: unknown) => {
      parserLoading = undefined;
      throw error;
    });
  return parserLoading;
}

/** A table a statement touches. */
export interface RelationRef {
  /** `undefined` when unqualified. */
  schema: string | undefined;
  name: string;
}

/** What the parser told about one SQL text. */
export interface SqlInfo {
  /** Token-normalized text (whitespace and keyword case folded; literals kept): part of the cache key. */
  normalized: string;
  /** A short per-process id of `normalized` (the L1 key uses it: hashing a long SQL text per hit costs). */
  id: number;
  /** Cache tags: `'*'` then `tables`. */
  tags: string[];
  /** The optimizer's generation counters of `tags` (resolved once, so a cache hit does no map lookups). */
  counters?: Array<{ v: number }>;
  /** Table tags (relation names, schema dropped: `public.orders` and `orders` share a tag). */
  tables: string[];
  relations: RelationRef[];
  /** A single SELECT with no data-modifying CTE, no FOR UPDATE/SHARE, no INTO. */
  readOnly: boolean;
  /** The parser could not read it (the server will say why when it runs). */
  parseFailed: boolean;
  /** Statements in the text. */
  statements: number;
  /** A top-level transaction-control or utility statement we cannot attribute to tables. */
  unknownEffects: boolean;
}

/** Statements with no effect on cached data. */
const NO_EFFECT = new Set(['VariableSetStmt', 'VariableShowStmt', 'TransactionStmt', 'ExplainStmt']);
const WRITE_NODES = new Set(['InsertStmt', 'UpdateStmt', 'DeleteStmt', 'MergeStmt']);

/** Walks a parse tree, calling `visit(nodeType, node)` for every `{ Type: {...} }` pair. */
export function walkAst(node: unknown, visit: (type: string, value: Record<string, unknown>) => void): void {
  if (Array.isArray(node)) {
    for (const item of node) walkAst(item, visit);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  // Statement targets (`UPDATE x`, `INSERT INTO x`, `relation` fields) hold a RangeVar body with no wrapper.
  if (typeof (node as Record<string, unknown>).relname === 'string') {
    visit('RangeVar', node as Record<string, unknown>);
  }
  for (const [key, value] of Object.entries(node as Record<string, unknown>)) {
    if (
      key !== 'RangeVar' &&
      value !== null &&
      typeof value === 'object' &&
      !Array.isArray(value) &&
      /^[A-Z]/.test(key)
    ) {
      visit(key, value as Record<string, unknown>);
    }
    walkAst(value, visit);
  }
}

function normalizeTokens(pg: PgQuery, sql: string): string {
  const { tokens } = pg.scanSync(sql);
  const parts: string[] = [];
  for (const token of tokens) {
    if (token.tokenName === 'SQL_COMMENT' || token.tokenName === 'C_COMMENT') continue;
    parts.push(token.keywordKind !== 0 ? token.text.toLowerCase() : token.text);
  }
  return parts.join(' ');
}

/**
 * Analyses a SQL text with the parser already loaded.
 *
 * @example
 * ```ts
 * const info = analyzeSqlWith(await loadSqlParser(), 'SELECT * FROM "Sales".orders o JOIN customers c ON c.id = o.customer_id');
 * info.tables; // ['orders', 'customers']
 * ```
 */
export function analyzeSqlWith(pg: PgQuery, sql: string): SqlInfo {
  let parsed: ReturnType<PgQuery['parseSync']>;
  try {
    parsed = pg.parseSync(sql);
  } catch {
    return {
      normalized: sql,
      id: 0,
      tags: ['*'],
      tables: [],
      relations: [],
      readOnly: false,
      parseFailed: true,
      statements: 1,
      unknownEffects: true,
    };
  }
  const stmts = (parsed.stmts ?? []) as Array<{ stmt?: Record<string, unknown> }>;
  const relations: RelationRef[] = [];
  const seen = new Set<string>();
  let writes = false;
  let locking = false;
  let into = false;
  walkAst(stmts, (type, value) => {
    if (type === 'RangeVar') {
      const name = value.relname as string | undefined;
      if (!name) return;
      const schema = value.schemaname as string | undefined;
      const id = `${schema ?? ''}.${name}`;
      if (!seen.has(id)) {
        seen.add(id);
        relations.push({ schema, name });
      }
    } else if (WRITE_NODES.has(type)) {
      writes = true;
    } else if (type === 'SelectStmt') {
      if (value.lockingClause) locking = true;
      if (value.intoClause) into = true;
    }
  });
  const topTypes = stmts.map((s) => Object.keys(s.stmt ?? {})[0] ?? '');
  const readOnly = stmts.length === 1 && topTypes[0] === 'SelectStmt' && !writes && !locking && !into;
  const known = topTypes.every(
    (t) =>
      t === 'SelectStmt' ||
      WRITE_NODES.has(t) ||
      t === 'TruncateStmt' ||
      t === 'AlterTableStmt' ||
      t === 'DropStmt' ||
      t === 'CreateStmt' ||
      t === 'IndexStmt',
  );
  const tables = [...new Set(relations.map((r) => r.name))];
  return {
    normalized: normalizeTokens(pg, sql),
    id: 0,
    tags: ['*', ...tables],
    tables,
    relations,
    readOnly,
    parseFailed: false,
    statements: stmts.length,
    unknownEffects:
      !topTypes.every((t) => NO_EFFECT.has(t)) && (!known || (!readOnly && relations.length === 0)),
  };
}

/**
 * Per-SQL-text analysis cache in front of the lazily loaded parser.
 *
 * @example
 * ```ts
 * const analyzer = new SqlAnalyzer();
 * const info = analyzer.peek(sql) ?? (await analyzer.analyze(sql));
 * ```
 */
export class SqlAnalyzer {
  // A plain Map (oldest dropped first when full): the cache-hit path reads it on every call.
  readonly #infos = new Map<string, SqlInfo>();
  readonly #maxInfos: number;
  readonly #ids = new LRUCache<string, number>({ max: 10_000 });
  #nextId = 0;
  readonly #fingerprints = new LRUCache<string, { fingerprint: string; normalized: string }>({ max: 500 });

  constructor(entries: number = OPTIMIZER_DEFAULTS.sqlInfoEntries) {
    this.#maxInfos = Math.max(1, entries);
  }

  /** The cached analysis, without loading anything. */
  peek(sql: string): SqlInfo | undefined {
    return this.#infos.get(sql);
  }

  /** Analyses (loading the parser on first use) and caches. */
  async analyze(sql: string): Promise<SqlInfo> {
    const cached = this.#infos.get(sql);
    if (cached) return cached;
    const info = analyzeSqlWith(await loadSqlParser(), sql);
    let id = this.#ids.get(info.normalized);
    if (id === undefined) {
      id = ++this.#nextId;
      this.#ids.set(info.normalized, id);
    }
    info.id = id;
    if (this.#infos.size >= this.#maxInfos) {
      const oldest = this.#infos.keys().next().value;
      if (oldest !== undefined) this.#infos.delete(oldest);
    }
    this.#infos.set(sql, info);
    return info;
  }

  /**
   * The query's shape: libpg-query fingerprint (same shape with other literals → same value) and
   * the text with literals replaced by `$n` (no parameter value kept).
   */
  async shape(sql: string): Promise<{ fingerprint: string; normalized: string }> {
    const cached = this.#fingerprints.get(sql);
    if (cached) return cached;
    const pg = await loadSqlParser();
    let result: { fingerprint: string; normalized: string };
    try {
      result = { fingerprint: pg.fingerprintSync(sql), normalized: pg.normalizeSync(sql) };
    } catch {
      result = { fingerprint: `unparsed:${sql.length}`, normalized: '<unparseable statement>' };
    }
    this.#fingerprints.set(sql, result);
    return result;
  }
}
