import type { Socket } from 'node:net';
import type { PoolClient, PoolConfig } from 'pg';
import pg from 'pg';
import { getLogger } from '../observability/index.js';
import { errorCode, isConnectionLost, isNeverSent, mustDiscardClient, sqlState } from './classifyError.js';
import type { ConnectionTarget } from './connectionTarget.js';
import type { CredentialSource } from './credentials.js';
import type { PoolStats } from './PoolStats.js';

/** When the client went back to the pool (`performance.now()`); undefined on a client never released. */
const IDLE_SINCE = Symbol('lambdaPerfKit.idleSince');
/** Set by the client's permanent listeners: its socket failed, or the server ended its session. */
const BROKEN = Symbol('lambdaPerfKit.broken');

/** The pg internals the pool reads (pg-pool reads `_queryable` and `_ending` the same way). */
interface ClientInternals {
  _queryable?: boolean;
  _ending?: boolean;
  _txStatus?: string | null;
  _queryQueue?: unknown[];
  _getActiveQuery?: () => unknown;
  connection?: { stream?: Socket };
}

/** A pooled pg client with the pool's bookkeeping. */
export type TrackedClient = PoolClient &
  ClientInternals & {
    [IDLE_SINCE]?: number | undefined;
    [BROKEN]?: boolean;
  };

/** Called with a checked-out client, or the error that prevented it. */
export type AcquireCallback = (error: Error | undefined, client?: TrackedClient) => void;

/** What an endpoint needs to know besides pg's config. */
export interface EndpointSettings {
  role: 'writer' | 'reader';
  target: ConnectionTarget;
  validateIdleAfterMillis: number;
  validationTimeoutMillis: number;
  credentials: CredentialSource | undefined;
  stats: PoolStats;
}

/** A failed attempt to open a connection, for the health check. */
export interface ConnectFailure {
  /** ms since epoch */
  at: number;
  code: string | undefined;
  message: string;
}

/** Destroys the client's socket, so a frozen peer can hold nothing up. */
export function destroySocket(client: TrackedClient): void {
  const stream = client.connection?.stream;
  if (stream && !stream.destroyed) stream.destroy();
}

/**
 * Listens for the client's failures for as long as it lives: a checked-out client whose socket
 * fails must not crash the process (pg-pool only listens while it is idle), and a FATAL error
 * (pg_terminate_backend, shutdown, idle-session timeout) ends the session even when pg hands it to
 * a statement's callback before the socket closes.
 */
function watch(client: TrackedClient): void {
  client[IDLE_SINCE] = undefined;
  client[BROKEN] = false;
  client.on('error', () => {
    client[BROKEN] = true;
  });
  (client.connection as unknown as NodeJS.EventEmitter | undefined)?.on(
    'errorMessage',
    (message: { severity?: string }) => {
      if (message.severity === 'FATAL' || message.severity === 'PANIC') client[BROKEN] = true;
    },
  );
}

/** Sets the source's username and password callback on a client pg has just constructed. */
function setCredentials(client: pg.Client, credentials: CredentialSource): void {
  const user = credentials.user;
  if (user !== undefined) {
    const mutable = client as unknown as { user: string; connectionParameters: { user: string } };
    mutable.user = user;
    mutable.connectionParameters.user = user;
  }
  Object.defineProperty(client, 'password', {
    configurable: true,
    enumerable: false,
    writable: true,
    value: (params: { host: string; port: number; user: string }) => credentials.password(params),
  });
}

/**
 * One database endpoint (the writer, or a reader): a `pg.Pool` plus what Lambda needs on top.
 * Checkout validates clients idle longer than the threshold and replaces dead ones; release
 * destroys any client whose socket or session state is in doubt, so none is handed out twice.
 *
 * The hot path (checkout, statement, release) reads no clock of its own and touches no Set: the
 * caller passes the `performance.now()` it reads for its metrics anyway.
 */
