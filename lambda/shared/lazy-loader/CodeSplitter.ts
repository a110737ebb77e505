import { UnknownRouteError } from './errors.js';
import { lazyLoad } from './lazyLoad.js';
import { optimizeColdStart } from './optimizeColdStart.js';
import type {
  CodeSplitter,
  ModuleLoader,
  OptimizeColdStartOptions,
  PreloadHandle,
  RegisterOptions,
  RouteHandler,
  RouteModule,
} from './types.js';

interface RouteEntry {
  loader: ModuleLoader<RouteModule>;
  exportName: string;
}

class RouteSplitter<H extends RouteHandler> implements CodeSplitter<H> {
  readonly #routes = new Map<string, RouteEntry>();

  register(route: string, loader: ModuleLoader<RouteModule<H>>, options: RegisterOptions = {}): this {
    if (typeof route !== 'string' || route.length === 0) {
      throw new TypeError(`register: route must be a non-empty string; received ${JSON.stringify(route)}.`);
    }
    if (typeof loader !== 'function') {
      throw new TypeError(
        `register('${route}'): loader must be a function such as () => import('./routes/x.js'); received ${typeof loader}.`,
      );
    }
    if (this.#routes.has(route)) {
      throw new TypeError(`register: route '${route}' is already registered.`);
    }
    this.#routes.set(route, { loader, exportName: options.exportName ?? 'handler' });
    return this;
  }

  async getHandler(route: string): Promise<H> {
    const entry = this.#routes.get(route);
    if (!entry) throw new UnknownRouteError(route, this.routes());
    const loaded = await lazyLoad(entry.loader, undefined, { name: `route:${route}` });
    if (typeof loaded === 'function') return loaded as H;
    const handler = (loaded as Record<string, unknown> | null)?.[entry.exportName];
    if (typeof handler !== 'function') {
      throw new TypeError(
        `Route '${route}': the loader resolved to neither a function nor a module with a function export '${entry.exportName}'. Pass { exportName } to register() if the handler has another name.`,
      );
    }
    return handler as H;
  }

  has(route: string): boolean {
    return this.#routes.has(route);
  }

  routes(): string[] {
    return [...this.#routes.keys()];
  }

  preload(routes: readonly string[] = this.routes(), options?: OptimizeColdStartOptions): PreloadHandle {
    const targets = routes.map((route) => {
      const entry = this.#routes.get(route);
      if (!entry) throw new UnknownRouteError(route, this.routes());
      return { loader: entry.loader, name: `route:${route}` };
    });
    return optimizeColdStart(targets, options);
  }
}

/**
 * Routes mapped to lazily loaded handlers: each route's module is imported on its first request
 * (single-flight, cached, failures retried), so with the split bundler it is a chunk Node does not
 * read at init. An unknown route rejects with {@link UnknownRouteError}, whose message lists the
 * known routes.
 *
 * @example
 * ```ts
 * import { createCodeSplitter, UnknownRouteError } from 'lambda-perf-kit/lazy';
 * import type { APIGatewayProxyEventV2 } from 'aws-lambda';
 *
 * const routes = createCodeSplitter<(e: APIGatewayProxyEventV2) => Promise<unknown>>()
 *   .register('GET /health', () => import('./routes/health.js'))
 *   .register('GET /orders', () => import('./routes/orders.js'), { exportName: 'listOrders' });
 *
 * export async function handler(event: APIGatewayProxyEventV2) {
 *   try {
 *     return await (await routes.getHandler(event.routeKey))(event);
 *   } catch (error) {
 *     if (error instanceof UnknownRouteError) return { statusCode: 404, body: error.message };
 *     throw error;
 *   }
 * }
 * ```
 */
export function createCodeSplitter<H extends RouteHandler = RouteHandler>(): CodeSplitter<H> {
  return new RouteSplitter<H>();
}
