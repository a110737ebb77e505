import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { feedCommand } from '../../../lambda/cli/feed.js';
import { type SqsEmulator, startSqsEmulator } from '../../helpers/sqs.js';

let sqs: SqsEmulator;
let dir: string;

const depth = async (queueUrl: string): Promise<number> => {
  const out = await sqs.client.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }),
  );
  return Number(out.Attributes?.ApproximateNumberOfMessages ?? 0);
};

/** Runs feedCommand in-process with AWS_ENDPOINT_URL_SQS pointing at the emulator; returns code + output. */
async function feed(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    stdout += String(chunk);
    return true;
  });
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    stderr += String(chunk);
    return true;
  });
  vi.stubEnv('AWS_ENDPOINT_URL_SQS', sqs.endpoint);
  try {
    return { code: await feedCommand(args), stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
    vi.unstubAllEnvs();
  }
}

describe('perf-kit feed', () => {
  beforeAll(async () => {
    sqs = await startSqsEmulator();
    dir = mkdtempSync(join(tmpdir(), 'perfkit-feed-'));
  });
  afterAll(async () => {
    await sqs?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('sends every line, prints a summary and exits 0', async () => {
    const { queueUrl } = sqs.createQueue('cli-ok');
    const file = join(dir, 'ok.jsonl');
    writeFileSync(file, `${Array.from({ length: 123 }, (_, i) => JSON.stringify({ i })).join('\n')}\n\n`);
    const { code, stdout } = await feed([queueUrl, file]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^sent 123, failed 0, retried 0, \d+ msg\/s in [\d.]+ s\n$/);
    expect(await depth(queueUrl)).toBe(123);
  });

  it('exits 1 and writes the lines that were not sent for a re-run', async () => {
    const { queueUrl } = sqs.createQueue('cli-partial', { MaximumMessageSize: '1024' });
    const file = join(dir, 'mixed.jsonl');
    const big = JSON.stringify({ big: 'x'.repeat(2000) });
    writeFileSync(file, ['{"a":1}', 'not json', big, '{"a":2}'].join('\n'));
    const { code, stdout, stderr } = await feed([queueUrl, file, '--quiet']);
    expect(code).toBe(1);
    expect(stdout).toMatch(/^sent 2, failed 2/);
    expect(stderr).toMatch(/2 lines not sent \(first: line 2\); written to .*mixed\.failed\.jsonl/);
    expect(readFileSync(join(dir, 'mixed.failed.jsonl'), 'utf8')).toBe(`not json\n${big}\n`);
    expect(await depth(queueUrl)).toBe(2);
  });

  it('sets FIFO group ids from a field', async () => {
    const { queueUrl } = sqs.createQueue('cli.fifo', { FifoQueue: 'true' });
    const file = join(dir, 'fifo.jsonl');
    writeFileSync(file, ['{"customer":"c1","n":1}', '{"customer":"c2","n":1}', '{"n":3}'].join('\n'));
    const { code, stdout } = await feed([queueUrl, file, '--group-field', 'customer']);
    expect(code).toBe(1); // the line without the field is not sent
    expect(stdout).toMatch(/^sent 2, failed 1/);
  });

  it('rejects bad usage with exit code 2', async () => {
    expect((await feed([])).code).toBe(2);
    expect((await feed(['http://q', join(dir, 'missing.jsonl')])).stderr).toMatch(/cannot read/);
    expect((await feed(['http://q', '-', '--concurrency', 'x'])).code).toBe(2);
  });

  it('reads stdin through the perf-kit entry point', async () => {
    const { queueUrl } = sqs.createQueue('cli-stdin');
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'lambda/cli/perf-kit.ts', 'feed', queueUrl, '-'],
      {
        env: { ...process.env, AWS_ENDPOINT_URL_SQS: sqs.endpoint, NODE_NO_WARNINGS: '1' },
        stdio: ['pipe', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stdin.end('{"x":1}\n{"x":2}\n');
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).toBe(0);
    expect(stdout).toMatch(/^sent 2, failed 0/);
    expect(await depth(queueUrl)).toBe(2);
  });
});
