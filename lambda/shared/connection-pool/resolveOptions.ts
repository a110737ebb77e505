import type { PoolConfig } from 'pg';
import { type ConnectionTarget, describeConnection } from './connectionTarget.js';
import {
  DEFAULT_CONNECTION_TIMEOUT_MILLIS,
  DEFAULT_IDLE_TIMEOUT_MILLIS,
  DEFAULT_KEEP_ALIVE_INITIAL_DELAY_MILLIS,
  DEFAULT_MIN,
  DEFAULT_QUERY_TIMEOUT_MILLIS,
  DEFAULT_RETRY_BASE_DELAY_MILLIS,
  DEFAULT_RETRY_DEADLINE_MILLIS,
  DEFAULT_RETRY_MAX_ATTEMPTS,
  DEFAULT_RETRY_MAX_DELAY_MILLIS,
  DEFAULT_SHUTDOWN_BUDGET_MILLIS,
  DEFAULT_STATEMENT_TIMEOUT_MILLIS,
  DEFAULT_VALIDATE_IDLE_AFTER_MILLIS,
  DEFAULT_VALIDATION_TIMEOUT_MILLIS,
} from './constants.js';
import { computePoolSize, type PoolSizing } from './sizing.js';
import { defaultTls, tlsChosenByUser } from './tls.js';
import type { CredentialsOptions, EnhancedPoolOptions, RetryOptions, ShutdownOptions } from './types.js';
import { validateOptions } from './validateOptions.js';

/** The pool's own options: everything else is passed to pg as it is. */
const OWN_KEYS = new Set([
  'memoryMB',
  'connectionBudget',
  'validateIdleAfterMillis',
  'validationTimeoutMillis',
  'retry',
  'credentials',
  'rdsCaFile',
  'reader',
  'handleSigterm',
  'password',
]);

/** pg config and target of one endpoint. */
export interface EndpointConfig {
  /** What `pg.Pool` gets; the password, if any, is non-enumerable. */
  config: PoolConfig;
  target: ConnectionTarget;
}

/** Options with every default applied. */
export interface ResolvedOptions {
  writer: EndpointConfig;
  reader: EndpointConfig | undefined;
  sizing: PoolSizing;
  min: number;
  validateIdleAfterMillis: number;
  validationTimeoutMillis: number;
  retry: Required<RetryOptions>;
  credentials: CredentialsOptions | undefined;
  shutdown: Required<ShutdownOptions> | undefined;
}

function hidePassword(config: PoolConfig, password: PoolConfig['password']): PoolConfig {
  if (password !== undefined) {
    Object.defineProperty(config, 'password', {
      configurable: true,
      enumerable: false,
      writable: true,
      value: password,
    });
  }
  return config;
}

/** The password inside a connection string, if any (for a reader given only a host). */
function passwordIn(connectionString: string | undefined): string | undefined {
  if (!connectionString) return undefined;
  try {
    const password = new URL(connectionString).password;
    return password ? decodeURIComponent(password) : undefined;
  } catch {
    return undefined;
  }
}

function withTls(config: PoolConfig, target: ConnectionTarget, caFile: string | undefined): PoolConfig {
  if (!target.local && !tlsChosenByUser(config)) config.ssl = defaultTls(caFile);
  return config;
}

/**
 * Validates the options and applies every default: the pg config of the writer (and reader), the
 * size, the retry policy. Throws `TypeError` / `RangeError` naming the bad field.
 *
 * @example
 * ```ts
 * const resolved = resolveOptions({ connectionString: process.env.DATABASE_URL, memoryMB: 512 });
 * resolved.writer.config.max; // 4
 * ```
 */
