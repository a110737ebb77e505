import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { resolveOptions } from '../../../lambda/shared/connection-pool/resolveOptions.js';

describe('resolveOptions', () => {
  it('applies the Lambda defaults on top of pg', () => {
    const { writer, retry, validateIdleAfterMillis, validationTimeoutMillis, min } = resolveOptions({
      host: '127.0.0.1',
      memoryMB: 512,
    });
    expect(writer.config).toMatchObject({
      max: 4,
      min: 1,
      idleTimeoutMillis: 60_000,
      connectionTimeoutMillis: 5_000,
      keepAlive: true,
      keepAliveInitialDelayMillis: 10_000,
      statement_timeout: 30_000,
      query_timeout: 25_000,
    });
    expect(min).toBe(1);
    expect(retry).toEqual({
      maxAttempts: 10,
      baseDelayMillis: 50,
      maxDelayMillis: 1000,
      deadlineMillis: 5000,
    });
    expect(validateIdleAfterMillis).toBe(1000);
    expect(validationTimeoutMillis).toBe(1000);
  });

  it('keeps 0 and false when the user gives them (no `||` defaults)', () => {
    const { writer } = resolveOptions({
      host: '127.0.0.1',
      idleTimeoutMillis: 0,
      statement_timeout: false,
      query_timeout: 0,
      keepAlive: false,
    });
    expect(writer.config).toMatchObject({
      idleTimeoutMillis: 0,
      statement_timeout: false,
      query_timeout: 0,
      keepAlive: false,
    });
  });

  it('passes pg options it does not know through to pg', () => {
    const { writer } = resolveOptions({ host: '127.0.0.1', application_name: 'orders', maxUses: 7500 });
    expect(writer.config).toMatchObject({ application_name: 'orders', maxUses: 7500 });
    expect(writer.config).not.toHaveProperty('retry');
  });

  it('holds the password non-enumerable, so it never prints', () => {
    const { writer } = resolveOptions({ host: '127.0.0.1', password: 'Pa55-word-xyz' });
    expect(Object.keys(writer.config)).not.toContain('password');
    expect(JSON.stringify(writer.config)).not.toContain('Pa55-word-xyz');
    expect(inspect(writer.config, { depth: 5 })).not.toContain('Pa55-word-xyz');
    expect(writer.config.password).toBe('Pa55-word-xyz');
  });

  it('describes the target without the password, from a connection string', () => {
    const { writer } = resolveOptions({ connectionString: 'postgres://app:hunter2@127.0.0.1:6543/shop' });
    expect(writer.target).toMatchObject({
      host: '127.0.0.1',
      port: 6543,
      database: 'shop',
      user: 'app',
      local: true,
    });
    expect(writer.target.description).toBe('127.0.0.1:6543/shop as app');
  });

  it('builds a reader from its host, keeping the writer’s database, user and password', () => {
    const { reader } = resolveOptions({
      connectionString: 'postgres://app:hunter2@127.0.0.1:6543/shop',
      reader: { host: 'localhost', max: 2 },
    });
    expect(reader?.target.description).toBe('localhost:6543/shop as app');
    expect(reader?.config.max).toBe(2);
    expect(reader?.config.connectionString).toBeUndefined();
    expect(reader?.config.password).toBe('hunter2');
    expect(Object.keys(reader?.config ?? {})).not.toContain('password');
  });

  it('turns the SIGTERM handler on with a 400 ms budget', () => {
    expect(resolveOptions({ host: '127.0.0.1', handleSigterm: true }).shutdown).toEqual({
      budgetMillis: 400,
      exit: true,
    });
    expect(resolveOptions({ host: '127.0.0.1' }).shutdown).toBeUndefined();
    expect(
      resolveOptions({ host: '127.0.0.1', handleSigterm: { budgetMillis: 1500, exit: false } }).shutdown,
    ).toEqual({
      budgetMillis: 1500,
      exit: false,
    });
  });
});
