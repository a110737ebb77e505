import { describe, expect, it } from 'vitest';
import { poolOptionsFromEnv, redisUrlFromEnv } from '../../../lambda/examples/shared/environment.js';

describe('example handlers read their configuration from the stack’s environment', () => {
  it('uses DATABASE_URL when given', () => {
    expect(poolOptionsFromEnv({ DATABASE_URL: 'postgres://u@h:5432/d' }).connectionString).toBe(
      'postgres://u@h:5432/d',
    );
  });

  it('builds IAM or Secrets Manager credentials from PGHOST and the stack’s variables', () => {
    const iam = poolOptionsFromEnv({
      PGHOST: 'db',
      PGDATABASE: 'app',
      PGUSER: 'app',
      DB_IAM_AUTH: 'true',
      DB_READER_HOST: 'ro',
    });
    const secret = poolOptionsFromEnv({
      PGHOST: 'db',
      DB_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:1:secret:x',
    });
    expect(iam).toMatchObject({
      host: 'db',
      port: 5432,
      database: 'app',
      user: 'app',
      credentials: { source: 'iam' },
      reader: { host: 'ro' },
    });
    expect(secret.credentials).toEqual({
      source: 'secrets-manager',
      secretId: 'arn:aws:secretsmanager:us-east-1:1:secret:x',
    });
  });

  it('says what to set when no database is configured', () => {
    expect(() => poolOptionsFromEnv({})).toThrow(/set DATABASE_URL/);
  });

  it('adds the cache user and password to REDIS_URL, escaped', () => {
    expect(redisUrlFromEnv({ REDIS_URL: 'rediss://cache:6379', REDIS_USERNAME: 'app' }, 'p@ss/word')).toBe(
      'rediss://app:p%40ss%2Fword@cache:6379',
    );
    expect(redisUrlFromEnv({})).toBeUndefined();
  });
});
