/**
 * The index advisor: candidate indexes from the predicates, join keys and ORDER BY of a workload,
 * each verified by planned cost before/after on one checked-out client, with HypoPG hypothetical
 * indexes (or, opt-in, real indexes inside a transaction that is rolled back).
 */
import { deallocatePending, explainGeneric } from './GenericPlan.js';
import { loadSqlParser, walkAst } from './SqlAnalyzer.js';
import { quoteIdent } from './sqlText.js';
import type { IndexAdvice, IndexSuggestion, Queryable, QueryableClient } from './types.js';

/** Resolved options of {@link adviseIndexes}. */
export interface AdviseOptions {
  minCostSaving: number;
  verifyWithRealIndexes: boolean;
}

interface TableRef {
  oid: number;
  schema: string;
  name: string;
  columns: Set<string>;
}

interface Candidate {
  table: TableRef;
  columns: string[];
  /** Indexes of the workload queries it was derived from. */
  queries: Set<number>;
}

interface Usage {
  candidate: Candidate;
  query: number;
  costBefore: number;
  costAfter: number;
}

type Role = 'eq' | 'range' | 'sort';

const EQ_OPS = new Set(['=']);
const RANGE_OPS = new Set(['<', '>', '<=', '>=', '~~', 'LIKE']);
const MAX_CANDIDATES = 60;

function columnRef(node: unknown): string[] | undefined {
  const ref = (node as { ColumnRef?: { fields?: Array<{ String?: { sval?: string } }> } } | undefined)
    ?.ColumnRef;
  if (!ref?.fields) return undefined;
  const parts = ref.fields.map((f) => f.String?.sval);
  if (parts.some((p) => p === undefined)) return undefined;
  return parts as string[];
}

function opName(expr: Record<string, unknown>): string {
  const name = expr.name as Array<{ String?: { sval?: string } }> | undefined;
  return name?.[0]?.String?.sval ?? '';
}

/** What one statement uses: relations by alias and column references with their role. */
interface Usages {
  relations: Array<{ alias: string; schema: string | undefined; name: string }>;
  refs: Array<{ parts: string[]; role: Role }>;
}

function collect(stmt: unknown): Usages {
  const out: Usages = { relations: [], refs: [] };
  walkAst(stmt, (type, value) => {
    if (type === 'RangeVar') {
      const name = value.relname as string;
      const alias = (value.alias as { aliasname?: string } | undefined)?.aliasname ?? name;
      out.relations.push({ alias, schema: value.schemaname as string | undefined, name });
    } else if (type === 'A_Expr') {
      const kind = value.kind as string;
      const l = columnRef(value.lexpr);
      const r = columnRef(value.rexpr);
      const op = opName(value);
      if (kind === 'AEXPR_OP' && EQ_OPS.has(op)) {
        if (l) out.refs.push({ parts: l, role: 'eq' });
        if (r) out.refs.push({ parts: r, role: 'eq' });
      } else if (
        (kind === 'AEXPR_OP' && RANGE_OPS.has(op)) ||
        kind === 'AEXPR_LIKE' ||
        kind.startsWith('AEXPR_BETWEEN')
      ) {
        if (l) out.refs.push({ parts: l, role: 'range' });
        if (r) out.refs.push({ parts: r, role: 'range' });
      } else if (kind === 'AEXPR_IN' || kind === 'AEXPR_OP_ANY') {
        if (l) out.refs.push({ parts: l, role: 'eq' });
      }
    } else if (type === 'SortBy') {
      const c = columnRef(value.node);
      if (c) out.refs.push({ parts: c, role: 'sort' });
    }
  });
  return out;
}

function planInfo(plan: unknown): { cost: number; indexes: Set<string> } {
  const top = (Array.isArray(plan) ? plan[0] : plan) as { Plan?: Record<string, unknown> } | undefined;
  const indexes = new Set<string>();
  const visit = (node: Record<string, unknown>): void => {
    if (typeof node['Index Name'] === 'string') indexes.add(node['Index Name']);
    for (const child of (node.Plans as Array<Record<string, unknown>> | undefined) ?? []) visit(child);
  };
  if (top?.Plan) visit(top.Plan);
  return { cost: Number(top?.Plan?.['Total Cost'] ?? Number.NaN), indexes };
}

function indexName(table: string, columns: readonly string[]): string {
  const raw = `${table}_${columns.join('_')}_idx`.replace(/[^A-Za-z0-9_]/g, '_').toLowerCase();
  return raw.length <= 63 ? raw : `${raw.slice(0, 54)}_${Math.abs(hash(raw)).toString(36).slice(0, 8)}`;
}

