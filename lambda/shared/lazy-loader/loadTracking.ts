import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { getLogger, getMetrics, MetricName, peekTracer } from '../observability/index.js';
import { MAX_LOAD_RECORDS, MODULE_DIMENSION } from './constants.js';
import type { ModuleLoadRecord } from './types.js';

// Module-level on purpose: load times describe this execution environment, not one invocation.
const records: ModuleLoadRecord[] = [];

/**
 * Every module load the lazy loader has timed in this environment (successes and failures, oldest
 * first, at most {@link MAX_LOAD_RECORDS}).
 *
 * @example
 * ```ts
 * import { getLoadTimes } from 'lambda-perf-kit/lazy';
 * for (const r of getLoadTimes()) console.log(r.module, r.durationMillis.toFixed(1), 'ms');
 * ```
 */
export function getLoadTimes(): readonly ModuleLoadRecord[] {
  return [...records];
}

/**
 * Forgets the recorded load times. For tests.
 *
 * @example
 * ```ts
 * afterEach(() => clearLoadTimes());
 * ```
 */
export function clearLoadTimes(): void {
  records.length = 0;
  pending.length = 0;
}

/** A timed load in progress: `end(ok)` records it, publishes the metric and closes the trace subsegment. */
export interface LoadTimer {
  end(ok: boolean, error?: unknown): number;
}

/**
 * Starts timing the load of `module`: adds an X-Ray subsegment `## lazy <module>` when a Tracer
 * is already loaded and tracing is on (never imports the tracer itself).
 *
 * @example
 * ```ts
 * const timer = startLoadTimer('./orders.js');
 * const mod = await import('./orders.js');
 * timer.end(true);
 * ```
 */
export function startLoadTimer(module: string): LoadTimer {
  const startedAt = Date.now();
  const start = performance.now();
  const subsegment = openSubsegment(module);
  return {
    end(ok: boolean, error?: unknown): number {
      const durationMillis = performance.now() - start;
      records.push({ module, durationMillis, ok, startedAt });
      if (records.length > MAX_LOAD_RECORDS) records.shift();
      if (subsegment) closeSubsegment(subsegment, durationMillis, ok, error);
      if (ok) queuePublish(module, durationMillis);
      return durationMillis;
    },
  };
}

interface SubsegmentLike {
  addAnnotation(key: string, value: string | number | boolean): void;
  addMetadata(key: string, value: unknown): void;
  addError(error: Error | string): void;
  close(): void;
}

function openSubsegment(module: string): SubsegmentLike | undefined {
  const tracer = peekTracer();
  if (!tracer?.isTracingEnabled()) return undefined;
  try {
    const parent = tracer.getSegment();
    const subsegment = parent?.addNewSubsegment(`## lazy ${module}`) as SubsegmentLike | undefined;
    subsegment?.addAnnotation('module', module);
    return subsegment;
  } catch {
    return undefined; // tracing must never break a load
  }
}

function closeSubsegment(
  subsegment: SubsegmentLike,
  durationMillis: number,
  ok: boolean,
  error: unknown,
): void {
  try {
    subsegment.addMetadata('loadTimeMillis', durationMillis);
    if (!ok) subsegment.addError(error instanceof Error ? error : String(error));
    subsegment.close();
  } catch {
    // a closed or detached segment: nothing to report
  }
}

// Load times waiting to be published. They are published together on a later turn of the event
// loop, so that writing EMF never sits between a module load and the code waiting for it.
const pending: Array<{ module: string; durationMillis: number }> = [];
let flushScheduled = false;

function queuePublish(module: string, durationMillis: number): void {
  pending.push({ module, durationMillis });
  if (flushScheduled) return;
  flushScheduled = true;
  setImmediate(flushLoadTimes);
}

/**
 * Publishes the module load times not yet published (one EMF record per module, metric
 * `ModuleLoadTime` with dimension `Module`). Runs by itself shortly after each load; call it before
 * the end of an invocation to be sure nothing waits for the next one.
 *
 * @example
 * ```ts
 * import { flushLoadTimes } from 'lambda-perf-kit/lazy';
 * flushLoadTimes();
 * ```
 */
export function flushLoadTimes(): void {
  flushScheduled = false;
  const batch = pending.splice(0, pending.length);
  for (const { module, durationMillis } of batch) {
    try {
      const metric = getMetrics().singleMetric();
      metric.addDimension(MODULE_DIMENSION, module);
      metric.addMetric(MetricName.ModuleLoadTime, MetricUnit.Milliseconds, durationMillis);
    } catch (error) {
      getLogger().warn('lazy-loader: could not publish the module load time', {
        module,
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }
}
