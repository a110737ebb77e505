/**
 * The API read path (API Gateway HTTP API, payload v2): routes are split so that each is a chunk
 * loaded on its first request. `GET /health` loads nothing heavy; the data routes share one chunk
 * with `pg`, the pool and the optimizer (cache: memory, then Redis). After the first response the
 * data chunk is preloaded in the background, so a cold `/health` never waits for `pg`, and the
 * next data request does not either. Metrics are EMF (Powertools), and tracing annotates when the
 * function runs with active X-Ray tracing.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, Context } from 'aws-lambda';
import {
  createCodeSplitter,
  lazyLoad,
  optimizeColdStart,
  UnknownRouteError,
} from '../shared/lazy-loader/index.js';
import {
  describeError,
  flushMetrics,
  getLogger,
  getMetrics,
  getTracer,
  MetricName,
  MetricUnit,
} from '../shared/observability/index.js';

type RouteHandler = (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyResultV2>;

const loadDatabase = () => import('./shared/database.js');

const routes = createCodeSplitter<RouteHandler>()
  .register('GET /health', () => import('./api/health.js'), { exportName: 'health' })
  .register('GET /products/{id}', () => import('./api/products.js'), { exportName: 'getProduct' })
  .register('GET /customers/{id}/orders', () => import('./api/customer-orders.js'), {
    exportName: 'listCustomerOrders',
  })
  .register('GET /reports/top-products', () => import('./api/top-products.js'), {
    exportName: 'topProducts',
  });

// Preload the data layer after the first invocation has answered (`wrap` starts it then).
const preload = optimizeColdStart([loadDatabase]);

const DATA_ROUTES = new Set([
  'GET /products/{id}',
  'GET /customers/{id}/orders',
  'GET /reports/top-products',
]);

let coldStart = true;
const tracingActive =
  process.env._X_AMZN_TRACE_ID !== undefined || process.env.AWS_XRAY_DAEMON_ADDRESS !== undefined;

/**
 * The Lambda handler.
 *
 * @example
 * ```ts
 * const response = await handler(makeApiGatewayV2Event('/health', { }), makeContext());
 * ```
 */
export const handler = preload.wrap(
  async (event: APIGatewayProxyEventV2, _context?: Context): Promise<APIGatewayProxyResultV2> => {
    const metrics = getMetrics();
    if (coldStart) {
      metrics.addMetric(MetricName.ColdStart, MetricUnit.Count, 1);
      coldStart = false;
    }
    const routeKey =
      event.routeKey === '$default' ? `${event.requestContext.http.method} ${event.rawPath}` : event.routeKey;
    let usedDatabase = false;
    try {
      if (tracingActive) (await getTracer()).putAnnotation('route', routeKey);
      const route = await routes.getHandler(routeKey);
      usedDatabase = DATA_ROUTES.has(routeKey);
      return await route(event);
    } catch (error) {
      if (error instanceof UnknownRouteError) {
        return {
          statusCode: 404,
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ error: error.message }),
        };
      }
      getLogger().error('request failed', { route: routeKey, error: describeError(error) });
      return {
        statusCode: 500,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ error: 'internal error' }),
      };
    } finally {
      // Only a data route loaded the data layer: a 404 or /health must not pull `pg` in here.
      if (usedDatabase) await (await lazyLoad(loadDatabase)).publishDatabaseMetrics().catch(() => undefined);
      flushMetrics();
    }
  },
);
