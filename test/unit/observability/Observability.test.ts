import { Logger } from '@aws-lambda-powertools/logger';
import { afterEach, describe, expect, it } from 'vitest';
import {
  configureObservability,
  getLogger,
  getMetrics,
  getTracer,
  MetricName,
  peekTracer,
  resetObservability,
} from '../../../lambda/shared/observability/index.js';

describe('observability', () => {
  afterEach(() => resetObservability());

  it('returns the same Logger and Metrics singletons on every call', () => {
    expect(getLogger()).toBe(getLogger());
    expect(getMetrics()).toBe(getMetrics());
  });

  it('uses the instances the user configures', () => {
    const logger = new Logger({ serviceName: 'orders' });
    configureObservability({ logger });
    expect(getLogger()).toBe(logger);
  });

  it('loads the Tracer only when asked', async () => {
    expect(peekTracer()).toBeUndefined();
    const tracer = await getTracer();
    expect(peekTracer()).toBe(tracer);
  });

  it('has unique metric names', () => {
    const names = Object.values(MetricName);
    expect(new Set(names).size).toBe(names.length);
  });
});
