/**
 * The local runner: invokes a Lambda handler with realistic events and context in a fresh `node`
 * process (so the first invocation is a real cold start), and returns init and per-invocation times.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Options for {@link invokeInFreshProcess}. */
export interface FreshInvokeOptions {
  /** The handler module: a bundled `.mjs` (what Lambda runs) or a `.ts` source (run through tsx). */
  modulePath: string;
  /** @default 'handler' */
  exportName?: string;
  /** Events to invoke the handler with, in order, in the same process. */
  events: unknown[];
  /** Environment of the child process (PATH/HOME are added). */
  env?: Record<string, string>;
  /** The invocation's time budget seen by `context.getRemainingTimeInMillis()`. @default 30000 */
  timeoutMillis?: number;
  /** `context.memoryLimitInMB` and AWS_LAMBDA_FUNCTION_MEMORY_SIZE. @default 1024 */
  memoryMB?: number;
}

/** What one fresh-process run measured. */
export interface FreshInvokeResult {
  /** Import of the handler module (init), ms. */
  initMillis: number;
  invocations: Array<{ millis: number; result?: unknown; error?: string }>;
  /** What the child wrote to stdout besides the result line (EMF metrics, logs). */
  output: string;
}

// Plain .mjs so no TypeScript loader starts in the child (the build copies it to dist/).
const childScript = fileURLToPath(new URL('./invoke-child.mjs', import.meta.url));

/**
 * Invokes a handler in a fresh process.
 *
 * @example
 * ```ts
 * const run = await invokeInFreshProcess({ modulePath: 'dist/api/index.mjs', events: [makeApiGatewayV2Event('/health')] });
 * console.log(run.initMillis, run.invocations[0]?.millis);
 * ```
 */
export async function invokeInFreshProcess(options: FreshInvokeOptions): Promise<FreshInvokeResult> {
  const dir = mkdtempSync(join(tmpdir(), 'perfkit-invoke-'));
  try {
    const eventsFile = join(dir, 'events.json');
    writeFileSync(eventsFile, JSON.stringify(options.events));
    const memoryMB = options.memoryMB ?? 1024;
    const needsTsx = options.modulePath.endsWith('.ts');
    const args = [
      ...(needsTsx ? ['--import', 'tsx'] : []),
      childScript,
      options.modulePath,
      options.exportName ?? 'handler',
      eventsFile,
      String(options.timeoutMillis ?? 30_000),
      String(memoryMB),
    ];
    const env = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: process.env.HOME ?? '/tmp',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(memoryMB),
      AWS_LAMBDA_FUNCTION_NAME: 'perf-kit-local',
      AWS_REGION: 'us-east-1',
      ...options.env,
    };
    const stdout = await new Promise<string>((resolve, reject) => {
      execFile(
        process.execPath,
        args,
        { env, maxBuffer: 64 * 1024 * 1024, timeout: 120_000 },
        (error, out, err) => {
          if (error) reject(new Error(`handler process failed: ${error.message}\n${err}`, { cause: error }));
          else resolve(out);
        },
      );
    });
    const marker = stdout.lastIndexOf('@@RESULT@@');
    if (marker < 0) throw new Error(`handler process printed no result:\n${stdout.slice(-2000)}`);
    const parsed = JSON.parse(stdout.slice(marker + '@@RESULT@@'.length)) as Omit<
      FreshInvokeResult,
      'output'
    >;
    return { ...parsed, output: stdout.slice(0, marker) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
