/**
 * Vitest global setup: with no DATABASE_URL / REDIS_URL given, starts the throwaway PostgreSQL 15
 * and Redis with `scripts/services.sh up` (which installs the Debian packages if missing) and
 * stops them afterwards (unless they were already running). With both given, uses those servers and starts nothing.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseEnv } from './helpers/services.js';

const servicesScript = fileURLToPath(new URL('../scripts/services.sh', import.meta.url));

export default function setup(): (() => void) | undefined {
  if (process.env.DATABASE_URL && process.env.REDIS_URL) return undefined;
  // Services someone else started (`npm run services:up`) are reused and left running.
  const status = execFileSync('bash', [servicesScript, 'status'], { encoding: 'utf8' });
  const alreadyRunning = status.includes('postgres: running') && status.includes('redis: running');
  let output: string;
  try {
    output = execFileSync('bash', [servicesScript, 'up'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    });
  } catch (error) {
    throw new Error(
      'Could not start the test services (PostgreSQL 15 + Redis) with scripts/services.sh up. ' +
        'Read the message above, or set DATABASE_URL and REDIS_URL to servers of your own.',
      { cause: error },
    );
  }
  const env = parseEnv(output);
  for (const [key, value] of Object.entries(env)) process.env[key] ??= value;
  if (alreadyRunning) return undefined;
  return () => {
    execFileSync('bash', [servicesScript, 'down'], { stdio: ['ignore', 'ignore', 'inherit'] });
  };
}
