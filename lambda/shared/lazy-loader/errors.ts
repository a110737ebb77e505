/**
 * Base class of every lazy-loader error; `cause` keeps the original error.
 *
 * @example
 * ```ts
 * try {
 *   await lazyLoad(() => import('./heavy.js'), 'run');
 * } catch (error) {
 *   if (error instanceof LazyLoaderError) console.error(error.message);
 * }
 * ```
 */
export class LazyLoaderError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'LazyLoaderError';
  }
}

/**
 * A module could not be loaded (the import failed, or it has no such export). The failure is not
 * cached: the next call tries again. `moduleName` names the module.
 *
 * @example
 * ```ts
 * try {
 *   await lazyLoad('not-installed-package', 'run');
 * } catch (error) {
 *   if (error instanceof LazyLoadError) console.error(error.moduleName);
 * }
 * ```
 */
export class LazyLoadError extends LazyLoaderError {
  /** The specifier, explicit `name`, or the path found in the loader's `import()`. */
  readonly moduleName: string;

  constructor(moduleName: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'LazyLoadError';
    this.moduleName = moduleName;
  }
}

/**
 * A code splitter was asked for a route nobody registered. The message lists the known routes.
 *
 * @example
 * ```ts
 * try {
 *   await splitter.getHandler('GET /nope');
 * } catch (error) {
 *   if (error instanceof UnknownRouteError) return { statusCode: 404, body: error.message };
 * }
 * ```
 */
export class UnknownRouteError extends LazyLoaderError {
  /** The route that was asked for. */
  readonly route: string;
  /** The routes that are registered. */
  readonly knownRoutes: readonly string[];

  constructor(route: string, knownRoutes: readonly string[]) {
    const known = knownRoutes.length > 0 ? knownRoutes.map((r) => `'${r}'`).join(', ') : '(none registered)';
    super(
      `Unknown route '${route}'. Known routes: ${known}. Register it with splitter.register(route, loader).`,
    );
    this.name = 'UnknownRouteError';
    this.route = route;
    this.knownRoutes = knownRoutes;
  }
}

/**
 * The constructor or `init()` of a `@Lazy` class failed. Not cached: the next call constructs a
 * fresh instance and runs `init()` again.
 *
 * @example
 * ```ts
 * try {
 *   await service.list();
 * } catch (error) {
 *   if (error instanceof LazyInitError) console.error(error.className, error.cause);
 * }
 * ```
 */
export class LazyInitError extends LazyLoaderError {
  /** The decorated class. */
  readonly className: string;

  constructor(className: string, options?: { cause?: unknown }) {
    const reason = options?.cause instanceof Error ? options.cause.message : String(options?.cause);
    super(
      `@Lazy class ${className} could not be initialized: ${reason}. The next call tries again.`,
      options,
    );
    this.name = 'LazyInitError';
    this.className = className;
  }
}
