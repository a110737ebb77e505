import { LazyLoadError } from './errors.js';
import { startLoadTimer } from './loadTracking.js';
import { loaderDisplayName, validateSpecifier } from './moduleNames.js';
import type { LazyLoadOptions, ModuleLoader } from './types.js';

interface CacheEntry {
  promise: Promise<unknown>;
  loaded: boolean;
  module: unknown;
}

// Module-level caches on purpose: a loaded module serves every later invocation of the environment.
const bySpecifier = new Map<string, CacheEntry>();
let byLoader = new WeakMap<ModuleLoader, CacheEntry>();

/**
 * Imports a module on first use and caches it: concurrent callers share one load (single-flight),
 * later callers get the cached module, a failed load is not cached (the next call retries) and
 * rejects with a {@link LazyLoadError} naming the module. Each load is timed (see `getLoadTimes`),
 * published as the `ModuleLoadTime` metric (dimension `Module`) and, when a Tracer is already
 * loaded, traced as an X-Ray subsegment.
 *
 * Two forms:
 * - **loader** `lazyLoad(() => import('./heavy.js'), 'fn')`: the `import()` is written in your file,
 *   so the path resolves against your file and esbuild splits `./heavy.js` into its own chunk.
 *   Cached by the loader function's identity (define it at module scope) or by `options.name`.
 * - **string** `lazyLoad('@aws-sdk/client-sqs', 'SQSClient')`: for package names and absolute
 *   URLs only (a relative path would resolve against this library's file, so it is refused).
 *   Cached by the specifier.
 *
 * Without `exportName` it resolves to the whole module namespace.
 *
 * @example
 * ```ts
 * import { lazyLoad } from 'lambda-perf-kit/lazy';
 * const loadReport = () => import('./report.js');
 * export async function handler() {
 *   const render = await lazyLoad(loadReport, 'render');
 *   return render();
 * }
 * ```
 */
export function lazyLoad<M, K extends keyof M & string>(
  loader: ModuleLoader<M>,
  exportName: K,
  options?: LazyLoadOptions,
): Promise<M[K]>;
export function lazyLoad<M>(
  loader: ModuleLoader<M>,
  exportName?: undefined,
  options?: LazyLoadOptions,
): Promise<M>;
export function lazyLoad<T = unknown>(
  specifier: string,
  exportName?: string,
  options?: LazyLoadOptions,
): Promise<T>;
export function lazyLoad(
  source: string | ModuleLoader,
  exportName?: string,
  options: LazyLoadOptions = {},
): Promise<unknown> {
  const { entry, name } = entryFor(source, options);
  if (entry.loaded) {
    try {
      return Promise.resolve(pick(entry.module, exportName, name));
    } catch (error) {
      return Promise.reject(error);
    }
  }
  return entry.promise.then((module) => pick(module, exportName, name));
}

/**
 * Whether `lazyLoad` already holds this module (loaded and cached, not merely loading).
 *
 * @example
 * ```ts
 * if (!isLoaded(loadReport)) console.log('first use of the report module');
 * ```
 */
export function isLoaded(source: string | ModuleLoader, options: LazyLoadOptions = {}): boolean {
  const key = options.name ?? (typeof source === 'string' ? source : undefined);
  const entry = key !== undefined ? bySpecifier.get(key) : byLoader.get(source as ModuleLoader);
  return entry?.loaded === true;
}

/**
 * Forgets every cached module (Node's own module cache keeps them; a new load is cheap). For tests.
 *
 * @example
 * ```ts
 * afterEach(() => clearLazyCache());
 * ```
 */
export function clearLazyCache(): void {
  bySpecifier.clear();
  byLoader = new WeakMap();
}

function entryFor(
  source: string | ModuleLoader,
  options: LazyLoadOptions,
): { entry: CacheEntry; name: string } {
  if (options.name !== undefined && (typeof options.name !== 'string' || options.name.length === 0)) {
    throw new TypeError(
      `lazyLoad: options.name must be a non-empty string; received ${JSON.stringify(options.name)}.`,
    );
  }
  let loader: ModuleLoader;
  let name: string;
  if (typeof source === 'string') {
    validateSpecifier(source);
    name = options.name ?? source;
    loader = () => import(source);
  } else if (typeof source === 'function') {
    loader = source;
    name = options.name ?? loaderDisplayName(source);
  } else {
    throw new TypeError(
      `lazyLoad: the first argument must be a package name or a loader such as () => import('./x.js'); received ${typeof source}.`,
    );
  }
  const useNameKey = typeof source === 'string' || options.name !== undefined;
  const existing = useNameKey ? bySpecifier.get(name) : byLoader.get(source as ModuleLoader);
  if (existing) return { entry: existing, name };

  const timer = startLoadTimer(name);
  const entry: CacheEntry = { promise: Promise.resolve(), loaded: false, module: undefined };
  entry.promise = Promise.resolve()
    .then(loader)
    .then(
      (module) => {
        timer.end(true);
        entry.module = module;
        entry.loaded = true;
        return module;
      },
      (error: unknown) => {
        timer.end(false, error);
        // Not cached: the next call tries again.
        if (useNameKey) {
          if (bySpecifier.get(name) === entry) bySpecifier.delete(name);
        } else if (byLoader.get(source as ModuleLoader) === entry) {
          byLoader.delete(source as ModuleLoader);
        }
        const reason = error instanceof Error ? error.message : String(error);
        throw new LazyLoadError(name, `Could not load module '${name}': ${reason}`, { cause: error });
      },
    );
  if (useNameKey) bySpecifier.set(name, entry);
  else byLoader.set(source as ModuleLoader, entry);
  return { entry, name };
}

function pick(module: unknown, exportName: string | undefined, name: string): unknown {
  if (exportName === undefined) return module;
  const record = module as Record<string, unknown>;
  const isObject = (typeof module === 'object' && module !== null) || typeof module === 'function';
  if (!isObject || !(exportName in record)) {
    const available = isObject ? Object.keys(record).filter((k) => k !== '__esModule') : [];
    throw new LazyLoadError(
      name,
      `Module '${name}' has no export '${exportName}'. Its exports: ${available.length > 0 ? available.join(', ') : '(none)'}.`,
    );
  }
  return record[exportName];
}
