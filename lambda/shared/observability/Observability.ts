import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { Tracer } from '@aws-lambda-powertools/tracer';
import { DEFAULT_SERVICE_NAME, METRICS_NAMESPACE } from './constants.js';

/** Instances a user can hand to the toolkit so its logs, metrics and traces join their own. */
export interface ObservabilityOptions {
  /**
   * The Powertools `Logger` every module logs through.
   * @default - a module-level `Logger` with `serviceName` from `POWERTOOLS_SERVICE_NAME` or `lambda-perf-kit`
   */
  logger?: Logger;
  /**
   * The Powertools `Metrics` every module publishes EMF through.
   * @default - a module-level `Metrics` in namespace `LambdaPerfKit`
   */
  metrics?: Metrics;
  /**
   * The Powertools `Tracer` used for subsegments.
   * @default - created on first use (it costs ~100 ms to import, so it stays off the cold path)
   */
  tracer?: Tracer;
}

// Module-level singletons on purpose: they must survive between invocations of one environment.
// They hold no per-invocation state.
let logger: Logger | undefined;
let metrics: Metrics | undefined;
let tracer: Tracer | undefined;
let tracerLoading: Promise<Tracer> | undefined;

function serviceName(): string {
  return process.env.POWERTOOLS_SERVICE_NAME ?? DEFAULT_SERVICE_NAME;
}

/**
 * Replaces the toolkit's Logger, Metrics and/or Tracer with the user's own instances.
 * Call it once at module scope, before creating pools or processors.
 *
 * @example
 * ```ts
 * import { Logger } from '@aws-lambda-powertools/logger';
 * import { configureObservability } from 'lambda-perf-kit/observability';
 * configureObservability({ logger: new Logger({ serviceName: 'orders' }) });
 * ```
 */
export function configureObservability(options: ObservabilityOptions): void {
  if (options.logger) logger = options.logger;
  if (options.metrics) metrics = options.metrics;
  if (options.tracer) {
    tracer = options.tracer;
    tracerLoading = Promise.resolve(options.tracer);
  }
}

/**
 * The Logger the toolkit logs through (created on first use).
 *
 * @example
 * ```ts
 * import { getLogger } from 'lambda-perf-kit/observability';
 * getLogger().info('pool ready', { max: 4 });
 * ```
 */
export function getLogger(): Logger {
  logger ??= new Logger({ serviceName: serviceName() });
  return logger;
}

/**
 * The Metrics instance the toolkit publishes EMF through (created on first use).
 * Call `publishStoredMetrics()` at the end of an invocation, or use Powertools' middleware.
 *
 * @example
 * ```ts
 * import { MetricUnit } from '@aws-lambda-powertools/metrics';
 * import { getMetrics, MetricName } from 'lambda-perf-kit/observability';
 * getMetrics().addMetric(MetricName.ColdStart, MetricUnit.Count, 1);
 * getMetrics().publishStoredMetrics();
 * ```
 */
export function getMetrics(): Metrics {
  metrics ??= new Metrics({
    namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? METRICS_NAMESPACE,
    serviceName: serviceName(),
  });
  return metrics;
}

/**
 * Publishes the stored metrics as one EMF line, if there are any. Powertools'
 * `publishStoredMetrics()` logs a warning on every call with nothing stored (a `/health` request,
 * say); this does not.
 *
 * @example
 * ```ts
 * import { flushMetrics } from 'lambda-perf-kit/observability';
 * export async function handler() {
 *   try { return await work(); } finally { flushMetrics(); }
 * }
 * ```
 */
export function flushMetrics(): void {
  const current = getMetrics();
  if (current.hasStoredMetrics()) current.publishStoredMetrics();
}

/** What {@link describeError} keeps of an error. */
export interface ErrorSummary {
  name: string;
  message: string;
  /** SQLSTATE or Node/AWS error code, when the error has one. */
  code?: string;
}

/**
 * The parts of an error that are safe to log: name, message and code. Powertools' Logger copies
 * every enumerable field of an error, and pg's `DatabaseError.detail` / `where` carry row values
 * (`Key (email)=(a@b.c) already exists`, `Failing row contains (...)`): those never reach a log.
 *
 * @example
 * ```ts
 * import { describeError, getLogger } from 'lambda-perf-kit/observability';
 * getLogger().error('insert failed', { error: describeError(error) });
 * ```
 */
export function describeError(error: unknown): ErrorSummary {
  if (!(error instanceof Error))
    return { name: 'NonError', message: typeof error === 'string' ? error : typeof error };
  const code = (error as { code?: unknown }).code;
  return { name: error.name, message: error.message, ...(typeof code === 'string' ? { code } : {}) };
}

/**
 * The Tracer, loaded on first call. `@aws-lambda-powertools/tracer` pulls in the X-Ray SDK
 * (~100 ms of import on Node 20), so nothing on the cold path waits for it.
 *
 * @example
 * ```ts
 * import { getTracer } from 'lambda-perf-kit/observability';
 * const tracer = await getTracer();
 * tracer.putAnnotation('route', '/orders');
 * ```
 */
export function getTracer(): Promise<Tracer> {
  tracerLoading ??= import('@aws-lambda-powertools/tracer').then((mod) => {
    tracer ??= new mod.Tracer({ serviceName: serviceName() });
    return tracer;
  });
  return tracerLoading;
}

/**
 * The Tracer if it is already loaded, else `undefined` (never triggers the import).
 * Modules use this to add subsegments only when tracing is already on.
 *
 * @example
 * ```ts
 * import { peekTracer } from 'lambda-perf-kit/observability';
 * peekTracer()?.putMetadata('rows', 10);
 * ```
 */
export function peekTracer(): Tracer | undefined {
  return tracer;
}

/**
 * Forgets the configured instances; the next getter creates fresh defaults. For tests.
 *
 * @example
 * ```ts
 * import { resetObservability } from 'lambda-perf-kit/observability';
 * afterEach(() => resetObservability());
 * ```
 */
export function resetObservability(): void {
  logger = undefined;
  metrics = undefined;
  tracer = undefined;
  tracerLoading = undefined;
}
