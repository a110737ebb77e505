#!/usr/bin/env node
/**
 * The perf-kit command line: `perf-kit demo` (what `npm start` runs) and the module commands.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DEFAULT_DATASET_SIZE, DemoError, runDemo } from './demo/run-demo.js';

const HELP = `perf-kit — lambda-perf-kit's command line

Usage:
  perf-kit demo [flags]        the local demo (what \`npm start\` runs)
  perf-kit feed <queue-url> <file.jsonl|-> [flags]
                               send JSON lines to an SQS queue (perf-kit feed --help)
  perf-kit advise [flags]      index suggestions for a database's workload (perf-kit advise --help)
  perf-kit help                this text

demo flags:
  --rows N            orders in the sample dataset (default ${DEFAULT_DATASET_SIZE.orders})
  --messages N        SQS messages fed through the worker (default 1000)
  --database-url URL  use this PostgreSQL instead of the embedded one (default: $DATABASE_URL, else embedded PGlite)
  --redis-url URL     L2 cache (default: $REDIS_URL, else memory-only)
  --json PATH         where to write the JSON report (default report.json)
  --html PATH         where to write the HTML report (default report.html)
  --only a,b          run only these sections (pool, optimizer, lazy, batch, worker, handlers)
  --quiet             no progress lines
  -h, --help          this text
`;

function positiveInt(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) {
    throw new DemoError(`--${name} must be a whole number ≥ 1; received '${value}'`);
  }
  return n;
}

async function demo(args: string[]): Promise<void> {
  // The demo runs locally: no CloudWatch to send EMF to (the report shows the numbers instead),
  // and the AWS SDK's Node 20 deprecation notice is not news to someone running a demo.
  process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
  // Expected failures (the poison messages) are counted in the report; log lines only for errors.
  process.env.POWERTOOLS_LOG_LEVEL ??= 'ERROR';
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const { values } = parseArgs({
    args,
    options: {
      rows: { type: 'string' },
      messages: { type: 'string' },
      'database-url': { type: 'string' },
      'redis-url': { type: 'string' },
      json: { type: 'string' },
      html: { type: 'string' },
      only: { type: 'string' },
      quiet: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  // The demo bundles the repository's example handlers and fixtures from source: it runs from a
  // clone (`npm start`), not from the published package (which ships `feed` and `advise`).
  const fixture = fileURLToPath(new URL('../../test/fixtures/split-handler/handler.ts', import.meta.url));
  if (!existsSync(fixture)) {
    throw new DemoError(
      'the demo runs from a clone of the lambda-perf-kit repository: git clone it, then `npm ci && npm start` (the published package ships `perf-kit feed` and `perf-kit advise`)',
    );
  }
  const databaseUrl = values['database-url'] ?? process.env.DATABASE_URL;
  const redisUrl = values['redis-url'] ?? process.env.REDIS_URL;
  await runDemo({
    rows: positiveInt('rows', values.rows, DEFAULT_DATASET_SIZE.orders),
    messages: positiveInt('messages', values.messages, 1000),
    ...(databaseUrl ? { databaseUrl } : {}),
    ...(redisUrl ? { redisUrl } : {}),
    jsonPath: values.json ?? 'report.json',
    htmlPath: values.html ?? 'report.html',
    quiet: values.quiet,
    ...(values.only ? { only: values.only.split(',').map((s) => s.trim()) } : {}),
  });
}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'demo':
      return demo(rest);
    case 'advise':
      process.exitCode = await (await import('./advise.js')).adviseCommand(rest);
      return;
    case 'feed':
      process.exitCode = await (await import('./feed.js')).feedCommand(rest);
      return;
    case undefined:
    case 'help':
    case '-h':
    case '--help':
      process.stdout.write(HELP);
      return;
    default:
      throw new DemoError(`unknown command '${command}'; expected one of: demo, feed, advise, help`);
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  if (
    error instanceof DemoError ||
    (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS'))
  ) {
    process.stderr.write(`perf-kit: ${error.message}\n`);
  } else {
    process.stderr.write(
      `perf-kit: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
  }
  process.exitCode = 1;
});
