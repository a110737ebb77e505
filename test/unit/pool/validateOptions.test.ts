import { describe, expect, it } from 'vitest';
import {
  createEnhancedPool,
  type EnhancedPoolOptions,
} from '../../../lambda/shared/connection-pool/index.js';

const bad = (options: unknown) => () => createEnhancedPool(options as EnhancedPoolOptions);

describe('option validation', () => {
  it.each([
    [{ max: 0 }, 'max must be an integer from 1 to 10000; received 0'],
    [{ max: 2.5 }, 'max must be an integer from 1 to 10000; received 2.5'],
    [{ max: 4, min: 5 }, 'min must be an integer from 0 to 4; received 5'],
    [{ memoryMB: 64 }, 'memoryMB must be an integer from 128 to 10240; received 64'],
    [{ idleTimeoutMillis: -1 }, 'idleTimeoutMillis must be an integer from 0 to 2147483647; received -1'],
    [{ connectionTimeoutMillis: 1e12 }, 'connectionTimeoutMillis must be an integer from 0 to 2147483647'],
    [{ statement_timeout: -5 }, 'statement_timeout must be an integer from 0 to 2147483647; received -5'],
    [
      { validationTimeoutMillis: 0 },
      'validationTimeoutMillis must be an integer from 1 to 2147483647; received 0',
    ],
    [{ retry: { maxAttempts: 0 } }, 'retry.maxAttempts must be an integer from 1 to 100; received 0'],
    [
      { retry: { baseDelayMillis: 500, maxDelayMillis: 100 } },
      'retry.maxDelayMillis must be at least retry.baseDelayMillis (500); received 100',
    ],
    [
      { connectionBudget: { maxConnections: 100, reserved: 100, expectedConcurrency: 2 } },
      'connectionBudget.reserved must be an integer from 0 to 99; received 100',
    ],
    [
      { connectionBudget: { maxConnections: 100, expectedConcurrency: 0 } },
      'connectionBudget.expectedConcurrency must be an integer from 1 to 1000000; received 0',
    ],
    [
      { reader: { host: 'r', port: 70000 } },
      'reader.port must be an integer from 1 to 65535; received 70000',
    ],
    [{ handleSigterm: { budgetMillis: 0 } }, 'handleSigterm.budgetMillis must be an integer from 1 to 60000'],
  ])('throws RangeError naming the field and the range: %j', (options, message) => {
    expect(bad(options)).toThrow(RangeError);
    expect(bad(options)).toThrow(message);
  });

  it.each([
    [
      'a string max',
      { max: '4' },
      "max must be a number (an integer from 1 to 10000); received the string '4'",
    ],
    ['options that are not an object', 'postgres://x', 'options must be an object'],
    ['keepAlive that is not a boolean', { keepAlive: 'yes' }, 'keepAlive must be true or false'],
    ['a retry that is not an object', { retry: 3 }, 'retry must be an object; received 3'],
    [
      'an unknown credentials source',
      { credentials: { source: 'vault' } },
      'credentials.source must be one of',
    ],
    [
      'a secret without an id',
      { credentials: { source: 'secrets-manager' } },
      'credentials.secretId must be a non-empty string',
    ],
    [
      'a provider without a function',
      { credentials: { source: 'provider', getCredentials: 'x' } },
      'credentials.getCredentials must be a function',
    ],
    [
      'a budget without max_connections',
      { connectionBudget: { expectedConcurrency: 2 } },
      'connectionBudget.maxConnections is required',
    ],
    ['a reader without an endpoint', { reader: {} }, 'reader needs connectionString or host'],
    [
      'a missing CA file',
      { rdsCaFile: '/nonexistent/ca.pem', host: 'db.example.com' },
      'rdsCaFile must name a readable PEM file',
    ],
  ])('throws TypeError for %s', (_name, options, message) => {
    expect(bad(options)).toThrow(TypeError);
    expect(bad(options)).toThrow(message);
  });

  it('refuses a password next to credentials, without echoing it', () => {
    const create = bad({ password: 'Sup3r-Secret', credentials: { source: 'iam' } });
    expect(create).toThrow(TypeError);
    expect(create).toThrow('password and credentials');
    try {
      create();
    } catch (error) {
      expect(String((error as Error).message)).not.toContain('Sup3r-Secret');
    }
  });

  it('accepts Infinity to turn the idle check off, and 0 to check every reuse', async () => {
    const off = createEnhancedPool({ host: '127.0.0.1', validateIdleAfterMillis: Number.POSITIVE_INFINITY });
    const always = createEnhancedPool({ host: '127.0.0.1', validateIdleAfterMillis: 0 });
    await off.end();
    await always.end();
  });
});
