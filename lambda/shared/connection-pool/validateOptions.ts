/**
 * Eager checks of `createEnhancedPool` options: a wrong type throws `TypeError`, a value out of
 * range throws `RangeError`; both name the field, the allowed range and what was received.
 * A password is never echoed.
 */
import type { EnhancedPoolOptions } from './types.js';

/** The longest delay `setTimeout` takes (2^31 - 1 ms, about 24.8 days). */
const MAX_TIMER_MILLIS = 2_147_483_647;
/** PostgreSQL's own ceiling on `max_connections`. */
const MAX_SERVER_CONNECTIONS = 262_143;
const MAX_POOL_SIZE = 10_000;

/** What a bad argument was, for messages (strings shortened; never used for passwords). */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'string')
    return `the string '${value.length > 40 ? `${value.slice(0, 40)}…` : value}'`;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value === 'function') return 'a function';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : typeof value;
}

function integer(name: string, value: unknown, min: number, max: number): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || Number.isNaN(value)) {
    throw new TypeError(
      `${name} must be a number (an integer from ${min} to ${max}); received ${describeValue(value)}`,
    );
  }
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${name} must be an integer from ${min} to ${max}; received ${value}`);
  }
}

function millisOrInfinity(name: string, value: unknown): void {
  if (value === Number.POSITIVE_INFINITY) return;
  integer(name, value, 0, MAX_TIMER_MILLIS);
}

function object(name: string, value: unknown): value is Record<string, unknown> {
  if (value === undefined) return false;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TypeError(`${name} must be an object; received ${describeValue(value)}`);
  }
  return true;
}

function nonEmptyString(name: string, value: unknown, required: boolean): void {
  if (value === undefined && !required) return;
  if (typeof value !== 'string' || value.trim() === '') {
    throw new TypeError(`${name} must be a non-empty string; received ${describeValue(value)}`);
  }
}

function boolean(name: string, value: unknown): void {
  if (value !== undefined && typeof value !== 'boolean') {
    throw new TypeError(`${name} must be true or false; received ${describeValue(value)}`);
  }
}

/**
 * Throws `TypeError` / `RangeError` for the first bad option.
 *
 * @example
 * ```ts
 * validateOptions({ max: 0 }); // RangeError: max must be an integer from 1 to 10000; received 0
 * ```
 */
export function validateOptions(options: unknown): asserts options is EnhancedPoolOptions {
  if (!object('options', options)) return;
  const o = options;
  integer('max', o.max, 1, MAX_POOL_SIZE);
  const maxBound = typeof o.max === 'number' ? o.max : MAX_POOL_SIZE;
  if (o.min !== undefined) {
    integer('min', o.min, 0, maxBound);
  }
  integer('memoryMB', o.memoryMB, 128, 10_240);
  if (object('connectionBudget', o.connectionBudget)) {
    const b = o.connectionBudget;
    if (b.maxConnections === undefined) {
      throw new TypeError('connectionBudget.maxConnections is required (the server’s max_connections)');
    }
    integer('connectionBudget.maxConnections', b.maxConnections, 1, MAX_SERVER_CONNECTIONS);
    integer('connectionBudget.reserved', b.reserved, 0, (b.maxConnections as number) - 1);
    if (b.expectedConcurrency === undefined) {
      throw new TypeError(
        'connectionBudget.expectedConcurrency is required (concurrent environments you expect)',
      );
    }
    integer('connectionBudget.expectedConcurrency', b.expectedConcurrency, 1, 1_000_000);
  }
  integer('idleTimeoutMillis', o.idleTimeoutMillis ?? undefined, 0, MAX_TIMER_MILLIS);
  integer('connectionTimeoutMillis', o.connectionTimeoutMillis, 0, MAX_TIMER_MILLIS);
  boolean('keepAlive', o.keepAlive);
  integer('keepAliveInitialDelayMillis', o.keepAliveInitialDelayMillis, 0, MAX_TIMER_MILLIS);
  if (o.statement_timeout !== false) integer('statement_timeout', o.statement_timeout, 0, MAX_TIMER_MILLIS);
  integer('query_timeout', o.query_timeout, 0, MAX_TIMER_MILLIS);
  millisOrInfinity('validateIdleAfterMillis', o.validateIdleAfterMillis);
  integer('validationTimeoutMillis', o.validationTimeoutMillis, 1, MAX_TIMER_MILLIS);

  if (object('retry', o.retry)) {
    const r = o.retry;
    integer('retry.maxAttempts', r.maxAttempts, 1, 100);
    integer('retry.baseDelayMillis', r.baseDelayMillis, 0, MAX_TIMER_MILLIS);
    integer('retry.maxDelayMillis', r.maxDelayMillis, 0, MAX_TIMER_MILLIS);
    integer('retry.deadlineMillis', r.deadlineMillis, 0, MAX_TIMER_MILLIS);
    if (
      typeof r.baseDelayMillis === 'number' &&
      typeof r.maxDelayMillis === 'number' &&
      r.maxDelayMillis < r.baseDelayMillis
    ) {
      throw new RangeError(
        `retry.maxDelayMillis must be at least retry.baseDelayMillis (${r.baseDelayMillis}); received ${r.maxDelayMillis}`,
      );
    }
  }

  if (object('credentials', o.credentials)) {
    const c = o.credentials;
    const sources = ['secrets-manager', 'iam', 'provider'];
    if (typeof c.source !== 'string' || !sources.includes(c.source)) {
      throw new TypeError(
        `credentials.source must be one of 'secrets-manager', 'iam', 'provider'; received ${describeValue(c.source)}`,
      );
    }
    if (c.source === 'secrets-manager') {
      nonEmptyString('credentials.secretId', c.secretId, true);
      object('credentials.clientConfig', c.clientConfig);
    } else if (c.source === 'iam') {
      nonEmptyString('credentials.region', c.region, false);
    } else if (typeof c.getCredentials !== 'function') {
      throw new TypeError(
        `credentials.getCredentials must be a function returning { user?, password }; received ${describeValue(c.getCredentials)}`,
      );
    }
    if ('password' in o && o.password !== undefined) {
      throw new TypeError(
        `password and credentials (source '${c.source}') cannot both be given: the credentials supply the password`,
      );
    }
  }

  nonEmptyString('rdsCaFile', o.rdsCaFile, false);

  if (object('reader', o.reader)) {
    const r = o.reader;
    if (r.connectionString === undefined && r.host === undefined) {
      throw new TypeError('reader needs connectionString or host (the reader endpoint)');
    }
    nonEmptyString('reader.connectionString', r.connectionString, false);
    nonEmptyString('reader.host', r.host, false);
    integer('reader.port', r.port, 1, 65_535);
    integer('reader.max', r.max, 1, MAX_POOL_SIZE);
  }

  if (o.handleSigterm !== undefined && typeof o.handleSigterm !== 'boolean') {
    if (!object('handleSigterm', o.handleSigterm)) return;
    integer('handleSigterm.budgetMillis', o.handleSigterm.budgetMillis, 1, 60_000);
    boolean('handleSigterm.exit', o.handleSigterm.exit);
  }
}
