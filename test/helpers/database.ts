/**
 * A database of its own on the test server for a suite that loads the sample dataset or creates
 * tables other suites also use, so parallel suites never meet.
 */
import pg from 'pg';
import { databaseUrl } from './services.js';

export interface ScratchDatabase {
  readonly url: string;
  readonly name: string;
  drop(): Promise<void>;
}

/** Creates `perfkit_<label>_<pid>` (with hypopg and pg_stat_statements) and returns its URL. */
export async function createScratchDatabase(label: string): Promise<ScratchDatabase> {
  const name = `perfkit_${label}_${process.pid}`.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  const adminUrl = databaseUrl(); // kept: a test may point DATABASE_URL at the scratch database
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    await client.query('CREATE EXTENSION IF NOT EXISTS hypopg');
    await client.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
  } finally {
    await client.end();
  }
  return {
    url: url.toString(),
    name,
    drop: async () => {
      const dropper = new pg.Client({ connectionString: adminUrl });
      await dropper.connect();
      try {
        await dropper.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await dropper.end();
      }
    },
  };
}
