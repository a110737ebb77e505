import type { PoolClient, QueryResult } from 'pg';
import { fullJitterDelay } from '../internal/backoff.js';
import {
  errorCode,
  isAuthFailure,
  isCheckoutTimeout,
  isConnectionLost,
  isNeverSent,
  isRetryableConnectError,
} from './classifyError.js';
import { destroySocket, type Endpoint, type TrackedClient } from './Endpoint.js';
import { PoolConnectionError, PoolCredentialsError, PoolError, PoolTimeoutError } from './errors.js';
import type { PoolStats } from './PoolStats.js';
import type { RetryOptions } from './types.js';

/** What an operation needs from the pool that runs it. */
export interface OperationHost {
  readonly writer: Endpoint;
  readonly stats: PoolStats;
  readonly retry: Required<RetryOptions>;
  /** Called once when the operation settles. */
  settled(operation: QueryOperation): void;
}

/** What the operation does once it has a client. */
export type OperationKind =
  | { kind: 'query'; text: unknown; values: unknown[] | undefined; idempotent: boolean }
  | { kind: 'checkout' };

const HINTS: Record<string, string> = {
  '53300':
    'the server has no connection slots left (max_connections or the role’s CONNECTION LIMIT): lower max, set connectionBudget, or put RDS Proxy in front',
  '53000': 'the server is out of resources',
  '57P03': 'the server is starting up or shutting down',
  ECONNREFUSED: 'nothing accepts connections there: is the server up and the port right?',
  ENOTFOUND: 'the host name does not resolve',
  EAI_AGAIN: 'DNS did not answer',
  ETIMEDOUT: 'no answer: check the security group and the network path, or raise connectionTimeoutMillis',
  EHOSTUNREACH: 'the host is unreachable from here (VPC, subnet, route)',
};

function hintFor(error: Error): string {
  const code = errorCode(error);
  const hint =
    (code && HINTS[code]) ||
    (/timeout/i.test(error.message)
      ? 'no answer in time: check the security group and the network path, or raise connectionTimeoutMillis'
      : undefined);
  return hint ? ` — ${hint}` : '';
}

/**
 * One `query` or `connect` call: checks out a client (with the endpoint's validation), runs the
 * statement, and decides what a failure means. Written with callbacks rather than `await` so the
 * common path costs what `pg.Pool.query` costs: one promise per call.
 *
 * Retry rules: connection-phase failures (refused, 53300, timeouts, server starting) are retried
 * with full-jitter backoff within the deadline; `28P01` refetches the credentials once; a
 * statement is re-run only when pg refused it before sending, or when it is idempotent and the
 * connection was lost. Anything else reaches the caller as it is.
 */
export class QueryOperation {
  readonly #host: OperationHost;
  readonly #what: OperationKind;
  readonly #resolve: (value: QueryResult | PoolClient) => void;
  readonly #reject: (error: Error) => void;
  readonly #started = performance.now();
  readonly #deadline: number;
  #endpoint: Endpoint;
  #attempt = 1;
  #refreshedCredentials = false;
  #fellBack = false;
  #settled = false;
  #client: TrackedClient | undefined;
  #timer: NodeJS.Timeout | undefined;
  /** Links in the pool's list of calls in flight (a list, not a Set: no hashing per call). */
  previous: QueryOperation | undefined;
  next: QueryOperation | undefined;

  constructor(
    host: OperationHost,
    endpoint: Endpoint,
    what: OperationKind,
    deadlineMillis: number,
    resolve: (value: QueryResult | PoolClient) => void,
    reject: (error: Error) => void,
  ) {
    this.#host = host;
    this.#endpoint = endpoint;
    this.#what = what;
    this.#deadline = this.#started + deadlineMillis;
    this.#resolve = resolve;
    this.#reject = reject;
  }

  /** Starts (or, after a backoff, restarts) the checkout. */
  start(now: number = this.#started): void {
    this.#timer = undefined;
    // Inline callbacks rather than arrow-function class fields: cheaper to create per call.
    this.#endpoint.acquire((error, client) => this.#onClient(error, client), now);
  }

