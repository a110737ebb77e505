import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import type { SQSBatchResponse, SQSHandler } from 'aws-lambda';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { configureObservability, resetObservability } from '../../../lambda/shared/observability/index.js';
import { makeContext, makeSqsEvent } from '../../helpers/events.js';
import { databaseUrl } from '../../helpers/services.js';

const root = join(import.meta.dirname, '../../..');
const schema = `batch_readme_${process.pid}`;
let admin: pg.Pool;

/** The first ```ts block of docs/readme/batch.md, importing the library from source. */
function readmeExample(): string {
  const markdown = readFileSync(join(root, 'docs/readme/batch.md'), 'utf8');
  const code = /```ts\n([\s\S]*?)```/.exec(markdown)?.[1];
  if (!code) throw new Error('docs/readme/batch.md has no ```ts block');
  return `${code.replace("'lambda-perf-kit/batch'", `'${join(root, 'lambda/shared/batch-processor/index.ts')}'`)}\nexport { pool as __pool };\n`;
}

describe('README example (docs/readme/batch.md)', () => {
  beforeAll(async () => {
    configureObservability({ logger: new Logger({ logLevel: 'SILENT' }) });
    admin = new pg.Pool({ connectionString: databaseUrl(), max: 1 });
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.query(`CREATE SCHEMA ${schema}`);
    await admin.query(`CREATE TABLE ${schema}.orders_in (order_id int PRIMARY KEY, total numeric NOT NULL)`);
  });
  afterAll(async () => {
    await admin?.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin?.end();
    resetObservability();
  });

  it('runs as written: good records land in the table, the malformed one is reported', async () => {
    // Prepare: the example reads DATABASE_URL at import; point it at a private schema.
    const url = new URL(databaseUrl());
    url.searchParams.set('options', `-c search_path=${schema}`);
    vi.stubEnv('DATABASE_URL', url.toString());
    const dir = join(root, 'node_modules/.cache/perf-kit-readme');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `batch-${process.pid}.ts`);
    writeFileSync(file, readmeExample());
    const mod = (await import(file)) as { handler: SQSHandler; __pool: pg.Pool };
    const event = makeSqsEvent([
      { orderId: 1, total: 10 },
      { orderId: 2, total: 20.5 },
      { orderId: 'three', total: 30 },
      { orderId: 4, total: 40 },
    ]);

    // Act
    let response: SQSBatchResponse;
    try {
      response = (await mod.handler(event, makeContext(), () => undefined)) as SQSBatchResponse;
    } finally {
      await mod.__pool.end();
      vi.unstubAllEnvs();
      rmSync(file, { force: true });
    }

    // Assess
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: event.Records[2]?.messageId }]);
    const { rows } = await admin.query(`SELECT order_id FROM ${schema}.orders_in ORDER BY order_id`);
    expect(rows.map((r) => r.order_id)).toEqual([1, 2, 4]);
  });
});
