/**
 * The CloudWatch namespace every lambda-perf-kit metric is published under, unless the user's own
 * `Metrics` instance (or `POWERTOOLS_METRICS_NAMESPACE`) says otherwise.
 *
 * @example
 * ```ts
 * import { METRICS_NAMESPACE } from 'lambda-perf-kit/observability';
 * console.log(METRICS_NAMESPACE); // 'LambdaPerfKit'
 * ```
 */
export const METRICS_NAMESPACE = 'LambdaPerfKit';

/**
 * Every metric name the toolkit publishes, in one place so dashboards, alarms and code agree.
 * The CDK monitoring construct reads the same constants.
 *
 * @example
 * ```ts
 * import { MetricName } from 'lambda-perf-kit/observability';
 * metrics.addMetric(MetricName.PoolWaiting, MetricUnit.Count, 3);
 * ```
 */
export const MetricName = {
  // connection pool
  PoolTotal: 'PoolTotalConnections',
  PoolActive: 'PoolActiveConnections',
  PoolIdle: 'PoolIdleConnections',
  PoolWaiting: 'PoolWaitingClients',
  PoolErrors: 'PoolErrors',
  PoolQueryTime: 'PoolQueryTime',
  PoolConnectionsCreated: 'PoolConnectionsCreated',
  PoolReconnects: 'PoolReconnects',
  PoolRetries: 'PoolRetries',
  PoolPeak: 'PoolPeakConnections',
  PoolQueries: 'PoolQueries',
  PoolQueryTimeP95: 'PoolQueryTimeP95',
  // query optimizer
  CacheHit: 'CacheHit',
  CacheMiss: 'CacheMiss',
  CacheHitRate: 'CacheHitRate',
  CacheL2Errors: 'CacheL2Errors',
  QueryDuration: 'QueryDuration',
  SlowQuery: 'SlowQuery',
  AdvisorRun: 'IndexAdvisorRun',
  // lazy loader
  ModuleLoadTime: 'ModuleLoadTime',
  ColdStart: 'ColdStart',
  InitDuration: 'InitDuration',
  // batch processor
  RecordsProcessed: 'RecordsProcessed',
  RecordsFailed: 'RecordsFailed',
  RecordsRetried: 'RecordsRetried',
  RecordsTimedOut: 'RecordsTimedOut',
  BatchDuration: 'BatchDuration',
  WriterFlushed: 'BatchWriterFlushed',
  WriterFailed: 'BatchWriterFailed',
} as const;

/** A metric name published by the toolkit. */
export type MetricNameValue = (typeof MetricName)[keyof typeof MetricName];

/** The `serviceName` used for Logger/Metrics/Tracer when neither the user nor `POWERTOOLS_SERVICE_NAME` sets one. */
export const DEFAULT_SERVICE_NAME = 'lambda-perf-kit';
