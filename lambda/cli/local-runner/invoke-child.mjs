// Runs inside a fresh `node` process: imports a handler module (timing the import as init), then
// invokes it with each event in turn, and prints one JSON line with the timings and the results.
// argv: <module path> <export name> <events.json> [timeoutMillis] [memoryMB]
// Plain JavaScript on purpose: no TypeScript loader may sit between `node` and the handler, or
// the init figures would include the loader's own start-up.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const [modulePath, exportName = 'handler', eventsFile, timeoutArg, memoryArg] = process.argv.slice(2);
if (!modulePath || !eventsFile)
  throw new TypeError('usage: invoke-child <module> <export> <events.json> [timeoutMillis] [memoryMB]');
const events = JSON.parse(readFileSync(eventsFile, 'utf8'));
const timeoutMillis = Number(timeoutArg ?? 30_000);
const memoryLimitInMB = String(memoryArg ?? 1024);

/** A Lambda context whose remaining time counts down in real time (as lambda/cli/events.ts makeContext). */
function makeContext() {
  const deadline = Date.now() + timeoutMillis;
  const functionName = process.env.AWS_LAMBDA_FUNCTION_NAME ?? 'perf-kit-local';
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${functionName}`,
    memoryLimitInMB,
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: `local/${randomUUID()}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

const t0 = performance.now();
const mod = await import(pathToFileURL(modulePath).href);
const initMillis = performance.now() - t0;
const handler = mod[exportName];
if (typeof handler !== 'function')
  throw new TypeError(`${modulePath} has no function export '${exportName}'`);

const invocations = [];
for (const event of events) {
  const start = performance.now();
  try {
    const result = await handler(event, makeContext());
    invocations.push({ millis: performance.now() - start, result });
  } catch (error) {
    invocations.push({
      millis: performance.now() - start,
      error: error instanceof Error ? error.message : String(error),
    });
  }
}
process.stdout.write(`\n@@RESULT@@${JSON.stringify({ initMillis, invocations })}\n`);
// Handlers keep pools and sockets open on purpose (they survive between invocations); a Lambda
// environment is frozen, not exited, so the runner ends the process itself.
process.exit(0);
