export * from './bundling/index.js';
export type {
  PerfKitFunctionProps,
  ProvisionedConcurrencyOptions,
  ProvisionedConcurrencySchedule,
} from './constructs/api-function.js';
export { PerfKitFunction } from './constructs/api-function.js';
export type { CacheEngine, CacheMode, PerfKitCacheProps } from './constructs/cache.js';
export { AUTO_SCALING_NODE_FAMILIES, PerfKitCache } from './constructs/cache.js';
export type { PerfKitDatabaseProps } from './constructs/database.js';
export { AURORA_ACU_RANGE, PerfKitDatabase } from './constructs/database.js';
export type {
  MonitoredFunction,
  MonitoredQueue,
  PerfKitMonitoringOptions,
  PerfKitMonitoringProps,
} from './constructs/monitoring.js';
export { PerfKitMonitoring } from './constructs/monitoring.js';
export type { PerfKitNetworkProps } from './constructs/network.js';
export { PerfKitNetwork, SubnetGroup } from './constructs/network.js';
export type { PerfKitQueueWorkerProps } from './constructs/queue-worker.js';
export {
  MIN_MAX_RECEIVE_COUNT,
  PerfKitQueueWorker,
  VISIBILITY_TIMEOUT_FACTOR,
} from './constructs/queue-worker.js';
export type {
  PerfKitApiSettings,
  PerfKitFunctionSettings,
  PerfKitMaintenanceSettings,
  PerfKitStackProps,
  PerfKitStage,
  PerfKitWorkerSettings,
} from './perf-kit-stack.js';
export { PerfKitStack } from './perf-kit-stack.js';