function hash(text: string): number {
  let h = 0;
  for (let i = 0; i < text.length; i++) h = (Math.imul(31, h) + text.charCodeAt(i)) | 0;
  return h;
}

/** Verifies candidates on one client: HypoPG or real indexes in a rolled-back transaction. */
class Verifier {
  #seq = 0;

  constructor(
    private readonly client: QueryableClient,
    readonly method: 'hypopg' | 'real-index-rolled-back',
  ) {}

  async begin(): Promise<void> {
    if (this.method === 'real-index-rolled-back') {
      await this.client.query('BEGIN');
      await this.client.query(`SET LOCAL lock_timeout = '5s'`);
      await this.client.query(`SET LOCAL plan_cache_mode = force_generic_plan`);
    } else {
      await this.client.query(`SET plan_cache_mode = force_generic_plan`);
    }
  }

  async end(): Promise<void> {
    if (this.method === 'real-index-rolled-back') {
      await this.client.query('ROLLBACK');
    } else {
      await this.client.query('SELECT hypopg_reset()');
      await this.client.query('RESET plan_cache_mode');
    }
  }

  /** Planned cost and indexes used; `undefined` if the statement cannot be planned. */
  async cost(sql: string): Promise<{ cost: number; indexes: Set<string> } | undefined> {
    const inTx = this.method === 'real-index-rolled-back';
    if (inTx) await this.client.query('SAVEPOINT lpk_adv');
    try {
      const plan = await explainGeneric(this.client, sql, inTx);
      if (inTx) {
        await this.client.query('RELEASE SAVEPOINT lpk_adv');
        await deallocatePending(this.client);
      }
      const info = planInfo(plan);
      return Number.isFinite(info.cost) ? info : undefined;
    } catch {
      if (inTx) {
        await this.client.query('ROLLBACK TO SAVEPOINT lpk_adv');
        await deallocatePending(this.client);
      }
      return undefined;
    }
  }

  /** Creates the index; returns its name as plans show it and a dropper. */
  async create(c: Candidate): Promise<{ name: string; drop: () => Promise<void> }> {
    const ddl = `ON ${quoteIdent(c.table.schema)}.${quoteIdent(c.table.name)} (${c.columns.map(quoteIdent).join(', ')})`;
    if (this.method === 'hypopg') {
      const { rows } = await this.client.query('SELECT indexrelid, indexname FROM hypopg_create_index($1)', [
        `CREATE INDEX ${ddl}`,
      ]);
      const row = rows[0] as { indexrelid: number; indexname: string };
      return {
        name: row.indexname,
        drop: async () => {
          await this.client.query('SELECT hypopg_drop_index($1)', [row.indexrelid]);
        },
      };
    }
    const name = `lpk_adv_idx_${++this.#seq}`;
    await this.client.query(`CREATE INDEX ${quoteIdent(name)} ${ddl}`);
    return {
      name,
      drop: async () => {
        await this.client.query(`DROP INDEX ${quoteIdent(c.table.schema)}.${quoteIdent(name)}`);
      },
    };
  }
}

/**
 * Suggests indexes for a workload of statements (literals or `$n` placeholders).
 *
 * @example
 * ```ts
 * const advice = await adviseIndexes(pool, ['SELECT * FROM orders WHERE customer_id = $1'], {
 *   minCostSaving: 0.5,
 *   verifyWithRealIndexes: false,
 * });
 * for (const s of advice.suggestions) console.log(s.statement);
 * ```
 */
