/** Fake Powertools Metrics / Tracer / Logger handed to configureObservability, recording calls. */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { Tracer } from '@aws-lambda-powertools/tracer';

export interface RecordedMetric {
  dimensions: Record<string, string>;
  name: string;
  unit: string;
  value: number;
}

export function fakeMetrics(): { metrics: Metrics; published: RecordedMetric[] } {
  const published: RecordedMetric[] = [];
  const metrics = {
    singleMetric() {
      const dimensions: Record<string, string> = {};
      return {
        addDimension(name: string, value: string) {
          dimensions[name] = value;
        },
        addMetric(name: string, unit: string, value: number) {
          published.push({ dimensions: { ...dimensions }, name, unit, value });
        },
      };
    },
  } as unknown as Metrics;
  return { metrics, published };
}

export interface FakeSubsegment {
  name: string;
  annotations: Record<string, unknown>;
  metadata: Record<string, unknown>;
  errors: unknown[];
  closed: boolean;
}

export function fakeTracer(enabled = true): { tracer: Tracer; subsegments: FakeSubsegment[] } {
  const subsegments: FakeSubsegment[] = [];
  const segment = {
    addNewSubsegment(name: string) {
      const sub: FakeSubsegment = { name, annotations: {}, metadata: {}, errors: [], closed: false };
      subsegments.push(sub);
      return {
        addAnnotation: (k: string, v: unknown) => {
          sub.annotations[k] = v;
        },
        addMetadata: (k: string, v: unknown) => {
          sub.metadata[k] = v;
        },
        addError: (e: unknown) => {
          sub.errors.push(e);
        },
        close: () => {
          sub.closed = true;
        },
      };
    },
  };
  const tracer = {
    isTracingEnabled: () => enabled,
    getSegment: () => segment,
  } as unknown as Tracer;
  return { tracer, subsegments };
}

export function fakeLogger(): { logger: Logger; warnings: Array<{ message: string; extra: unknown }> } {
  const warnings: Array<{ message: string; extra: unknown }> = [];
  const logger = {
    warn(message: string, extra?: unknown) {
      warnings.push({ message, extra });
    },
    info() {},
    debug() {},
    error() {},
  } as unknown as Logger;
  return { logger, warnings };
}
