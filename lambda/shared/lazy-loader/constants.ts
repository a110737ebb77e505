/**
 * Modules preloaded at the same time by `optimizeColdStart` unless told otherwise. One at a time
 * keeps each synchronous module evaluation short, so a request that arrives meanwhile waits for at
 * most one module.
 *
 * @example
 * ```ts
 * optimizeColdStart(loaders, { concurrency: DEFAULT_PRELOAD_CONCURRENCY });
 * ```
 */
export const DEFAULT_PRELOAD_CONCURRENCY = 1;

/**
 * The highest `concurrency` `optimizeColdStart` accepts.
 *
 * @example
 * ```ts
 * optimizeColdStart(loaders, { concurrency: MAX_PRELOAD_CONCURRENCY });
 * ```
 */
export const MAX_PRELOAD_CONCURRENCY = 16;

/**
 * The CloudWatch dimension that carries the module name on the `ModuleLoadTime` metric.
 *
 * @example
 * ```ts
 * new Metric({ metricName: 'ModuleLoadTime', dimensionsMap: { [MODULE_DIMENSION]: './orders.js' } });
 * ```
 */
export const MODULE_DIMENSION = 'Module';

/**
 * How many load records `getLoadTimes()` keeps (oldest dropped first).
 *
 * @example
 * ```ts
 * console.log(getLoadTimes().length <= MAX_LOAD_RECORDS); // true
 * ```
 */
export const MAX_LOAD_RECORDS = 256;
