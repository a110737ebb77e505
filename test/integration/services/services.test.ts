import { ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseUrl, redisUrl } from '../../helpers/services.js';
import { type SqsEmulator, startSqsEmulator } from '../../helpers/sqs.js';

describe('the real local services', () => {
  it('PostgreSQL 15 has pg_stat_statements loaded and HypoPG installed', async () => {
    const client = new pg.Client({ connectionString: databaseUrl() });
    await client.connect();
    try {
      const version = await client.query<{ server_version_num: string }>('SHOW server_version_num');
      const extensions = await client.query<{ extname: string }>(
        'SELECT extname FROM pg_extension ORDER BY 1',
      );
      const statements = await client.query('SELECT count(*) FROM pg_stat_statements');
      const hypo = await client.query<{ indexname: string }>(
        "SELECT indexname FROM hypopg_create_index('CREATE INDEX ON pg_class (relname)')",
      );
      await client.query('SELECT hypopg_reset()');
      expect(Number(version.rows[0]?.server_version_num)).toBeGreaterThanOrEqual(150000);
      expect(extensions.rows.map((r) => r.extname)).toEqual(
        expect.arrayContaining(['hypopg', 'pg_stat_statements']),
      );
      expect(statements.rowCount).toBe(1);
      expect(hypo.rows[0]?.indexname).toMatch(/pg_class/);
    } finally {
      await client.end();
    }
  });

  it('Redis answers PING and stores a value', async () => {
    const redis = new Redis(redisUrl(), { lazyConnect: true, maxRetriesPerRequest: 1 });
    await redis.connect();
    try {
      await redis.set('perfkit:services-test', 'ok', 'EX', 10);
      expect(await redis.ping()).toBe('PONG');
      expect(await redis.get('perfkit:services-test')).toBe('ok');
    } finally {
      redis.disconnect();
    }
  });

  describe('SQS emulator', () => {
    let sqs: SqsEmulator;
    beforeAll(async () => {
      sqs = await startSqsEmulator();
    });
    afterAll(async () => {
      await sqs.stop();
    });

    it('sends and receives a message through the AWS SDK', async () => {
      const { queueUrl } = sqs.createQueue('services-test');
      await sqs.client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: '{"hello":"world"}' }));
      const received = await sqs.client.send(
        new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 1 }),
      );
      expect(received.Messages?.map((m) => m.Body)).toEqual(['{"hello":"world"}']);
    });
  });
});
