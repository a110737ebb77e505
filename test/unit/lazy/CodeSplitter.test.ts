import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  clearLazyCache,
  clearLoadTimes,
  createCodeSplitter,
  LazyLoadError,
  UnknownRouteError,
} from '../../../lambda/shared/lazy-loader/index.js';
import { configureObservability, resetObservability } from '../../../lambda/shared/observability/index.js';
import { fakeMetrics } from './fakes.js';

type Handler = (event: { id: number }) => Promise<string>;

beforeEach(() => {
  configureObservability({ metrics: fakeMetrics().metrics });
});

afterEach(() => {
  clearLazyCache();
  clearLoadTimes();
  resetObservability();
});

describe('createCodeSplitter', () => {
  it('rejects an unknown route with an error that lists the known routes', async () => {
    // Prepare
    const splitter = createCodeSplitter<Handler>()
      .register('GET /health', async () => ({ handler: async () => 'ok' }))
      .register('GET /orders', async () => ({ handler: async () => 'orders' }));

    // Act
    const error = await splitter.getHandler('POST /nope').catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(UnknownRouteError);
    expect((error as UnknownRouteError).route).toBe('POST /nope');
    expect((error as UnknownRouteError).knownRoutes).toEqual(['GET /health', 'GET /orders']);
    expect((error as Error).message).toBe(
      "Unknown route 'POST /nope'. Known routes: 'GET /health', 'GET /orders'. Register it with splitter.register(route, loader).",
    );
  });

  it('loads a route on first use, once, even under concurrent requests', async () => {
    // Prepare
    let loads = 0;
    const splitter = createCodeSplitter<Handler>().register('GET /orders', async () => {
      loads++;
      await new Promise((resolve) => setTimeout(resolve, 5));
      return { handler: async (event: { id: number }) => `order ${event.id}` };
    });
    const loadsAtRegister = loads;

    // Act
    const handlers = await Promise.all(Array.from({ length: 10 }, () => splitter.getHandler('GET /orders')));
    const answer = await handlers[3]?.({ id: 7 });

    // Assess
    expect(loadsAtRegister).toBe(0);
    expect(loads).toBe(1);
    expect(new Set(handlers).size).toBe(1);
    expect(answer).toBe('order 7');
  });

  it('accepts a loader that resolves to the handler or to a named export', async () => {
    // Prepare
    const splitter = createCodeSplitter<Handler>()
      .register('GET /a', async () => async () => 'direct')
      .register('GET /b', async () => ({ listOrders: async () => 'named' }), { exportName: 'listOrders' })
      .register('GET /c', async () => ({ nothing: 1 }));

    // Act
    const a = await (await splitter.getHandler('GET /a'))({ id: 1 });
    const b = await (await splitter.getHandler('GET /b'))({ id: 1 });
    const c = await splitter.getHandler('GET /c').catch((e: unknown) => e);

    // Assess
    expect(a).toBe('direct');
    expect(b).toBe('named');
    expect(c).toBeInstanceOf(TypeError);
    expect((c as Error).message).toContain("'handler'");
  });

  it('retries a route whose module failed to load', async () => {
    // Prepare
    let loads = 0;
    const splitter = createCodeSplitter<Handler>().register('GET /x', async () => {
      loads++;
      if (loads === 1) throw new Error('disk hiccup');
      return { handler: async () => 'x' };
    });

    // Act
    const first = await splitter.getHandler('GET /x').catch((e: unknown) => e);
    const second = await splitter.getHandler('GET /x');

    // Assess
    expect(first).toBeInstanceOf(LazyLoadError);
    expect((first as Error).message).toContain('route:GET /x');
    expect(await second({ id: 1 })).toBe('x');
  });

  it('refuses a duplicate route and a non-function loader', () => {
    // Prepare
    const splitter = createCodeSplitter().register('GET /a', async () => async () => 1);

    // Act / Assess
    expect(() => splitter.register('GET /a', async () => async () => 2)).toThrow(/already registered/);
    expect(() => splitter.register('GET /b', 'nope' as never)).toThrow(TypeError);
    expect(splitter.routes()).toEqual(['GET /a']);
    expect(splitter.has('GET /a')).toBe(true);
  });

  it('preloads registered routes in the background', async () => {
    // Prepare
    let loads = 0;
    const splitter = createCodeSplitter<Handler>().register('GET /a', async () => {
      loads++;
      return { handler: async () => 'a' };
    });

    // Act
    const summary = await splitter.preload().done;
    await splitter.getHandler('GET /a');

    // Assess
    expect(summary.loaded).toBe(1);
    expect(loads).toBe(1);
    expect(() => splitter.preload(['GET /missing'])).toThrow(UnknownRouteError);
  });
});
