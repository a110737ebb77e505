import { createServer, type Server } from 'node:http';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  createEnhancedPool,
  type EnhancedPool,
  type EnhancedPoolOptions,
  PoolConnectionError,
  PoolCredentialsError,
} from '../../../lambda/shared/connection-pool/index.js';
import { type PrivatePostgres, startPrivatePostgres } from '../../helpers/services.js';
import { adminClient, sleep } from './helpers.js';

/**
 * Faults that need a server of our own: restarts, stops, exhausted connection slots, password
 * rotation. max_connections is 8, so ordinary roles get 5 slots (3 stay reserved for superusers).
 */
let server: PrivatePostgres;
const pools: EnhancedPool[] = [];

function urlAs(user: string, password?: string): string {
  const url = new URL(server.databaseUrl);
  url.username = user;
  url.password = password ?? '';
  return url.toString();
}

function pool(options: EnhancedPoolOptions): EnhancedPool {
  const created = createEnhancedPool(options);
  pools.push(created);
  return created;
}

async function sql(text: string, values: unknown[] = []): Promise<pg.QueryResult> {
  const admin = await adminClient(server.databaseUrl);
  try {
    return await admin.query(text, values);
  } finally {
    await admin.end();
  }
}

beforeAll(async () => {
  server = startPrivatePostgres(8);
  await sql('CREATE TABLE writes (id serial PRIMARY KEY, note text)');
  await sql('CREATE ROLE limited LOGIN CONNECTION LIMIT 1');
  await sql('CREATE ROLE app LOGIN');
  await sql("CREATE ROLE rotating LOGIN PASSWORD 'first-password'");
  await sql('GRANT ALL ON writes, writes_id_seq TO limited, app, rotating');
  // Password auth for `rotating` only; everyone else stays on trust.
  const hba = (await sql('SHOW hba_file')).rows[0]!.hba_file as string;
  await sql(
    `COPY (VALUES ('local all all trust'), ('host all rotating 127.0.0.1/32 scram-sha-256'),
                  ('host all all 127.0.0.1/32 trust'), ('host all all ::1/128 trust')) TO '${hba}'`,
  );
  await sql('SELECT pg_reload_conf()');
  // The cluster runs with synchronous_commit off: make the setup survive immediate restarts.
  await sql('CHECKPOINT');
});

afterEach(async () => {
  for (const p of pools.splice(0)) await p.end({ timeoutMillis: 500 });
});

afterAll(() => {
  server?.destroy();
});

describe('recovery from server restarts', () => {
  it('a write after an immediate restart goes through once, on a validated connection', async () => {
    const p = pool({ connectionString: server.databaseUrl, max: 2, min: 2, validateIdleAfterMillis: 0 });
    await p.warmUp();
    await sql('CHECKPOINT');
    server.restart(); // blocks this process meanwhile, as a Lambda freeze would
    await p.query("INSERT INTO writes (note) VALUES ('after restart')");
    expect((await sql("SELECT count(*)::int AS n FROM writes WHERE note = 'after restart'")).rows[0]!.n).toBe(
      1,
    );
    expect(p.getMetrics()).toMatchObject({ errors: 0, retries: 0 });
    expect(p.getMetrics().reconnects).toBeGreaterThanOrEqual(1);
  });

  it('an idempotent read on a dead connection is re-run transparently', async () => {
    const p = pool({
      connectionString: server.databaseUrl,
      max: 1,
      validateIdleAfterMillis: Number.POSITIVE_INFINITY,
    });
    await p.warmUp();
    server.restart();
    const result = await p.query('SELECT count(*)::int AS n FROM writes', [], { idempotent: true });
    expect(typeof result.rows[0]!.n).toBe('number');
    const metrics = p.getMetrics();
    expect(metrics.errors).toBe(0);
    // re-run after the dead socket failed it, or (when the close was read first) replaced before use
    expect(metrics.reconnects).toBeGreaterThanOrEqual(1);
  });

  it('a read issued while the server is down succeeds soon after it comes back', async () => {
    const p = pool({ connectionString: server.databaseUrl, max: 1, retry: { deadlineMillis: 15_000 } });
    await p.warmUp();
    server.stop();
    const read = p.query('SELECT 7 AS seven', [], { readOnly: true });
    await sleep(300);
    server.start();
    const accepting = Date.now();
    const result = await read;
    expect(result.rows[0]!.seven).toBe(7);
    expect(Date.now() - accepting).toBeLessThan(2000);
    expect(p.getMetrics().errors).toBe(0);
    expect(p.getMetrics().retries).toBeGreaterThanOrEqual(1);
  });
});

describe('53300 too_many_connections', () => {
  it('backs off and gets through once a slot frees up (a role’s CONNECTION LIMIT)', async () => {
    const holder = new pg.Client({ connectionString: urlAs('limited') });
    await holder.connect();
    const p = pool({
      connectionString: urlAs('limited'),
      max: 1,
      retry: { deadlineMillis: 5000, baseDelayMillis: 20, maxDelayMillis: 200, maxAttempts: 50 },
    });
    const write = p.query("INSERT INTO writes (note) VALUES ('limited') RETURNING id");
    await sleep(400);
    await holder.end();
    const result = await write;
    expect(result.rows[0]!.id).toBeGreaterThan(0);
    expect(p.getMetrics().retries).toBeGreaterThanOrEqual(1);
    expect(p.getMetrics().errors).toBe(0);
    expect((await sql("SELECT count(*)::int AS n FROM writes WHERE note = 'limited'")).rows[0]!.n).toBe(1);
  });

  it('gives up at the deadline with the code and what to do (max_connections exhausted)', async () => {
    const holders: pg.Client[] = [];
    try {
      for (let i = 0; i < 5; i++) {
        const holder = new pg.Client({ connectionString: urlAs('app') });
        await holder.connect();
        holders.push(holder);
      }
      const p = pool({
        connectionString: urlAs('app'),
        max: 1,
        retry: { deadlineMillis: 300, baseDelayMillis: 20 },
      });
      const error = (await p.query('SELECT 1').catch((e: unknown) => e)) as PoolConnectionError;
      expect(error).toBeInstanceOf(PoolConnectionError);
      expect(error.code).toBe('53300');
      expect(error.message).toContain('the server has no connection slots left');
      expect(p.getMetrics().retries).toBeGreaterThanOrEqual(1);
      expect(p.getHealthStatus().reasons.join()).toContain('(53300');
    } finally {
      for (const holder of holders) await holder.end();
    }
  });
});

