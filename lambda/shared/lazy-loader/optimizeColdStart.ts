import { getLogger } from '../observability/index.js';
import { DEFAULT_PRELOAD_CONCURRENCY, MAX_PRELOAD_CONCURRENCY } from './constants.js';
import { lazyLoad } from './lazyLoad.js';
import { loaderDisplayName, validateSpecifier } from './moduleNames.js';
import type { OptimizeColdStartOptions, PreloadHandle, PreloadSummary, PreloadTarget } from './types.js';

/**
 * Preloads modules in the background once the handler is ready, through the same cache as
 * `lazyLoad` (a route that needs a module while it is preloading waits for that same load, never a
 * second one). It starts on a later turn of the event loop (after the calling module, and so the
 * handler, has finished evaluating), loads at most `concurrency` modules at a time and yields to
 * the event loop between modules, so an incoming request waits for at most the module being
 * evaluated. Failures are logged as warnings and counted; `done` never rejects and nothing becomes an
 * unhandled rejection. The timer is `unref()`ed: a preload never keeps a process alive.
 *
 * To keep the first response entirely clear of it, wrap the handler with `handle.wrap(handler)`
 * at module scope: the preload then starts only after the first wrapped invocation has returned.
 * List what the next requests will probably need anyway: a module evaluation is synchronous CPU
 * work wherever it happens.
 *
 * @example
 * ```ts
 * import { optimizeColdStart } from 'lambda-perf-kit/lazy';
 * const loadDb = () => import('./db.js');
 * const preload = optimizeColdStart([loadDb, '@aws-sdk/client-sqs']);
 * export const handler = preload.wrap(async (event: unknown) => ({ statusCode: 200 }));
 * ```
 */
export function optimizeColdStart(
  targets: readonly PreloadTarget[],
  options: OptimizeColdStartOptions = {},
): PreloadHandle {
  if (!Array.isArray(targets)) {
    throw new TypeError(`optimizeColdStart: targets must be an array; received ${typeof targets}.`);
  }
  const concurrency = options.concurrency ?? DEFAULT_PRELOAD_CONCURRENCY;
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > MAX_PRELOAD_CONCURRENCY) {
    throw new RangeError(
      `optimizeColdStart: options.concurrency must be an integer from 1 to ${MAX_PRELOAD_CONCURRENCY}; received ${concurrency}.`,
    );
  }
  const delayMillis = options.delayMillis ?? 0;
  if (!Number.isFinite(delayMillis) || delayMillis < 0) {
    throw new RangeError(
      `optimizeColdStart: options.delayMillis must be a finite number >= 0; received ${delayMillis}.`,
    );
  }
  for (const [index, target] of targets.entries()) validateTarget(target, index);

  let cancelled = false;
  // 'timer': start when the timer fires; 'invocation': start after the first wrapped invocation.
  let trigger: 'timer' | 'invocation' = 'timer';
  let begun = false;
  let begin!: () => void;
  const queue = [...targets];
  let loaded = 0;
  let failed = 0;

  const started = new Promise<void>((resolve) => {
    begin = () => {
      if (begun) return;
      begun = true;
      clearTimeout(timer);
      resolve();
    };
  });
  const timer = setTimeout(() => {
    if (trigger === 'timer') begin();
  }, delayMillis);
  timer.unref();

  const done = started.then(async (): Promise<PreloadSummary> => {
    const start = performance.now();
    const worker = async (): Promise<void> => {
      for (;;) {
        if (cancelled) return;
        const target = queue.shift();
        if (target === undefined) return;
        try {
          await loadTarget(target);
          loaded++;
        } catch (error) {
          failed++;
          getLogger().warn('lazy-loader: background preload failed; the module will be loaded on first use', {
            module: targetName(target),
            error: error instanceof Error ? error.message : String(error),
          });
        }
        await yieldToEventLoop();
      }
    };
    const workers: Promise<void>[] = [];
    for (let i = 0; i < Math.min(concurrency, targets.length); i++) workers.push(worker());
    await Promise.all(workers);
    return { loaded, failed, skipped: queue.length, durationMillis: performance.now() - start };
  });

  return {
    done: done.catch(
      (): PreloadSummary => ({ loaded, failed: failed + queue.length, skipped: 0, durationMillis: 0 }),
    ),
    cancel(): void {
      cancelled = true;
      begin(); // settle `done` now (everything left is skipped)
    },
    wrap<A extends unknown[], R>(handler: (...args: A) => R | Promise<R>): (...args: A) => Promise<R> {
      if (typeof handler !== 'function') {
        throw new TypeError(
          `optimizeColdStart: wrap() needs the handler function; received ${typeof handler}.`,
        );
      }
      if (!begun) trigger = 'invocation';
      return async (...args: A): Promise<R> => {
        try {
          return await handler(...args);
        } finally {
          // After the first response is handed back to the runtime, not before.
          if (!begun) setImmediate(begin);
        }
      };
    },
  };
}

function loadTarget(target: PreloadTarget): Promise<unknown> {
  if (typeof target === 'string') return lazyLoad(target);
  if (typeof target === 'function') return lazyLoad(target);
  return lazyLoad(target.loader, undefined, { name: target.name });
}

function targetName(target: PreloadTarget): string {
  if (typeof target === 'string') return target;
  if (typeof target === 'function') return loaderDisplayName(target);
  return target.name;
}

function validateTarget(target: PreloadTarget, index: number): void {
  const ok =
    typeof target === 'string' ||
    typeof target === 'function' ||
    (typeof target === 'object' && target !== null && typeof target.loader === 'function');
  if (typeof target === 'string') validateSpecifier(target);
  if (!ok) {
    throw new TypeError(
      `optimizeColdStart: targets[${index}] must be a package name, a loader () => import('./x.js') or { loader, name }; received ${typeof target}.`,
    );
  }
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
