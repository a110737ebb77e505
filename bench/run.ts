/**
 * `npm run bench`: runs every bench/*.bench.ts that exists, one process each (so one module's
 * warm state never flatters another's), then prints the whole bench/results.json table.
 * Needs DATABASE_URL / REDIS_URL, or starts the local services itself like `npm test` does.
 * `npm run bench -- pool` runs only files whose name contains "pool".
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type BenchResult, printTable, RESULTS_FILE } from './harness.js';

const benchDir = fileURLToPath(new URL('.', import.meta.url));
const servicesScript = fileURLToPath(new URL('../scripts/services.sh', import.meta.url));
const filter = process.argv[2];
const files = readdirSync(benchDir)
  .filter((f) => f.endsWith('.bench.ts') && (!filter || f.includes(filter)))
  .sort();

let startedServices = false;
if (!process.env.DATABASE_URL || !process.env.REDIS_URL) {
  const out = execFileSync('bash', [servicesScript, 'up'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  for (const line of out.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) process.env[line.slice(0, eq)] ??= line.slice(eq + 1);
  }
  startedServices = true;
}

let failed = 0;
try {
  for (const file of files) {
    console.log(`\n== ${file}`);
    const run = spawnSync(process.execPath, ['--import', 'tsx', `${benchDir}${file}`], {
      stdio: 'inherit',
      env: process.env,
    });
    if (run.status !== 0) failed++;
  }
} finally {
  if (startedServices) execFileSync('bash', [servicesScript, 'down'], { stdio: 'inherit' });
}

if (existsSync(RESULTS_FILE)) {
  console.log('\n== bench/results.json');
  printTable(JSON.parse(readFileSync(RESULTS_FILE, 'utf8')) as BenchResult[]);
}
process.exitCode = failed ? 1 : 0;
