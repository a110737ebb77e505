/** Small helpers shared by the pool's integration tests. */
import { randomUUID } from 'node:crypto';
import pg from 'pg';

/** A unique application_name, so a test can find its own backends in pg_stat_activity. */
export function uniqueName(prefix: string): string {
  return `${prefix}_${randomUUID().slice(0, 8)}`;
}

/** A plain pg client (not the pool under test) for looking at and killing backends. */
export async function adminClient(connectionString: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString });
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

/** Backend pids of `application_name`, optionally only those running a statement. */
export async function backendPids(
  admin: pg.Client,
  applicationName: string,
  state?: 'active' | 'idle',
): Promise<number[]> {
  const { rows } = await admin.query<{ pid: number }>(
    `SELECT pid FROM pg_stat_activity WHERE application_name = $1 AND ($2::text IS NULL OR state = $2) ORDER BY pid`,
    [applicationName, state ?? null],
  );
  return rows.map((row) => row.pid);
}

/** Polls `check` every 10 ms until it holds or `timeoutMillis` passes; returns whether it held. */
export async function waitFor(
  check: () => boolean | Promise<boolean>,
  timeoutMillis = 5000,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMillis;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await sleep(10);
  }
  return check();
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