  /** Settles with `error` now and destroys the socket of the statement in flight (force-close). */
  abort(error: Error): void {
    if (this.#timer) clearTimeout(this.#timer);
    if (this.#client) destroySocket(this.#client);
    this.#fail(error);
  }

  #onClient(error: Error | undefined, client: TrackedClient | undefined): void {
    if (this.#settled) {
      if (client) this.#endpoint.releaseAfterQuery(client, undefined, performance.now());
      return;
    }
    if (error || !client) {
      this.#onConnectFailure(error ?? new Error('no client'));
      return;
    }
    const what = this.#what;
    if (what.kind === 'checkout') {
      this.#succeed(this.#endpoint.handOut(client));
      return;
    }
    this.#client = client;
    try {
      (client.query as (text: unknown, values: unknown, callback: unknown) => void)(
        what.text,
        what.values,
        (error: Error | null, result: QueryResult) => this.#onResult(error, result),
      );
    } catch (thrown) {
      this.#onResult(thrown as Error, undefined);
    }
  }

  #onResult(error: Error | undefined | null, result: QueryResult | undefined): void {
    const client = this.#client as TrackedClient;
    this.#client = undefined;
    const now = performance.now();
    this.#endpoint.releaseAfterQuery(client, error ?? undefined, now);
    if (this.#settled) return;
    if (!error) {
      this.#succeed(result as QueryResult, now);
      return;
    }
    const what = this.#what as { idempotent: boolean };
    if (isNeverSent(error) || (what.idempotent && isConnectionLost(error))) {
      this.#retry(error);
      return;
    }
    this.#fail(error);
  }

  #onConnectFailure(error: Error): void {
    const endpoint = this.#endpoint;
    if (isAuthFailure(error) && endpoint.canRefreshCredentials && !this.#refreshedCredentials) {
      this.#refreshedCredentials = true;
      endpoint.refreshCredentials().then(
        () => {
          if (this.#settled) return;
          this.#host.stats.retries++;
          this.start(performance.now());
        },
        (refreshError: Error) => this.#fail(refreshError),
      );
      return;
    }
    if (endpoint.role === 'reader' && !this.#fellBack) {
      this.#fellBack = true;
      this.#host.stats.readerFallbacks++;
      this.#endpoint = this.#host.writer;
      this.start(performance.now());
      return;
    }
    if (isRetryableConnectError(error) && this.#retry(error, true)) return;
    this.#fail(this.#connectError(error));
  }

  /** Schedules another attempt after a backoff; false (and fails, unless `quiet`) when out of attempts or time. */
  #retry(error: Error, quiet = false): boolean {
    const retry = this.#host.retry;
    const delay = fullJitterDelay(this.#attempt, retry.baseDelayMillis, retry.maxDelayMillis);
    if (this.#attempt >= retry.maxAttempts || performance.now() + delay > this.#deadline) {
      if (!quiet) this.#fail(error);
      return false;
    }
    this.#attempt++;
    this.#host.stats.retries++;
    this.#timer = setTimeout(() => this.start(performance.now()), delay);
    return true;
  }

  #connectError(error: Error): Error {
    if (error instanceof PoolError) return error;
    const endpoint = this.#endpoint;
    const where = endpoint.target.description;
    const code = errorCode(error);
    if (isCheckoutTimeout(error)) {
      return new PoolTimeoutError(
        `no connection to ${where} came free within connectionTimeoutMillis: all ${endpoint.max} are checked out ` +
          `and ${endpoint.pool.waitingCount} caller(s) wait — raise max, hold clients for less time, or release every client you check out`,
        { cause: error, code },
      );
    }
    if (isAuthFailure(error)) {
      const source = endpoint.credentials?.description ?? 'the static password';
      return new PoolCredentialsError(
        `${where} refused the credentials from ${source}${this.#refreshedCredentials ? ', even after fetching them again' : ''} ` +
          `(${code}: ${error.message}) — check the user and the secret; for IAM auth, the rds-db:connect policy and TLS`,
        { cause: error, code },
      );
    }
    const elapsed = Math.round(performance.now() - this.#started);
    return new PoolConnectionError(
      `could not connect to ${where} after ${this.#attempt} attempt(s) in ${elapsed} ms: ${error.message}${hintFor(error)}`,
      { cause: error, code },
    );
  }

  #succeed(value: QueryResult | PoolClient, now: number = performance.now()): void {
    if (this.#settled) return;
    this.#settled = true;
    if (this.#what.kind === 'query') this.#host.stats.record(now - this.#started, false);
    this.#host.settled(this);
    this.#resolve(value);
  }

  #fail(error: Error): void {
    if (this.#settled) return;
    this.#settled = true;
    if (this.#what.kind === 'query') this.#host.stats.record(performance.now() - this.#started, true);
    else this.#host.stats.errors++;
    this.#host.settled(this);
    this.#reject(error);
  }
}