export function resolveOptions(options: EnhancedPoolOptions = {}): ResolvedOptions {
  validateOptions(options);
  const sizing = computePoolSize({
    ...(options.max === undefined ? {} : { max: options.max }),
    ...(options.memoryMB === undefined ? {} : { memoryMB: options.memoryMB }),
    ...(options.connectionBudget === undefined ? {} : { connectionBudget: options.connectionBudget }),
  });
  const min = Math.min(options.min ?? DEFAULT_MIN, sizing.max);

  const base: PoolConfig = {};
  for (const [key, value] of Object.entries(options)) {
    if (!OWN_KEYS.has(key)) (base as Record<string, unknown>)[key] = value;
  }
  base.max = sizing.max;
  base.min = min;
  base.idleTimeoutMillis =
    options.idleTimeoutMillis === undefined ? DEFAULT_IDLE_TIMEOUT_MILLIS : options.idleTimeoutMillis;
  base.connectionTimeoutMillis = options.connectionTimeoutMillis ?? DEFAULT_CONNECTION_TIMEOUT_MILLIS;
  base.keepAlive = options.keepAlive ?? true;
  base.keepAliveInitialDelayMillis =
    options.keepAliveInitialDelayMillis ?? DEFAULT_KEEP_ALIVE_INITIAL_DELAY_MILLIS;
  base.statement_timeout = options.statement_timeout ?? DEFAULT_STATEMENT_TIMEOUT_MILLIS;
  base.query_timeout = options.query_timeout ?? DEFAULT_QUERY_TIMEOUT_MILLIS;

  // `password` is read by property access: a pg user's options object may hold it non-enumerable.
  const password = options.password;
  const writerTarget = describeConnection(base);
  const writer: EndpointConfig = {
    config: hidePassword(withTls({ ...base }, writerTarget, options.rdsCaFile), password),
    target: writerTarget,
  };

  let reader: EndpointConfig | undefined;
  if (options.reader) {
    const { connectionString, host, port, max } = options.reader;
    const readerConfig: PoolConfig = {
      ...base,
      max: max ?? sizing.max,
      min: Math.min(min, max ?? sizing.max),
    };
    delete readerConfig.ssl;
    if (options.ssl !== undefined) readerConfig.ssl = options.ssl;
    if (connectionString !== undefined) {
      readerConfig.connectionString = connectionString;
    } else {
      delete readerConfig.connectionString;
      readerConfig.host = host as string;
      readerConfig.port = port ?? writerTarget.port;
      readerConfig.database = base.database ?? writerTarget.database;
      readerConfig.user = base.user ?? writerTarget.user;
    }
    const readerTarget = describeConnection(readerConfig);
    reader = {
      config: hidePassword(
        withTls(readerConfig, readerTarget, options.rdsCaFile),
        password ?? (connectionString === undefined ? passwordIn(base.connectionString) : undefined),
      ),
      target: readerTarget,
    };
  }

  const retry: Required<RetryOptions> = {
    maxAttempts: options.retry?.maxAttempts ?? DEFAULT_RETRY_MAX_ATTEMPTS,
    baseDelayMillis: options.retry?.baseDelayMillis ?? DEFAULT_RETRY_BASE_DELAY_MILLIS,
    maxDelayMillis: Math.max(
      options.retry?.maxDelayMillis ?? DEFAULT_RETRY_MAX_DELAY_MILLIS,
      options.retry?.baseDelayMillis ?? 0,
    ),
    deadlineMillis: options.retry?.deadlineMillis ?? DEFAULT_RETRY_DEADLINE_MILLIS,
  };

  const sigterm = options.handleSigterm;
  const shutdown =
    sigterm === undefined || sigterm === false
      ? undefined
      : {
          budgetMillis:
            (sigterm === true ? undefined : sigterm.budgetMillis) ?? DEFAULT_SHUTDOWN_BUDGET_MILLIS,
          exit: (sigterm === true ? undefined : sigterm.exit) ?? true,
        };

  return {
    writer,
    reader,
    sizing,
    min,
    validateIdleAfterMillis: options.validateIdleAfterMillis ?? DEFAULT_VALIDATE_IDLE_AFTER_MILLIS,
    validationTimeoutMillis: options.validationTimeoutMillis ?? DEFAULT_VALIDATION_TIMEOUT_MILLIS,
    retry,
    credentials: options.credentials,
    shutdown,
  };
}
