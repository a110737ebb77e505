export { MetricUnit } from '@aws-lambda-powertools/metrics';
export type { MetricNameValue } from './constants.js';
export { DEFAULT_SERVICE_NAME, METRICS_NAMESPACE, MetricName } from './constants.js';
export type { ErrorSummary, ObservabilityOptions } from './Observability.js';
export {
  configureObservability,
  describeError,
  flushMetrics,
  getLogger,
  getMetrics,
  getTracer,
  peekTracer,
  resetObservability,
} from './Observability.js';
