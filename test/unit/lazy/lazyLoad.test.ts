import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  clearLazyCache,
  clearLoadTimes,
  flushLoadTimes,
  getLoadTimes,
  isLoaded,
  LazyLoadError,
  lazyLoad,
} from '../../../lambda/shared/lazy-loader/index.js';
import { configureObservability, resetObservability } from '../../../lambda/shared/observability/index.js';
import { fakeMetrics, fakeTracer } from './fakes.js';

function deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void; reject: (e: unknown) => void } {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

let metrics: ReturnType<typeof fakeMetrics>;

beforeEach(() => {
  metrics = fakeMetrics();
  configureObservability({ metrics: metrics.metrics });
});

afterEach(() => {
  clearLazyCache();
  clearLoadTimes();
  resetObservability();
});

describe('lazyLoad', () => {
  it('shares one load among concurrent callers (single-flight)', async () => {
    // Prepare
    let calls = 0;
    const gate = deferred<{ run: () => string }>();
    const loader = () => {
      calls++;
      return gate.promise;
    };

    // Act
    const waiting = Array.from({ length: 25 }, () => lazyLoad(loader, 'run'));
    await new Promise((resolve) => setImmediate(resolve));
    gate.resolve({ run: () => 'ran' });
    const results = await Promise.all(waiting);

    // Assess
    expect(calls).toBe(1);
    expect(new Set(results).size).toBe(1);
    expect(results[0]?.()).toBe('ran');
  });

  it('serves later calls from the cache', async () => {
    // Prepare
    let calls = 0;
    const loader = async () => {
      calls++;
      return { value: 1 };
    };

    // Act
    await lazyLoad(loader, 'value');
    await lazyLoad(loader, 'value');
    const whole = await lazyLoad(loader);

    // Assess
    expect(calls).toBe(1);
    expect(whole).toEqual({ value: 1 });
    expect(isLoaded(loader)).toBe(true);
  });

  it('does not cache a failure: the next call retries, and the error names the module', async () => {
    // Prepare
    let calls = 0;
    const loader = async () => {
      calls++;
      if (calls === 1) throw new Error('ECONNRESET while reading chunk');
      return { ok: true };
    };

    // Act
    const first = await lazyLoad(loader, 'ok', { name: 'orders-module' }).catch((e: unknown) => e);
    const second = await lazyLoad(loader, 'ok', { name: 'orders-module' });

    // Assess
    expect(first).toBeInstanceOf(LazyLoadError);
    expect((first as LazyLoadError).moduleName).toBe('orders-module');
    expect((first as LazyLoadError).message).toContain("'orders-module'");
    expect((first as LazyLoadError).message).toContain('ECONNRESET');
    expect((first as LazyLoadError).cause).toBeInstanceOf(Error);
    expect(second).toBe(true);
    expect(calls).toBe(2);
  });

  it('rejects every concurrent caller of a failed load, then retries', async () => {
    // Prepare
    let calls = 0;
    const loader = async () => {
      calls++;
      if (calls === 1) throw new Error('boom');
      return { n: calls };
    };

    // Act
    const settled = await Promise.allSettled([
      lazyLoad(loader, 'n'),
      lazyLoad(loader, 'n'),
      lazyLoad(loader, 'n'),
    ]);
    const retried = await lazyLoad(loader, 'n');

    // Assess
    expect(settled.every((s) => s.status === 'rejected')).toBe(true);
    expect(calls).toBe(2);
    expect(retried).toBe(2);
  });

  it('loads a real module through a loader and displays its path', async () => {
    // Prepare
    const loader = () => import('./fixtures/heavy.js');

    // Act
    const answer = await lazyLoad(loader, 'answer');

    // Assess
    expect(answer()).toBe(42);
    // Vitest rewrites the import path; esbuild keeps the chunk path. Either way the path is shown.
    expect(getLoadTimes().at(-1)?.module).toMatch(/heavy\.(js|ts)$/);
  });

  it('loads a package by name and names it when it is missing', async () => {
    // Act
    const parse = await lazyLoad<typeof import('node:path').parse>('node:path', 'parse');
    const missing = await lazyLoad('lpk-package-that-does-not-exist', 'x').catch((e: unknown) => e);

    // Assess
    expect(parse('/a/b.txt').base).toBe('b.txt');
    expect(missing).toBeInstanceOf(LazyLoadError);
    expect((missing as Error).message).toContain("'lpk-package-that-does-not-exist'");
  });

  it('says which exports exist when the asked one does not', async () => {
    // Prepare
    const loader = async () => ({ alpha: 1, beta: 2 });

    // Act
    const error = await lazyLoad(loader, 'gamma' as never).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(LazyLoadError);
    expect((error as Error).message).toContain("no export 'gamma'");
    expect((error as Error).message).toContain('alpha, beta');
  });

  it('refuses a relative string path and points to the loader form', () => {
    // Act / Assess
    expect(() => lazyLoad('./heavy.js', 'x')).toThrow(TypeError);
    expect(() => lazyLoad('./heavy.js', 'x')).toThrow(/lazyLoad\(\(\) => import\('\.\/heavy\.js'\)/);
  });

  it('keys inline loaders by name when a name is given', async () => {
    // Prepare
    let calls = 0;
    const load = () =>
      lazyLoad(
        async () => {
          calls++;
          return { v: 1 };
        },
        'v',
        { name: 'inline' },
      );

    // Act
    await load();
    await load();

    // Assess
    expect(calls).toBe(1);
  });

  it('records load times and publishes ModuleLoadTime with a Module dimension', async () => {
    // Prepare
    const loader = async () => ({ x: 1 });

    // Act
    await lazyLoad(loader, 'x', { name: 'timed-module' });
    flushLoadTimes();

    // Assess
    const record = getLoadTimes().find((r) => r.module === 'timed-module');
    expect(record?.ok).toBe(true);
    expect(record?.durationMillis).toBeGreaterThanOrEqual(0);
    expect(metrics.published).toEqual([
      expect.objectContaining({
        name: 'ModuleLoadTime',
        unit: 'Milliseconds',
        dimensions: { Module: 'timed-module' },
      }),
    ]);
  });

  it('publishes on its own shortly after the load', async () => {
    // Act
    await lazyLoad(async () => ({ y: 1 }), 'y', { name: 'auto-flushed' });
    await new Promise((resolve) => setImmediate(resolve));

    // Assess
    expect(metrics.published.map((m) => m.dimensions.Module)).toContain('auto-flushed');
  });

  it('adds an X-Ray subsegment per load when a Tracer is loaded and tracing is on', async () => {
    // Prepare
    const { tracer, subsegments } = fakeTracer(true);
    configureObservability({ tracer });

    // Act
    await lazyLoad(async () => ({ z: 1 }), 'z', { name: 'traced' });
    await lazyLoad(
      async () => {
        throw new Error('nope');
      },
      undefined,
      { name: 'traced-fail' },
    ).catch(() => undefined);

    // Assess
    expect(subsegments.map((s) => s.name)).toEqual(['## lazy traced', '## lazy traced-fail']);
    expect(subsegments.every((s) => s.closed)).toBe(true);
    expect(subsegments[0]?.annotations.module).toBe('traced');
    expect(subsegments[1]?.errors).toHaveLength(1);
  });

  it('adds no subsegment when tracing is off', async () => {
    // Prepare
    const { tracer, subsegments } = fakeTracer(false);
    configureObservability({ tracer });

    // Act
    await lazyLoad(async () => ({ z: 1 }), 'z', { name: 'untraced' });

    // Assess
    expect(subsegments).toHaveLength(0);
  });
});