describe('password rotation (28P01)', () => {
  it('fetches the credentials again once and reconnects', async () => {
    let stored = 'first-password';
    let fetches = 0;
    const p = pool({
      host: '127.0.0.1',
      port: server.port,
      database: 'perfkit',
      max: 1,
      idleTimeoutMillis: 0,
      credentials: {
        source: 'provider',
        getCredentials: async () => {
          fetches++;
          return { user: 'rotating', password: stored };
        },
      },
    });
    expect((await p.query('SELECT current_user AS u')).rows[0]!.u).toBe('rotating');
    // rotate: the server and the store change; the pool still holds the old password
    await sql("ALTER ROLE rotating PASSWORD 'second-password'");
    stored = 'second-password';
    await sql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = 'rotating'");
    await sleep(50);
    expect((await p.query('SELECT current_user AS u')).rows[0]!.u).toBe('rotating');
    expect(fetches).toBe(2);
    expect(p.getMetrics()).toMatchObject({ credentialRefreshes: 1, errors: 0 });
    await sql("ALTER ROLE rotating PASSWORD 'first-password'");
  });

  it('fails with PoolCredentialsError, once, when the fresh credentials are wrong too — never echoing them', async () => {
    let fetches = 0;
    const p = pool({
      host: '127.0.0.1',
      port: server.port,
      database: 'perfkit',
      credentials: {
        source: 'provider',
        getCredentials: async () => {
          fetches++;
          return { user: 'rotating', password: 'Wr0ng-Secret-Value' };
        },
      },
    });
    const error = (await p.query('SELECT 1').catch((e: unknown) => e)) as PoolCredentialsError;
    expect(error).toBeInstanceOf(PoolCredentialsError);
    expect(error.code).toBe('28P01');
    expect(error.message).toContain('even after fetching them again');
    expect(error.message).not.toContain('Wr0ng-Secret-Value');
    expect(fetches).toBe(2);
  });

  it('does not retry a static password that is refused', async () => {
    const p = pool({
      connectionString: urlAs('rotating', 'Static-Wrong-1'),
      retry: { deadlineMillis: 2000 },
    });
    const error = (await p.query('SELECT 1').catch((e: unknown) => e)) as PoolCredentialsError;
    expect(error).toBeInstanceOf(PoolCredentialsError);
    expect(error.message).toContain('the static password');
    expect(error.message).not.toContain('Static-Wrong-1');
    expect(p.getMetrics().retries).toBe(0);
  });
});

describe('credentials from Secrets Manager', () => {
  let fake: Server;
  let endpoint: string;
  let secret = JSON.stringify({ username: 'rotating', password: 'first-password', engine: 'postgres' });
  const requests: Array<{ target: string | undefined; body: string }> = [];

  beforeAll(async () => {
    // The AWS JSON 1.1 protocol of GetSecretValue, on 127.0.0.1: the real SDK client talks to it.
    fake = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => {
        body += chunk.toString();
      });
      req.on('end', () => {
        requests.push({ target: req.headers['x-amz-target'] as string | undefined, body });
        const { SecretId } = JSON.parse(body) as { SecretId: string };
        res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(
          JSON.stringify({
            ARN: `arn:aws:secretsmanager:eu-west-1:123456789012:secret:${SecretId}`,
            Name: SecretId,
            SecretString: secret,
            VersionId: `v${requests.length}`,
          }),
        );
      });
    });
    await new Promise<void>((resolve) => fake.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(fake.address() as { port: number }).port}`;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => fake.close(() => resolve()));
  });

  it('reads user and password from the secret, and reads it again after a rotation', async () => {
    const p = pool({
      host: '127.0.0.1',
      port: server.port,
      database: 'perfkit',
      max: 1,
      credentials: {
        source: 'secrets-manager',
        secretId: 'prod/perfkit/db',
        clientConfig: {
          endpoint,
          region: 'eu-west-1',
          credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'not-a-real-key' },
        },
      },
    });
    expect((await p.query('SELECT current_user AS u')).rows[0]!.u).toBe('rotating');
    expect(requests).toHaveLength(1);
    expect(requests[0]?.target).toBe('secretsmanager.GetSecretValue');
    expect(JSON.parse(requests[0]?.body ?? '{}')).toEqual({ SecretId: 'prod/perfkit/db' });

    await sql("ALTER ROLE rotating PASSWORD 'third-password'");
    secret = JSON.stringify({ username: 'rotating', password: 'third-password' });
    await sql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = 'rotating'");
    await sleep(50);
    expect((await p.query('SELECT 1 AS ok')).rows[0]!.ok).toBe(1);
    expect(requests).toHaveLength(2);
    expect(p.getMetrics().credentialRefreshes).toBe(1);
    await sql("ALTER ROLE rotating PASSWORD 'first-password'");
  });
});
