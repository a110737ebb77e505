import { describe, expect, it } from 'vitest';
import {
  isAuthFailure,
  isConnectionLost,
  isNeverSent,
  isRetryableConnectError,
  mustDiscardClient,
} from '../../../lambda/shared/connection-pool/index.js';

const pgError = (code: string, message = 'server error') => Object.assign(new Error(message), { code });
const nodeError = (code: string) => Object.assign(new Error(`connect ${code} 127.0.0.1:1`), { code });

describe('error classification', () => {
  it.each([
    ['53300 too_many_connections', pgError('53300'), true],
    ['57P03 cannot_connect_now (starting up)', pgError('57P03'), true],
    ['ECONNREFUSED', nodeError('ECONNREFUSED'), true],
    ['ETIMEDOUT', nodeError('ETIMEDOUT'), true],
    ['a connect timeout', new Error('Connection terminated due to connection timeout'), true],
    ['28P01 bad password', pgError('28P01'), false],
    ['42P01 missing table', pgError('42P01'), false],
    ['ENOTFOUND (a wrong host name)', nodeError('ENOTFOUND'), false],
  ])('retries a connection failure only when it is transient: %s', (_name, error, retryable) => {
    expect(isRetryableConnectError(error)).toBe(retryable);
  });

  it.each([
    ['57P01 terminated by administrator', pgError('57P01'), true],
    ['08006 connection failure', pgError('08006'), true],
    ['Connection terminated unexpectedly', new Error('Connection terminated unexpectedly'), true],
    ['ECONNRESET', nodeError('ECONNRESET'), true],
    ['Query read timeout', new Error('Query read timeout'), true],
    ['57014 statement timeout', pgError('57014'), false],
    ['23505 unique violation', pgError('23505'), false],
    ['40001 serialization failure', pgError('40001'), false],
  ])('treats a lost connection as lost: %s', (_name, error, lost) => {
    expect(isConnectionLost(error)).toBe(lost);
  });

  it('knows when pg refused a statement before sending it', () => {
    expect(isNeverSent(new Error('Client has encountered a connection error and is not queryable'))).toBe(
      true,
    );
    expect(isNeverSent(new Error('Client was closed and is not queryable'))).toBe(true);
    expect(isNeverSent(new Error('Connection terminated unexpectedly'))).toBe(false);
  });

  it('sees 28P01 and 28000 as authentication failures', () => {
    expect(isAuthFailure(pgError('28P01'))).toBe(true);
    expect(isAuthFailure(pgError('28000'))).toBe(true);
    expect(isAuthFailure(pgError('42501'))).toBe(false);
  });

  it.each([
    ['57014 statement timeout', pgError('57014'), true],
    ['57P01 admin shutdown', pgError('57P01'), true],
    ['53300', pgError('53300'), true],
    ['XX000 internal error', pgError('XX000'), true],
    ['Query read timeout (no SQLSTATE)', new Error('Query read timeout'), true],
    ['ECONNRESET', nodeError('ECONNRESET'), true],
    ['23505 unique violation', pgError('23505'), false],
    ['42601 syntax error', pgError('42601'), false],
    ['40P01 deadlock', pgError('40P01'), false],
  ])('destroys the client after errors that put its connection in doubt: %s', (_name, error, discard) => {
    expect(mustDiscardClient(error)).toBe(discard);
  });
});