export class Endpoint {
  readonly role: 'writer' | 'reader';
  readonly target: ConnectionTarget;
  readonly pool: pg.Pool;
  readonly max: number;
  readonly credentials: CredentialSource | undefined;
  /** The last failed connection attempt, cleared by the next success. */
  lastConnectFailure: ConnectFailure | undefined;

  readonly #stats: PoolStats;
  readonly #validateAfter: number;
  readonly #validationTimeout: number;
  /** pg-pool's own release function of clients checked out through `connect()` (user-held). */
  readonly #userHeld = new Map<TrackedClient, (error?: Error | boolean) => void>();

  constructor(config: PoolConfig, settings: EndpointSettings) {
    this.role = settings.role;
    this.target = settings.target;
    this.credentials = settings.credentials;
    this.#stats = settings.stats;
    this.#validateAfter = settings.validateIdleAfterMillis;
    this.#validationTimeout = settings.validationTimeoutMillis;
    const credentials = this.credentials;
    if (credentials !== undefined) {
      const source: CredentialSource = credentials;
      // pg drops a password *function* when a connection string is also given (it rebuilds the
      // config with Object.assign, which skips the non-enumerable password), so the credentials
      // are set on each client right after construction. Only then: a subclass of pg.Client
      // costs about 1% per query.
      class PerfKitClient extends pg.Client {
        constructor(clientConfig: PoolConfig) {
          super(clientConfig);
          setCredentials(this, source);
        }
      }
      config.Client = PerfKitClient as unknown as PoolConfig['Client'];
    }
    this.pool = new pg.Pool(config);
    this.max = this.pool.options.max;
    // pg-pool emits 'connect' for a new client before it hands it to anyone.
    this.pool.on('connect', (client) => {
      watch(client as TrackedClient);
      this.lastConnectFailure = undefined;
      this.#stats.connected(this.pool.totalCount);
    });
    // An idle client's socket died (server restart, pg_terminate_backend, proxy cut): pg-pool has
    // already removed it. Without a listener this event would crash the process.
    this.pool.on('error', (error) => {
      this.#stats.reconnects++;
      getLogger().debug('pool: an idle connection was lost and removed', {
        endpoint: this.target.description,
        code: errorCode(error),
        error: error.message,
      });
    });
  }

  /** Whether a `28P01` can be answered by fetching the credentials again. */
  get canRefreshCredentials(): boolean {
    return this.credentials !== undefined;
  }

  /** Clients checked out with `connect()` and not released yet. */
  get userHeld(): number {
    return this.#userHeld.size;
  }

  /**
   * Checks out a client: fetches the credentials first when they are not in yet, validates a client
   * idle longer than the threshold, and replaces dead ones (each replacement is a reconnect).
   * `now` is the caller's `performance.now()`.
   */
  acquire(callback: AcquireCallback, now: number): void {
    const loading = this.credentials?.ready();
    if (loading !== undefined) {
      loading.then(
        () => this.acquire(callback, performance.now()),
        (error: Error) => callback(error),
      );
      return;
    }
    this.pool.connect((error, client) =>
      this.#checkedOut(error, client as TrackedClient | undefined, callback, now),
    );
  }

