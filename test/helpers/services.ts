/**
 * Access to the real services the integration tests talk to. A missing service is a failure with a
 * message that says how to start it, never a skip.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const servicesScript = fileURLToPath(new URL('../../scripts/services.sh', import.meta.url));

function required(name: 'DATABASE_URL' | 'REDIS_URL'): string {
  const value = process.env[name];
  if (!value) {
    throw new Error(
      `${name} is not set. Run the tests with \`npm test\` (its global setup starts PostgreSQL and Redis), ` +
        `or start them with \`bash scripts/services.sh up\` and export what it prints.`,
    );
  }
  return value;
}

/** The shared test PostgreSQL 15 (pg_stat_statements + hypopg in database `perfkit`). */
export function databaseUrl(): string {
  return required('DATABASE_URL');
}

/** The shared test Redis. */
export function redisUrl(): string {
  return required('REDIS_URL');
}

/** Parses the KEY=value lines `scripts/services.sh up` prints. */
export function parseEnv(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) env[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return env;
}

/** A private PostgreSQL cluster a destructive test may restart, stop or exhaust without disturbing others. */
export interface PrivatePostgres {
  readonly databaseUrl: string;
  readonly port: number;
  /** Immediate-mode restart (like a crash + recovery); resolves when it accepts connections again. */
  restart(): void;
  /** Stops the server (immediate mode). */
  stop(): void;
  /** Starts a stopped server on the same port. */
  start(): void;
  /** Stops the server and deletes its data directory. */
  destroy(): void;
}

function runPg(pgBin: string, args: string[]): void {
  const asPostgres = process.getuid?.() === 0;
  const cmd = asPostgres ? 'runuser' : join(pgBin, 'pg_ctl');
  const fullArgs = asPostgres ? ['-u', 'postgres', '--', join(pgBin, 'pg_ctl'), ...args] : args;
  execFileSync(cmd, fullArgs, { stdio: ['ignore', 'ignore', 'pipe'] });
}

/**
 * Starts a private PostgreSQL 15 cluster in a temp directory (about a second).
 *
 * @param maxConnections the cluster's `max_connections`.
 */
export function startPrivatePostgres(maxConnections = 30): PrivatePostgres {
  const dir = mkdtempSync(join(tmpdir(), 'perfkit-pg-'));
  const out = execFileSync('bash', [servicesScript, 'up', 'postgres'], {
    encoding: 'utf8',
    env: { ...process.env, SERVICES_DIR: dir, PG_MAX_CONNECTIONS: String(maxConnections) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const env = parseEnv(out);
  const url = env.DATABASE_URL;
  const pgdata = env.PGDATA;
  const pgBin = env.PG_BIN;
  if (!url || !pgdata || !pgBin) throw new Error(`services.sh up postgres printed no DATABASE_URL:\n${out}`);
  const port = Number(new URL(url).port);
  const logFile = join(dir, 'pg', 'server.log');
  return {
    databaseUrl: url,
    port,
    restart: () => runPg(pgBin, ['-D', pgdata, '-l', logFile, '-m', 'immediate', '-w', 'restart']),
    stop: () => runPg(pgBin, ['-D', pgdata, '-m', 'immediate', '-w', 'stop']),
    start: () => runPg(pgBin, ['-D', pgdata, '-l', logFile, '-w', 'start']),
    destroy: () => {
      execFileSync('bash', [servicesScript, 'down', 'postgres'], {
        env: { ...process.env, SERVICES_DIR: dir },
        stdio: 'ignore',
      });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A private Redis a test may stop and start. */
export interface PrivateRedis {
  readonly redisUrl: string;
  readonly port: number;
  stop(): void;
  destroy(): void;
}

/** Starts a private redis-server on a free port. */
export function startPrivateRedis(): PrivateRedis {
  const dir = mkdtempSync(join(tmpdir(), 'perfkit-redis-'));
  const env = { ...process.env, SERVICES_DIR: dir };
  const out = execFileSync('bash', [servicesScript, 'up', 'redis'], {
    encoding: 'utf8',
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const url = parseEnv(out).REDIS_URL;
  if (!url) throw new Error(`services.sh up redis printed no REDIS_URL:\n${out}`);
  const down = () => execFileSync('bash', [servicesScript, 'down', 'redis'], { env, stdio: 'ignore' });
  return {
    redisUrl: url,
    port: Number(new URL(url).port),
    stop: down,
    destroy: () => {
      down();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
