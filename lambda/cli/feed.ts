/**
 * `perf-kit feed <queue-url> <file.jsonl|->`: sends one SQS message per JSON line, with a progress bar
 * on a terminal, a summary line, and the lines that were not sent written out for a re-run.
 */
import { createReadStream, createWriteStream, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import {
  FeedInputError,
  type FeedMessage,
  type FeedProgress,
  feedQueue,
} from '../shared/batch-processor/index.js';

export const FEED_HELP = `perf-kit feed — send a JSON Lines file to an SQS queue

Usage:
  perf-kit feed <queue-url> <file.jsonl|-> [flags]

Each non-empty line must be JSON; it becomes one message body, unchanged.

flags:
  --endpoint URL       SQS endpoint (default: $AWS_ENDPOINT_URL_SQS, then $AWS_ENDPOINT_URL, then AWS)
  --region REGION      (default: $AWS_REGION, else the queue URL's region, else us-east-1)
  --concurrency N      SendMessageBatch calls in flight (default 8)
  --max-retries N      re-sends of entries SQS reports Failed (default 5)
  --group-id ID        FIFO: message group of every line
  --group-field NAME   FIFO: take the message group from this top-level field of each line
  --dedup-field NAME   FIFO: take the deduplication id from this field (default: SHA-256 of the line)
  --failed-out PATH    where lines that were not sent go (default: <file>.failed.jsonl, or feed-failed.jsonl for stdin)
  --quiet              no progress bar
  -h, --help           this text

Exit code: 0 when every line was sent, 1 when any was not (they are in --failed-out), 2 for usage errors.
`;

interface Line {
  text: string;
  number: number;
}

class UsageError extends Error {
  override name = 'UsageError';
}

function wholeNumber(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0)
    throw new UsageError(`--${name} must be a whole number; received '${value}'`);
  return n;
}

const fieldOf = (line: Line, parsed: unknown, field: string): string => {
  const value = (parsed as Record<string, unknown> | null)?.[field];
  if (typeof value !== 'string' && typeof value !== 'number') {
    throw new Error(`line ${line.number}: field '${field}' is missing or not a string/number`);
  }
  return String(value);
};

/** Draws `[#####-----] 50%  5,000 sent  0 failed  4,100 msg/s` on one terminal line. */
function progressBar(progress: FeedProgress, fraction: number | undefined): string {
  const width = 24;
  const rate = progress.elapsedMs > 0 ? Math.round((progress.sent / progress.elapsedMs) * 1000) : 0;
  const n = (v: number) => v.toLocaleString('en-US');
  const stats = `${n(progress.sent)} sent  ${n(progress.failed)} failed  ${n(progress.retried)} retried  ${n(rate)} msg/s`;
  if (fraction === undefined) return `\r${n(progress.read)} read  ${stats}\x1b[K`;
  const filled = Math.round(Math.min(1, fraction) * width);
  return `\r[${'█'.repeat(filled)}${'░'.repeat(width - filled)}] ${Math.floor(fraction * 100)
    .toString()
    .padStart(3)}%  ${stats}\x1b[K`;
}

/**
 * Runs `perf-kit feed` and returns its exit code.
 *
 * @example
 * ```ts
 * import { feedCommand } from './feed.js';
 * process.exitCode = await feedCommand(['http://127.0.0.1:9324/000000000000/orders', 'orders.jsonl']);
 * ```
 */
