import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  clearLazyCache,
  clearLoadTimes,
  isLoaded,
  lazyLoad,
  optimizeColdStart,
} from '../../../lambda/shared/lazy-loader/index.js';
import { configureObservability, resetObservability } from '../../../lambda/shared/observability/index.js';
import { fakeLogger, fakeMetrics } from './fakes.js';

let logged: ReturnType<typeof fakeLogger>;
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => {
  unhandled.push(reason);
};

beforeEach(() => {
  logged = fakeLogger();
  configureObservability({ logger: logged.logger, metrics: fakeMetrics().metrics });
  unhandled.length = 0;
  process.on('unhandledRejection', onUnhandled);
});

afterEach(() => {
  process.off('unhandledRejection', onUnhandled);
  clearLazyCache();
  clearLoadTimes();
  resetObservability();
});

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('optimizeColdStart', () => {
  it('starts after the calling code has finished, not during the call', async () => {
    // Prepare
    let started = false;
    const loader = async () => {
      started = true;
      return { x: 1 };
    };

    // Act
    const handle = optimizeColdStart([loader]);
    const startedDuringCall = started;
    await Promise.resolve();
    const startedAfterMicrotasks = started;
    const summary = await handle.done;

    // Assess
    expect(startedDuringCall).toBe(false);
    expect(startedAfterMicrotasks).toBe(false);
    expect(summary).toMatchObject({ loaded: 1, failed: 0, skipped: 0 });
    expect(isLoaded(loader)).toBe(true);
  });

  it('shares the load with a caller that needs the module while it is preloading', async () => {
    // Prepare
    let calls = 0;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const loader = async () => {
      calls++;
      await gate;
      return { run: () => 'ok' };
    };

    // Act
    const handle = optimizeColdStart([loader]);
    await new Promise((resolve) => setTimeout(resolve, 5));
    const fromHandler = lazyLoad(loader, 'run');
    release();
    const run = await fromHandler;
    await handle.done;

    // Assess
    expect(calls).toBe(1);
    expect(run()).toBe('ok');
  });

  it('never loads more than `concurrency` modules at a time', async () => {
    // Prepare
    let inFlight = 0;
    let peak = 0;
    const loaders = Array.from({ length: 8 }, (_, i) => async () => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 2));
      inFlight--;
      return { i };
    });

    // Act
    const summary = await optimizeColdStart(loaders, { concurrency: 2 }).done;

    // Assess
    expect(summary.loaded).toBe(8);
    expect(peak).toBe(2);
  });

  it('logs failures, counts them and never rejects or leaves an unhandled rejection', async () => {
    // Prepare
    const bad = async () => {
      throw new Error('chunk missing');
    };
    const good = async () => ({ ok: true });

    // Act
    const summary = await optimizeColdStart([bad, 'lpk-package-that-does-not-exist', good]).done;
    await tick();

    // Assess
    expect(summary).toMatchObject({ loaded: 1, failed: 2 });
    expect(logged.warnings).toHaveLength(2);
    expect(JSON.stringify(logged.warnings[1])).toContain('lpk-package-that-does-not-exist');
    expect(unhandled).toEqual([]);
  });

  it('skips what is left after cancel()', async () => {
    // Prepare
    const loaders = Array.from({ length: 3 }, (_, i) => async () => ({ i }));

    // Act
    const handle = optimizeColdStart(loaders);
    handle.cancel();
    const summary = await handle.done;

    // Assess
    expect(summary).toMatchObject({ loaded: 0, skipped: 3 });
  });

  it('with wrap(), waits for the first invocation to return before preloading', async () => {
    // Prepare
    const events: string[] = [];
    const loader = async () => {
      events.push('preload');
      return { x: 1 };
    };
    const preload = optimizeColdStart([loader]);
    const handler = preload.wrap(async (name: string) => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      events.push(`respond ${name}`);
      return `hello ${name}`;
    });

    // Act
    await new Promise((resolve) => setTimeout(resolve, 10));
    const beforeInvocation = [...events];
    const response = await handler('a');
    const summary = await preload.done;
    await handler('b');

    // Assess
    expect(beforeInvocation).toEqual([]);
    expect(response).toBe('hello a');
    expect(summary.loaded).toBe(1);
    expect(events).toEqual(['respond a', 'preload', 'respond b']);
  });

  it('with wrap(), starts the preload even when the first invocation throws', async () => {
    // Prepare
    const loader = async () => ({ x: 1 });
    const preload = optimizeColdStart([loader]);
    const handler = preload.wrap(async () => {
      throw new Error('bad request');
    });

    // Act
    const error = await handler().catch((e: unknown) => e);
    const summary = await preload.done;

    // Assess
    expect((error as Error).message).toBe('bad request');
    expect(summary.loaded).toBe(1);
  });

  it('validates its options eagerly', () => {
    // Act / Assess
    expect(() => optimizeColdStart([], { concurrency: 0 })).toThrow(RangeError);
    expect(() => optimizeColdStart([], { concurrency: 0 })).toThrow(/concurrency.*1 to 16.*received 0/);
    expect(() => optimizeColdStart([], { delayMillis: -1 })).toThrow(RangeError);
    expect(() => optimizeColdStart(['./relative.js'])).toThrow(TypeError);
    expect(() => optimizeColdStart([42 as never])).toThrow(/targets\[0\]/);
  });
});
