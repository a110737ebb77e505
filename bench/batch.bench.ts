/**
 * Batch module benchmarks (one run, ~1–2 min):
 * 1. per-batch overhead, CPU-trivial handler, 10-record batches: processSQSBatch vs Powertools
 *    BatchProcessor + processPartialResponse, ABBA-interleaved per batch (harness.compareInterleaved);
 * 2. I/O-bound handler (10 ms per record), 100 records, maxConcurrency 10: wall time vs the
 *    ceil(100/10) × 10 ms ideal, and vs sequential processing;
 * 3. feeder vs sqs-producer against the fauxqs emulator: throughput ratio and lost messages.
 */

import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { Logger } from '@aws-lambda-powertools/logger';
import { GetQueueAttributesCommand, PurgeQueueCommand } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import { Producer } from 'sqs-producer';
import { makeContext, makeSqsEvent } from '../lambda/cli/events.js';
import { feedQueue, processSQSBatch } from '../lambda/shared/batch-processor/index.js';
import { configureObservability } from '../lambda/shared/observability/index.js';
import { startSqsEmulator } from '../test/helpers/sqs.js';
import { type BenchResult, compareInterleaved, median, recordResults } from './harness.js';

configureObservability({ logger: new Logger({ logLevel: 'SILENT' }) });
const results: BenchResult[] = [];
const round = (n: number, digits = 3) => Number(n.toFixed(digits));

// 1. Per-batch overhead, CPU-trivial handler.
{
  const context = makeContext({ timeoutMillis: 15 * 60_000 });
  const events = Array.from({ length: 64 }, () =>
    makeSqsEvent(Array.from({ length: 10 }, (_, i) => ({ i }))),
  );
  let sink = 0;
  const handler = (record: SQSRecord): void => {
    sink += record.body.length;
  };
  const asyncHandler = async (record: SQSRecord): Promise<void> => {
    sink += record.body.length;
  };
  const processor = new BatchProcessor(EventType.SQS);
  let k = 0;
  const next = () => events[k++ % events.length] as (typeof events)[number];
  for (const [label, fn] of [
    ['sync handler', handler],
    ['async handler', asyncHandler],
  ] as const) {
    const r = await compareInterleaved(
      () => processSQSBatch(next(), fn, { context, metrics: false }),
      () => processPartialResponse(next(), fn, processor, { context }),
      { quadsPerBlock: 2_000, blocks: 5, warmup: 2_000 },
    );
    results.push({
      module: 'batch',
      name: `per-batch overhead vs Powertools processPartialResponse, 10 records, ${label}`,
      value: round(r.ratio),
      unit: 'ratio',
      goal: '<= 1.0',
      pass: r.ratio <= 1.0,
      spread: [round(r.spread[0]), round(r.spread[1])],
      samples: r.samples,
      details: {
        oursMedianMs: round(r.medianA, 5),
        powertoolsMedianMs: round(r.medianB, 5),
        metrics: 'off on both',
      },
    });
  }
  if (sink < 0) console.log(sink);
}

// 2. I/O-bound handler: 100 records × 10 ms, maxConcurrency 10.
{
  const event = makeSqsEvent(Array.from({ length: 100 }, (_, i) => ({ i })));
  const io = () => new Promise<void>((resolve) => setTimeout(resolve, 10));
  const time = async (fn: () => Promise<unknown>) => {
    const start = performance.now();
    await fn();
    return performance.now() - start;
  };
  const parallel: number[] = [];
  const sequential: number[] = [];
  for (let i = 0; i < 7; i++) {
    parallel.push(await time(() => processSQSBatch(event, io, { maxConcurrency: 10, metrics: false })));
    if (i < 3)
      sequential.push(
        await time(() => processSQSBatch(event, io, { parallelProcessing: false, metrics: false })),
      );
  }
  const ideal = Math.ceil(100 / 10) * 10;
  const wall = median(parallel);
  results.push({
    module: 'batch',
    name: 'I/O-bound 100 records × 10 ms, maxConcurrency 10: wall time / ideal (ceil(100/10) × 10 ms)',
    value: round(wall / ideal),
    unit: 'ratio',
    goal: '<= 1.1',
    pass: wall / ideal <= 1.1,
    spread: [round(Math.min(...parallel) / ideal), round(Math.max(...parallel) / ideal)],
    samples: parallel.length,
    details: { wallMs: round(wall, 1), idealMs: ideal },
  });
  const speedup = median(sequential) / wall;
  results.push({
    module: 'batch',
    name: 'I/O-bound 100 records × 10 ms: speed-up vs sequential',
    value: round(speedup, 2),
    unit: 'x',
    goal: '>= 5',
    pass: speedup >= 5,
    samples: sequential.length,
    details: { sequentialMs: round(median(sequential), 1), parallelMs: round(wall, 1) },
  });
}

