import { LATENCY_WINDOW, OUTCOME_WINDOW } from './constants.js';

/**
 * The pool's counters. Recording a query is O(1) (a ring buffer of the last 1024 durations and one
 * of the last 100 outcomes); the p95 is computed only when asked.
 */
export class PoolStats {
  queries = 0;
  errors = 0;
  totalQueryMillis = 0;
  connectionsCreated = 0;
  reconnects = 0;
  retries = 0;
  validations = 0;
  readerFallbacks = 0;
  credentialRefreshes = 0;
  peak = 0;

  readonly #latencies = new Float64Array(LATENCY_WINDOW);
  #latencyNext = 0;
  #latencyCount = 0;
  readonly #outcomes = new Uint8Array(OUTCOME_WINDOW);
  #outcomeNext = 0;
  #outcomeCount = 0;
  #recentFailures = 0;

  /** One `pool.query` call finished after `millis`; `failed` when its error reached the caller. */
  record(millis: number, failed: boolean): void {
    this.queries++;
    this.totalQueryMillis += millis;
    this.#latencies[this.#latencyNext] = millis;
    this.#latencyNext = (this.#latencyNext + 1) % LATENCY_WINDOW;
    if (this.#latencyCount < LATENCY_WINDOW) this.#latencyCount++;

    const outcome = failed ? 1 : 0;
    if (failed) this.errors++;
    if (this.#outcomeCount === OUTCOME_WINDOW)
      this.#recentFailures -= this.#outcomes[this.#outcomeNext] as number;
    else this.#outcomeCount++;
    this.#outcomes[this.#outcomeNext] = outcome;
    this.#recentFailures += outcome;
    this.#outcomeNext = (this.#outcomeNext + 1) % OUTCOME_WINDOW;
  }

  /** A connection was opened; `open` is how many are open now. */
  connected(open: number): void {
    this.connectionsCreated++;
    if (open > this.peak) this.peak = open;
  }

  /** Mean query time in ms (0 before the first query). */
  averageMillis(): number {
    return this.queries === 0 ? 0 : this.totalQueryMillis / this.queries;
  }

  /** 95th percentile of the last 1024 query times, in ms (0 before the first query). */
  p95Millis(): number {
    if (this.#latencyCount === 0) return 0;
    const sorted = this.#latencies.slice(0, this.#latencyCount).sort();
    return sorted[Math.min(sorted.length - 1, Math.ceil(0.95 * sorted.length) - 1)] as number;
  }

  /** Failures among the last (up to) 100 queries. */
  recentFailures(): { failed: number; of: number } {
    return { failed: this.#recentFailures, of: this.#outcomeCount };
  }
}