export async function feedCommand(args: string[]): Promise<number> {
  let values: Record<string, string | boolean | undefined>;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        endpoint: { type: 'string' },
        region: { type: 'string' },
        concurrency: { type: 'string' },
        'max-retries': { type: 'string' },
        'group-id': { type: 'string' },
        'group-field': { type: 'string' },
        'dedup-field': { type: 'string' },
        'failed-out': { type: 'string' },
        quiet: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
    }));
  } catch (error) {
    process.stderr.write(`perf-kit feed: ${(error as Error).message}\n\n${FEED_HELP}`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(FEED_HELP);
    return 0;
  }
  const [queueUrl, input] = positionals;
  if (!queueUrl || !input || positionals.length > 2) {
    process.stderr.write(
      `perf-kit feed: expected <queue-url> <file.jsonl|->; received ${positionals.length} arguments\n\n${FEED_HELP}`,
    );
    return 2;
  }
  let concurrency: number | undefined;
  let maxRetries: number | undefined;
  try {
    concurrency = wholeNumber('concurrency', values.concurrency as string | undefined);
    maxRetries = wholeNumber('max-retries', values['max-retries'] as string | undefined);
    if (concurrency === 0) throw new UsageError("--concurrency must be ≥ 1; received '0'");
  } catch (error) {
    process.stderr.write(`perf-kit feed: ${(error as Error).message}\n`);
    return 2;
  }

  // The toolkit pins an SDK release that runs on Node 20; its "future releases need Node 22" notice
  // would print on every run of this command. Set the variable to 'false' to see it.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const fromStdin = input === '-';
  let totalBytes: number | undefined;
  if (!fromStdin) {
    try {
      totalBytes = statSync(input).size;
    } catch (error) {
      process.stderr.write(`perf-kit feed: cannot read '${input}': ${(error as Error).message}\n`);
      return 2;
    }
  }
  const failedOut =
    (values['failed-out'] as string | undefined) ??
    (fromStdin ? 'feed-failed.jsonl' : `${input.replace(/\.jsonl?$/, '')}.failed.jsonl`);
  const groupId = values['group-id'] as string | undefined;
  const groupField = values['group-field'] as string | undefined;
  const dedupField = values['dedup-field'] as string | undefined;
  const showBar = !values.quiet && process.stderr.isTTY === true;

  let bytesRead = 0;
  async function* lines(): AsyncGenerator<Line> {
    const stream = fromStdin ? process.stdin : createReadStream(input as string);
    const reader = createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY });
    let number = 0;
    for await (const text of reader) {
      number++;
      bytesRead += Buffer.byteLength(text) + 1;
      if (text.trim().length === 0) continue;
      yield { text, number };
    }
  }

  const toMessage = (line: Line): FeedMessage => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(line.text);
    } catch (error) {
      throw new Error(`line ${line.number} is not JSON (${(error as Error).message})`);
    }
    return {
      body: line.text,
      ...(groupField ? { groupId: fieldOf(line, parsed, groupField) } : groupId ? { groupId } : {}),
      ...(dedupField ? { deduplicationId: fieldOf(line, parsed, dedupField) } : {}),
    };
  };

  let lastDraw = 0;
  const draw = (progress: FeedProgress, force = false): void => {
    if (!showBar) return;
    const now = performance.now();
    if (!force && now - lastDraw < 100) return;
    lastDraw = now;
    // bytes read × share of read lines already settled (sent or failed), so 100% means done
    const settled = progress.read > 0 ? (progress.sent + progress.failed) / progress.read : 0;
    process.stderr.write(progressBar(progress, totalBytes ? (bytesRead / totalBytes) * settled : undefined));
  };

  let result: Awaited<ReturnType<typeof feedQueue<Line>>>;
  let inputBroke = false;
  try {
    result = await feedQueue<Line>(lines(), {
      queueUrl,
      toMessage,
      ...(values.endpoint ? { endpoint: values.endpoint as string } : {}),
      ...(values.region ? { region: values.region as string } : {}),
      ...(concurrency !== undefined ? { concurrency } : {}),
      ...(maxRetries !== undefined ? { maxRetries } : {}),
      onProgress: (p) => draw(p),
    });
  } catch (error) {
    if (showBar) process.stderr.write('\n');
    process.stderr.write(`perf-kit feed: ${(error as Error).message}\n`);
    if (!(error instanceof FeedInputError)) return 1;
    // The input broke part-way: still report what was sent and write out what failed to send.
    result = (error as FeedInputError<Line>).result;
    inputBroke = true;
  }
  if (showBar) {
    draw(
      {
        read: result.sent + result.failed.length,
        sent: result.sent,
        failed: result.failed.length,
        retried: result.retried,
        elapsedMs: result.durationMs,
      },
      true,
    );
    process.stderr.write('\n');
  }

  const seconds = result.durationMs / 1000;
  process.stdout.write(
    `sent ${result.sent}, failed ${result.failed.length}, retried ${result.retried}, ${Math.round(result.messagesPerSecond)} msg/s in ${seconds.toFixed(1)} s\n`,
  );
  if (result.failed.length === 0) return inputBroke ? 1 : 0;

  const sorted = [...result.failed].sort((a, b) => a.message.number - b.message.number);
  await new Promise<void>((resolve, reject) => {
    const out = createWriteStream(failedOut);
    out.on('error', reject);
    for (const f of sorted) out.write(`${f.message.text}\n`);
    out.end(resolve);
  });
  const reasons = new Map<string, number>();
  for (const f of sorted) {
    const reason = f.reason.replace(/^line \d+ /, 'line ');
    reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
  }
  for (const [reason, count] of [...reasons].slice(0, 5)) process.stderr.write(`  ${count} × ${reason}\n`);
  process.stderr.write(
    `perf-kit feed: ${sorted.length} lines not sent (first: line ${sorted[0]?.message.number}); written to ${failedOut}\n` +
      `  re-run them with: perf-kit feed ${queueUrl} ${failedOut}\n`,
  );
  return 1;
}