// 3. Feeder vs sqs-producer against the emulator.
{
  const sqs = await startSqsEmulator();
  try {
    const count = 5_000;
    const bodies = Array.from({ length: count }, (_, i) => JSON.stringify({ i, pad: 'x'.repeat(200) }));
    const depth = async (queueUrl: string) =>
      Number(
        (
          await sqs.client.send(
            new GetQueueAttributesCommand({
              QueueUrl: queueUrl,
              AttributeNames: ['ApproximateNumberOfMessages'],
            }),
          )
        ).Attributes?.ApproximateNumberOfMessages,
      );
    const ours = sqs.createQueue('bench-feeder');
    const theirs = sqs.createQueue('bench-producer');
    const producer = Producer.create({ queueUrl: theirs.queueUrl, sqs: sqs.client, batchSize: 10 });
    const rates: { ours: number[]; producer: number[]; ratios: number[] } = {
      ours: [],
      producer: [],
      ratios: [],
    };
    let lost = 0;
    for (let rep = 0; rep < 6; rep++) {
      const runOurs = async () => {
        const start = performance.now();
        const r = await feedQueue(bodies, { queueUrl: ours.queueUrl, client: sqs.client });
        const ms = performance.now() - start;
        lost += count - (await depth(ours.queueUrl)) + r.failed.length;
        await sqs.client.send(new PurgeQueueCommand({ QueueUrl: ours.queueUrl }));
        return (count / ms) * 1000;
      };
      const runProducer = async () => {
        const start = performance.now();
        await producer.send(bodies.map((body, i) => ({ id: String(i), body })));
        const ms = performance.now() - start;
        const inQueue = await depth(theirs.queueUrl);
        await sqs.client.send(new PurgeQueueCommand({ QueueUrl: theirs.queueUrl }));
        if (inQueue !== count) console.warn(`sqs-producer: ${count - inQueue} messages missing`);
        return (count / ms) * 1000;
      };
      // ABBA per repetition
      const a1 = await runOurs();
      const b1 = await runProducer();
      const b2 = await runProducer();
      const a2 = await runOurs();
      if (rep === 0) continue; // warm-up
      rates.ours.push(a1, a2);
      rates.producer.push(b1, b2);
      rates.ratios.push((a1 + a2) / (b1 + b2));
    }
    const ratio = median(rates.ratios);
    results.push({
      module: 'batch',
      name: 'feeder vs sqs-producer (producer.send of the whole list), 5,000 × 220 B, fauxqs: throughput ratio',
      value: round(ratio, 2),
      unit: 'ratio',
      goal: '>= 1.0 and 0 lost',
      pass: ratio >= 1.0 && lost === 0,
      spread: [round(Math.min(...rates.ratios), 2), round(Math.max(...rates.ratios), 2)],
      samples: rates.ratios.length,
      details: {
        oursMsgPerSec: Math.round(median(rates.ours)),
        producerMsgPerSec: Math.round(median(rates.producer)),
        lost,
        feederConcurrency: 8,
      },
    });
  } finally {
    await sqs.stop();
  }
}

recordResults(results);