export async function adviseIndexes(
  pool: Queryable,
  queries: readonly string[],
  o: AdviseOptions,
): Promise<IndexAdvice> {
  if (!Number.isFinite(o.minCostSaving) || o.minCostSaving <= 0 || o.minCostSaving >= 1) {
    throw new RangeError(`minCostSaving must be in (0, 1) (received ${String(o.minCostSaving)})`);
  }
  const notes: string[] = [];
  const advice: IndexAdvice = {
    method: 'none',
    suggestions: [],
    queriesAnalyzed: 0,
    candidatesTried: 0,
    notes,
  };
  if (queries.length === 0) {
    notes.push('no slow queries observed yet (and no `queries` given): nothing to analyse');
    return advice;
  }
  const pg = await loadSqlParser();
  const client = await pool.connect();
  let broken = false;
  try {
    const hypopg = (await client.query(`SELECT 1 FROM pg_extension WHERE extname = 'hypopg'`)).rowCount;
    const method: 'hypopg' | 'real-index-rolled-back' = hypopg ? 'hypopg' : 'real-index-rolled-back';
    if (!hypopg && o.verifyWithRealIndexes) {
      notes.push(
        'HypoPG is not installed: verified with real indexes built inside a transaction that was rolled back ' +
          '(each build took a SHARE lock on its table while it ran).',
      );
    } else if (!hypopg) {
      notes.push(
        'HypoPG is not installed in this database, so candidates cannot be verified without building them. ' +
          'Install it (CREATE EXTENSION hypopg; available on Amazon RDS/Aurora PostgreSQL) or pass ' +
          '{ verifyWithRealIndexes: true } to check each candidate with a real index in a rolled-back transaction.',
      );
    }

    // Candidates from every statement.
    const tableCache = new Map<string, TableRef | null>();
    const resolveTable = async (schema: string | undefined, name: string): Promise<TableRef | undefined> => {
      const qualified = schema ? `${quoteIdent(schema)}.${quoteIdent(name)}` : quoteIdent(name);
      if (!tableCache.has(qualified)) {
        const { rows } = await client.query(
          `SELECT c.oid::int AS oid, n.nspname AS schema, c.relname AS name,
                  array(SELECT attname::text FROM pg_attribute WHERE attrelid = c.oid AND attnum > 0 AND NOT attisdropped) AS columns
             FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.oid = to_regclass($1) AND c.relkind IN ('r', 'p', 'm')`,
          [qualified],
        );
        const r = rows[0] as { oid: number; schema: string; name: string; columns: string[] } | undefined;
        tableCache.set(
          qualified,
          r ? { oid: r.oid, schema: r.schema, name: r.name, columns: new Set(r.columns) } : null,
        );
      }
      return tableCache.get(qualified) ?? undefined;
    };
    const candidates = new Map<string, Candidate>();
    const addCandidate = (table: TableRef, columns: string[], query: number): void => {
      const id = `${table.oid}:${columns.join(',')}`;
      let c = candidates.get(id);
      if (!c) {
        c = { table, columns, queries: new Set() };
        candidates.set(id, c);
      }
      c.queries.add(query);
    };
    const workload: string[] = [];
    for (const sql of queries) {
      let stmts: unknown;
      try {
        stmts = pg.parseSync(sql).stmts;
      } catch {
        notes.push(`skipped a statement the parser cannot read: ${sql.slice(0, 80)}`);
        continue;
      }
      if (!Array.isArray(stmts) || stmts.length !== 1) {
        // Planning it would run every statement after the first for real (simple protocol).
        notes.push(
          `skipped text with ${Array.isArray(stmts) ? stmts.length : 0} statements (one at a time): ${sql.slice(0, 80)}`,
        );
        continue;
      }
      const q = workload.length;
      workload.push(sql);
      const used = collect(stmts);
      const byAlias = new Map<string, TableRef>();
      const tables: TableRef[] = [];
      for (const rel of used.relations) {
        const t = await resolveTable(rel.schema, rel.name);
        if (!t) continue;
        byAlias.set(rel.alias, t);
        byAlias.set(rel.name, t);
        if (!tables.includes(t)) tables.push(t);
      }
      const perTable = new Map<TableRef, { eq: string[]; range: string[]; sort: string[] }>();
      for (const ref of used.refs) {
        const column = ref.parts.at(-1) as string;
        let table: TableRef | undefined;
        if (ref.parts.length >= 2) table = byAlias.get(ref.parts.at(-2) as string);
        else table = tables.find((t) => t.columns.has(column));
        if (!table?.columns.has(column)) continue;
        let slot = perTable.get(table);
        if (!slot) {
          slot = { eq: [], range: [], sort: [] };
          perTable.set(table, slot);
        }
        const list = slot[ref.role];
        if (!list.includes(column)) list.push(column);
      }
      for (const [table, s] of perTable) {
        for (const col of [...s.eq, ...s.range, ...s.sort]) addCandidate(table, [col], q);
        const eq = s.eq.slice(0, 2);
        for (const tail of [...s.range, ...s.sort]) {
          if (eq.length > 0 && !eq.includes(tail)) addCandidate(table, [...eq, tail], q);
        }
        if (eq.length === 2) addCandidate(table, eq, q);
      }
    }
    advice.queriesAnalyzed = workload.length;

    // Skip what an existing index already covers (same leading columns).
    const existing = new Map<number, string[][]>();
    const tableOids = [...new Set([...candidates.values()].map((c) => c.table.oid))];
    if (tableOids.length > 0) {
      const { rows } = await client.query(
        `SELECT i.indrelid::int AS oid,
                array(SELECT a.attname::text FROM unnest(i.indkey::int2[]) WITH ORDINALITY k(attnum, ord)
                        JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum ORDER BY k.ord) AS columns
           FROM pg_index i WHERE i.indrelid = ANY($1::oid[]) AND i.indisvalid AND i.indpred IS NULL`,
        [tableOids],
      );
      for (const r of rows as Array<{ oid: number; columns: string[] }>) {
        const list = existing.get(r.oid) ?? [];
        list.push(r.columns);
        existing.set(r.oid, list);
      }
    }
    const ordered = [...candidates.values()]
      .filter((c) => {
        const covered = (existing.get(c.table.oid) ?? []).some((cols) =>
          c.columns.every((col, i) => cols[i] === col),
        );
        return !covered;
      })
      .sort((a, b) => a.columns.length - b.columns.length)
      .slice(0, MAX_CANDIDATES);

    if (!hypopg && !o.verifyWithRealIndexes) {
      for (const c of ordered) {
        notes.push(`unverified candidate: ${c.table.schema}.${c.table.name} (${c.columns.join(', ')})`);
      }
      return advice;
    }
    advice.method = method;
    const verifier = new Verifier(client, method);
    await verifier.begin();
    try {
      const baseline: Array<number | undefined> = [];
      for (const sql of workload) baseline.push((await verifier.cost(sql))?.cost);
      baseline.forEach((b, i) => {
        if (b === undefined) notes.push(`could not plan (skipped): ${(workload[i] ?? '').slice(0, 80)}`);
      });

      // Single-column candidates first, then multi-column ones.
      const usages: Usage[] = [];
      for (const c of ordered) {
        advice.candidatesTried++;
        const index = await verifier.create(c);
        try {
          for (const q of c.queries) {
            const before = baseline[q];
            if (before === undefined || before <= 0) continue;
            const after = await verifier.cost(workload[q] as string);
            if (!after?.indexes.has(index.name)) continue;
            if (1 - after.cost / before >= o.minCostSaving) {
              usages.push({ candidate: c, query: q, costBefore: before, costAfter: after.cost });
            }
          }
        } finally {
          await index.drop();
        }
      }

      // Per query: the cheapest plan; a multi-column index only if it beats the best single by 10%.
      const chosen = new Set<Candidate>();
      for (let q = 0; q < workload.length; q++) {
        const mine = usages.filter((u) => u.query === q).sort((a, b) => a.costAfter - b.costAfter);
        const best = mine[0];
        if (!best) continue;
        const bestSingle = mine.find((u) => u.candidate.columns.length === 1);
        chosen.add(
          bestSingle && best.candidate.columns.length > 1 && best.costAfter > bestSingle.costAfter * 0.9
            ? bestSingle.candidate
            : best.candidate,
        );
      }

      // An index whose columns lead another chosen index is redundant: the longer one serves both.
      for (const c of [...chosen]) {
        const covered = [...chosen].some(
          (other) =>
            other !== c &&
            other.table === c.table &&
            other.columns.length > c.columns.length &&
            c.columns.every((col, i) => other.columns[i] === col),
        );
        if (covered) chosen.delete(c);
      }

      // All chosen together: keep only the indexes the plans actually use.
      const created: Array<{ c: Candidate; name: string; drop: () => Promise<void> }> = [];
      for (const c of chosen) created.push({ c, ...(await verifier.create(c)) });
      const byName = new Map(created.map((x) => [x.name, x]));
      const helped = new Map<Candidate, IndexSuggestion['queries']>();
      for (let q = 0; q < workload.length; q++) {
        const before = baseline[q];
        if (before === undefined) continue;
        const after = await verifier.cost(workload[q] as string);
        if (!after) continue;
        const saving = 1 - after.cost / before;
        for (const name of after.indexes) {
          const x = byName.get(name);
          if (!x || saving < o.minCostSaving) continue;
          const list = helped.get(x.c) ?? [];
          list.push({ sql: workload[q] as string, costBefore: before, costAfter: after.cost, saving });
          helped.set(x.c, list);
        }
      }
      for (const x of created) {
        const list = helped.get(x.c);
        if (!list) {
          notes.push(`dropped (unused once the others exist): ${x.c.table.name} (${x.c.columns.join(', ')})`);
          continue;
        }
        advice.suggestions.push({
          statement: `CREATE INDEX CONCURRENTLY IF NOT EXISTS ${quoteIdent(indexName(x.c.table.name, x.c.columns))} ON ${quoteIdent(x.c.table.schema)}.${quoteIdent(x.c.table.name)} (${x.c.columns.map(quoteIdent).join(', ')})`,
          schema: x.c.table.schema,
          table: x.c.table.name,
          columns: x.c.columns,
          queries: list,
          saving: Math.max(...list.map((l) => l.saving)),
        });
      }
      advice.suggestions.sort((a, b) => b.saving - a.saving);
    } finally {
      await verifier.end();
    }
    return advice;
  } catch (error) {
    broken = true;
    throw error;
  } finally {
    // A client that failed mid-way may hold hypothetical indexes or an open transaction: destroy it.
    client.release(broken);
  }
}
