/**
 * A function that imports a module: `() => import('./heavy.js')`. Write the `import()` with a literal
 * path in your own file so that esbuild can split it into its own chunk and resolve it against
 * your file.
 */
export type ModuleLoader<M = unknown> = () => Promise<M>;

/** Options of `lazyLoad`. */
export interface LazyLoadOptions {
  /**
   * Cache key and display name (logs, metrics, traces). With the loader form the cache is keyed
   * by the loader function's identity, so a loader written inline inside a function body is a new
   * key on every call: either define loaders at module scope or give them a `name`.
   * @default - the specifier (string form); the loader function (loader form), displayed as the path in its `import()`
   */
  readonly name?: string;
}

/** One module load, as `getLoadTimes()` lists it. */
export interface ModuleLoadRecord {
  /** The module's display name. */
  readonly module: string;
  /** Milliseconds from the start of the import until it settled. */
  readonly durationMillis: number;
  /** Whether the import succeeded. */
  readonly ok: boolean;
  /** Epoch milliseconds at which the load started. */
  readonly startedAt: number;
}

/** Something `optimizeColdStart` can preload. */
export type PreloadTarget = string | ModuleLoader | { readonly loader: ModuleLoader; readonly name: string };

/** Options of `optimizeColdStart`. */
export interface OptimizeColdStartOptions {
  /**
   * Modules loading at the same time (1–16).
   * @default 1
   */
  readonly concurrency?: number;
  /**
   * Wait this long after the call before the first preload. The preload always starts on a later
   * turn of the event loop, after the module that calls it (and so the handler) has finished
   * evaluating. Ignored once `wrap()` is used (then the first invocation's end starts it).
   * @default 0
   */
  readonly delayMillis?: number;
}

/** What a preload did. */
export interface PreloadSummary {
  /** Modules loaded (or already loaded). */
  readonly loaded: number;
  /** Modules that failed (each logged as a warning). */
  readonly failed: number;
  /** Modules skipped because `cancel()` was called. */
  readonly skipped: number;
  /** Milliseconds from the first preload to the last. */
  readonly durationMillis: number;
}

/** The running preload returned by `optimizeColdStart`. */
export interface PreloadHandle {
  /** Settles when every listed module has been tried. Never rejects. */
  readonly done: Promise<PreloadSummary>;
  /** Stops starting new preloads (one already loading finishes); `done` then settles. */
  cancel(): void;
  /**
   * Wraps the Lambda handler so the preload starts only after the first invocation has returned
   * (instead of right after init). Call it at module scope, before the preload has started; the
   * wrapper adds nothing to later invocations but one `await`.
   */
  wrap<A extends unknown[], R>(handler: (...args: A) => R | Promise<R>): (...args: A) => Promise<R>;
}

/** A route handler of a code splitter. */
// biome-ignore lint/suspicious/noExplicitAny: handlers take whatever the route's event is
export type RouteHandler = (...args: any[]) => unknown;

/** What a code-splitter route loader may resolve to: the handler itself, or a module exporting it. */
export type RouteModule<H extends RouteHandler = RouteHandler> =
  | H
  | { readonly [exportName: string]: unknown };

/** Options of `CodeSplitter.register`. */
export interface RegisterOptions {
  /**
   * The export holding the handler when the loader resolves to a module.
   * @default 'handler'
   */
  readonly exportName?: string;
}

/** Routes mapped to lazily loaded handlers. */
export interface CodeSplitter<H extends RouteHandler = RouteHandler> {
  /**
   * Maps `route` to a loader, e.g. `() => import('./routes/orders.js')`. Nothing is loaded yet.
   * Throws TypeError if the route is already registered.
   */
  register(route: string, loader: ModuleLoader<RouteModule<H>>, options?: RegisterOptions): this;
  /**
   * The route's handler, loaded on first call (single-flight, failures retried next call).
   * Rejects with `UnknownRouteError` (listing the known routes) for an unregistered route.
   */
  getHandler(route: string): Promise<H>;
  /** Whether `route` is registered. */
  has(route: string): boolean;
  /** The registered routes, in registration order. */
  routes(): string[];
  /** Loads the handlers of the given routes (default: all) in the background; see `optimizeColdStart`. */
  preload(routes?: readonly string[], options?: OptimizeColdStartOptions): PreloadHandle;
}
