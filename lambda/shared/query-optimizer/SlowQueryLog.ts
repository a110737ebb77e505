/**
 * Slow statements grouped by shape (libpg-query fingerprint): the same query with other literals is
 * one entry. Only the normalized text (literals replaced by `$n`) is kept, never parameter values.
 */
import { LRUCache } from 'lru-cache';
import type { PlanFinding, SlowQueryEntry } from './types.js';

const SAMPLES = 200;

interface Entry {
  fingerprint: string;
  normalizedSql: string;
  count: number;
  sum: number;
  max: number;
  samples: number[];
  lastSeen: number;
  lastFindings: PlanFinding[];
}

/**
 * A bounded slow-query log.
 *
 * @example
 * ```ts
 * const log = new SlowQueryLog(200);
 * log.record('abc123', 'SELECT * FROM orders WHERE id = $1', 812);
 * log.entries()[0]?.p95Millis;
 * ```
 */
export class SlowQueryLog {
  readonly #entries: LRUCache<string, Entry>;

  constructor(maxEntries: number) {
    this.#entries = new LRUCache<string, Entry>({ max: maxEntries });
  }

  /** Adds one execution. */
  record(fingerprint: string, normalizedSql: string, millis: number, findings?: PlanFinding[]): void {
    let entry = this.#entries.get(fingerprint);
    if (!entry) {
      entry = {
        fingerprint,
        normalizedSql,
        count: 0,
        sum: 0,
        max: 0,
        samples: [],
        lastSeen: 0,
        lastFindings: [],
      };
      this.#entries.set(fingerprint, entry);
    }
    entry.count++;
    entry.sum += millis;
    entry.max = Math.max(entry.max, millis);
    entry.lastSeen = Date.now();
    if (entry.samples.length >= SAMPLES) entry.samples.shift();
    entry.samples.push(millis);
    if (findings) entry.lastFindings = findings;
  }

  /** Replaces the findings of an entry (a later EXPLAIN finished). */
  setFindings(fingerprint: string, findings: PlanFinding[]): void {
    const entry = this.#entries.peek(fingerprint);
    if (entry) entry.lastFindings = findings;
  }

  /** Entries, slowest mean first. */
  entries(): SlowQueryEntry[] {
    const out: SlowQueryEntry[] = [];
    for (const e of this.#entries.values()) {
      const sorted = [...e.samples].sort((a, b) => a - b);
      const p95 = sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(0.95 * sorted.length) - 1))] ?? 0;
      out.push({
        fingerprint: e.fingerprint,
        normalizedSql: e.normalizedSql,
        count: e.count,
        meanMillis: e.sum / e.count,
        p95Millis: p95,
        maxMillis: e.max,
        lastSeen: new Date(e.lastSeen).toISOString(),
        lastFindings: e.lastFindings,
        source: 'optimizer',
      });
    }
    return out.sort((a, b) => b.meanMillis - a.meanMillis);
  }

  /** Forgets everything. */
  clear(): void {
    this.#entries.clear();
  }
}
