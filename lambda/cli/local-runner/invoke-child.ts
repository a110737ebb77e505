/**
 * Runs inside a fresh `node` process: imports a handler module (timing the import as init), then
 * invokes it with each event in turn, and prints one JSON line with the timings and the results.
 * argv: <module path> <export name> <events.json> [timeoutMillis] [memoryMB]
 */
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { makeContext } from '../events.js';

type Handler = (event: unknown, context: unknown) => Promise<unknown>;

const [modulePath, exportName = 'handler', eventsFile, timeoutArg, memoryArg] = process.argv.slice(2);
if (!modulePath || !eventsFile)
  throw new TypeError('usage: invoke-child <module> <export> <events.json> [timeoutMillis] [memoryMB]');
const events: unknown[] = JSON.parse(readFileSync(eventsFile, 'utf8'));
const timeoutMillis = Number(timeoutArg ?? 30_000);
const memoryLimitInMB = Number(memoryArg ?? 1024);

const t0 = performance.now();
const mod = (await import(pathToFileURL(modulePath).href)) as Record<string, unknown>;
const initMillis = performance.now() - t0;
const handler = mod[exportName] as Handler | undefined;
if (typeof handler !== 'function')
  throw new TypeError(`${modulePath} has no function export '${exportName}'`);

const invocations: Array<{ millis: number; result?: unknown; error?: string }> = [];
for (const event of events) {
  const context = makeContext({ timeoutMillis, memoryLimitInMB, functionName: 'perf-kit-local' });
  const start = performance.now();
  try {
    const result = await handler(event, context);
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