  #checkedOut(
    error: Error | undefined,
    client: TrackedClient | undefined,
    callback: AcquireCallback,
    now: number,
  ): void {
    if (error || !client) {
      this.lastConnectFailure = {
        at: Date.now(),
        code: errorCode(error),
        message: error?.message ?? 'no client',
      };
      callback(error ?? new Error('pg-pool returned no client'));
      return;
    }
    if (client[BROKEN] || client._queryable === false || client._ending) {
      this.discard(client, new Error('connection found dead at checkout'), true);
      this.acquire(callback, now);
      return;
    }
    const idleSince = client[IDLE_SINCE];
    if (idleSince !== undefined && now - idleSince >= this.#validateAfter) {
      this.#validate(client, callback);
      return;
    }
    callback(undefined, client);
  }

  /** One round trip with an empty query (the server answers EmptyQueryResponse): cheap, parses nothing. */
  #validate(client: TrackedClient, callback: AcquireCallback): void {
    this.#stats.validations++;
    const check = { text: '', query_timeout: this.#validationTimeout };
    const replace = (error: Error): void => {
      getLogger().debug('pool: an idle connection failed its check and was replaced', {
        endpoint: this.target.description,
        error: error.message,
      });
      this.discard(client, error, true);
      this.acquire(callback, performance.now());
    };
    try {
      (client.query as (config: unknown, callback: (error: Error | undefined) => void) => void)(
        check,
        (error) => {
          if (error) replace(error);
          else callback(undefined, client);
        },
      );
    } catch (error) {
      replace(error as Error);
    }
  }

  /**
   * Returns a client after `pool.query`: back to the pool when it is sound, destroyed when the
   * error or its state puts it in doubt (socket, timeout, open transaction, query still running).
   * `now` is the caller's `performance.now()`: the client is idle from then on.
   */
  releaseAfterQuery(client: TrackedClient, error: Error | undefined, now: number): void {
    if (error !== undefined && mustDiscardClient(error)) {
      const dead = (isConnectionLost(error) && error.message !== 'Query read timeout') || isNeverSent(error);
      this.discard(client, error, dead);
      return;
    }
    this.#releaseIfSound(client, client.release, now);
  }

  #releaseIfSound(client: TrackedClient, pgRelease: (error?: Error | boolean) => void, now: number): void {
    const dead =
      client[BROKEN] ||
      client._queryable === false ||
      client._ending ||
      (client._queryQueue !== undefined && client._queryQueue.length > 0) ||
      client._getActiveQuery?.() != null;
    if (dead) {
      pgRelease(new Error('connection not reusable'));
      destroySocket(client);
      return;
    }
    if (client._txStatus != null && client._txStatus !== 'I') {
      // Released inside a transaction: a sound socket, so pg ends it politely (the server rolls back).
      pgRelease(new Error('released inside an open transaction'));
      return;
    }
    client[IDLE_SINCE] = now;
    pgRelease();
  }

  /**
   * Throws a client away: pg-pool removes it and ends it. Unless the server itself reported the
   * error (then the socket is sound and gets a polite Terminate), the socket is destroyed so that a
   * frozen peer cannot hold anything up. `reconnect` counts it as a dead connection replaced.
   */
  discard(client: TrackedClient, error: Error, reconnect: boolean): void {
    if (reconnect) this.#stats.reconnects++;
    const pgRelease = this.#userHeld.get(client) ?? client.release;
    this.#userHeld.delete(client);
    pgRelease(error);
    if (client[BROKEN] || sqlState(error) === undefined || isConnectionLost(error)) destroySocket(client);
  }

  /**
   * Hands a checked-out client to user code: its `release()` keeps pg's contract (an error or
   * `true` destroys it; a second call throws) and destroys a client that is no longer sound.
   */
  handOut(client: TrackedClient): PoolClient {
    const pgRelease = client.release;
    this.#userHeld.set(client, pgRelease);
    let released = false;
    client.release = (error?: Error | boolean) => {
      if (released) throw new Error('Release called on client which has already been released to the pool.');
      released = true;
      if (!this.#userHeld.delete(client)) return; // force-released by end()
      if (error) {
        pgRelease(error instanceof Error ? error : new Error('released with destroy'));
        destroySocket(client);
        return;
      }
      this.#releaseIfSound(client, pgRelease, performance.now());
    };
    return client;
  }

  /** Destroys the sockets of clients checked out with `connect()` and returns them to pg-pool. */
  forceReleaseUserHeld(): void {
    for (const [client, pgRelease] of this.#userHeld) {
      this.#userHeld.delete(client);
      destroySocket(client);
      pgRelease(new Error('the pool was ended'));
    }
  }

  /** Fetches the credentials again (after `28P01`); counts the refresh. */
  async refreshCredentials(): Promise<void> {
    if (!this.credentials) return;
    this.#stats.credentialRefreshes++;
    await this.credentials.refresh();
  }
}
