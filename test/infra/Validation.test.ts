import { App, Duration, Size, Stack } from 'aws-cdk-lib';
import { Schedule } from 'aws-cdk-lib/aws-applicationautoscaling';
import { SecurityGroup, SubnetType, Vpc } from 'aws-cdk-lib/aws-ec2';
import { Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { describe, expect, it } from 'vitest';
import { PerfKitFunction, type PerfKitFunctionProps } from '../../lib/constructs/api-function.js';
import { PerfKitCache } from '../../lib/constructs/cache.js';
import { PerfKitDatabase } from '../../lib/constructs/database.js';
import { PerfKitMonitoring } from '../../lib/constructs/monitoring.js';
import { PerfKitNetwork } from '../../lib/constructs/network.js';
import { PerfKitQueueWorker } from '../../lib/constructs/queue-worker.js';
import { PerfKitStack } from '../../lib/perf-kit-stack.js';
import { NO_BUNDLING } from './synth.js';

// Constructs are built in small stacks without synthesis: validation throws from the constructor.
function scope(): { stack: Stack; vpc: Vpc } {
  const stack = new Stack(new App({ context: NO_BUNDLING }), 'V');
  const vpc = new Vpc(stack, 'Vpc', {
    natGateways: 0,
    subnetConfiguration: [{ name: 'isolated', subnetType: SubnetType.PRIVATE_ISOLATED }],
  });
  return { stack, vpc };
}

function fnProps(vpc: Vpc, stack: Stack, extra: Partial<PerfKitFunctionProps>): PerfKitFunctionProps {
  return {
    entry: 'unused.ts',
    code: Code.fromInline('export const handler = async () => 1;'),
    serviceName: 'svc',
    vpc,
    vpcSubnets: { subnetType: SubnetType.PRIVATE_ISOLATED },
    securityGroups: [new SecurityGroup(stack, `Sg${stack.node.children.length}`, { vpc })],
    ...extra,
  };
}

describe('database props', () => {
  const base = { subnets: {}, rotationSubnets: {} };

  it('rejects min ACU above max ACU, naming the path, the values and the range', () => {
    const { stack, vpc } = scope();
    expect(() => new PerfKitDatabase(stack, 'Db', { ...base, vpc, minCapacity: 8, maxCapacity: 4 })).toThrow(
      /^V\/Db: minCapacity \(8 ACU\) must not exceed maxCapacity \(4 ACU\); allowed: 0 <= minCapacity <= maxCapacity <= 256$/,
    );
  });

  it('rejects ACU values off the 0.5 grid or out of range', () => {
    const { stack, vpc } = scope();
    expect(() => new PerfKitDatabase(stack, 'Db', { ...base, vpc, maxCapacity: 300 })).toThrow(
      'V/Db: maxCapacity must be a multiple of 0.5 ACU from 0 to 256, received 300',
    );
    expect(() => new PerfKitDatabase(stack, 'Db2', { ...base, vpc, minCapacity: 0.7 })).toThrow(
      'V/Db2: minCapacity must be a multiple of 0.5 ACU from 0 to 256, received 0.7',
    );
  });

  it('rejects reader auto-scaling without a reader and a max below the floor', () => {
    const { stack, vpc } = scope();
    expect(() => new PerfKitDatabase(stack, 'Db', { ...base, vpc, readers: 0, maxReaders: 2 })).toThrow(
      'V/Db: reader auto-scaling (maxReaders 2) needs at least 1 reader, received readers 0',
    );
    expect(() => new PerfKitDatabase(stack, 'Db2', { ...base, vpc, readers: 3, maxReaders: 2 })).toThrow(
      'V/Db2: maxReaders must be an integer from readers (3) to 15, received 2',
    );
  });
});

describe('function props', () => {
  it('rejects provisioned concurrency above the reserved concurrency', () => {
    const { stack, vpc } = scope();
    expect(
      () =>
        new PerfKitFunction(
          stack,
          'Api',
          fnProps(vpc, stack, { reservedConcurrency: 5, provisionedConcurrency: { min: 2, max: 10 } }),
        ),
    ).toThrow(
      'V/Api: provisioned concurrency (max 10) must not exceed reservedConcurrency (5); allowed: 1 <= min <= max <= 5',
    );
  });

  it('rejects a scheduled action above the reserved concurrency', () => {
    const { stack, vpc } = scope();
    const schedules = [{ name: 'Peak', schedule: Schedule.rate(Duration.hours(1)), minCapacity: 8 }];
    expect(
      () =>
        new PerfKitFunction(
          stack,
          'Api',
          fnProps(vpc, stack, {
            reservedConcurrency: 5,
            provisionedConcurrency: { min: 1, max: 5, schedules },
          }),
        ),
    ).toThrow(
      "V/Api: provisioned concurrency schedule 'Peak' (min 8, max 8) must not exceed reservedConcurrency (5)",
    );
  });

  it('rejects memory, timeout and utilization targets out of range', () => {
    const { stack, vpc } = scope();
    expect(
      () => new PerfKitFunction(stack, 'A', fnProps(vpc, stack, { memorySize: Size.mebibytes(64) })),
    ).toThrow('V/A: memorySize must be from 128 to 10240 MiB, received 64 MiB');
    expect(
      () => new PerfKitFunction(stack, 'B', fnProps(vpc, stack, { timeout: Duration.minutes(20) })),
    ).toThrow('V/B: timeout must be from 1 to 900 s, received 1200 s');
    expect(
      () =>
        new PerfKitFunction(
          stack,
          'C',
          fnProps(vpc, stack, { provisionedConcurrency: { min: 1, max: 3, utilizationTarget: 0.95 } }),
        ),
    ).toThrow('V/C: provisionedConcurrency.utilizationTarget must be from 0.1 to 0.9, received 0.95');
  });
});

describe('queue worker props', () => {
  function consumer(stack: Stack): LambdaFunction {
    return new LambdaFunction(stack, `Fn${stack.node.children.length}`, {
      runtime: Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: Code.fromInline('exports.handler = async () => 1;'),
    });
  }

  it('rejects a visibility timeout shorter than 6 × the consumer timeout', () => {
    const { stack } = scope();
    expect(
      () =>
        new PerfKitQueueWorker(stack, 'Q', {
          consumer: consumer(stack),
          consumerTimeout: Duration.seconds(30),
          visibilityTimeout: Duration.seconds(60),
        }),
    ).toThrow(
      'V/Q: visibilityTimeout must be from 6 × the consumer timeout (30 s → 180 s) to 43200 s, received 60 s',
    );
  });

  it('rejects maxReceiveCount below 5, FIFO batches above 10 and a FIFO batching window', () => {
    const { stack } = scope();
    const base = { consumer: consumer(stack), consumerTimeout: Duration.seconds(10) };
    expect(() => new PerfKitQueueWorker(stack, 'A', { ...base, maxReceiveCount: 3 })).toThrow(
      'V/A: maxReceiveCount must be an integer from 5 to 1000, received 3',
    );
    expect(() => new PerfKitQueueWorker(stack, 'B', { ...base, fifo: true, batchSize: 20 })).toThrow(
      'V/B: batchSize must be an integer from 1 to 10 for a FIFO queue, received 20',
    );
    expect(
      () =>
        new PerfKitQueueWorker(stack, 'C', { ...base, fifo: true, maxBatchingWindow: Duration.seconds(2) }),
    ).toThrow('V/C: maxBatchingWindow is not supported on FIFO queues, received 2 s; allowed: undefined');
    expect(
      () =>
        new PerfKitQueueWorker(stack, 'D', {
          ...base,
          batchSize: 100,
          maxBatchingWindow: Duration.seconds(0),
        }),
    ).toThrow('V/D: maxBatchingWindow must be from 1 to 300 s (batchSize > 10 needs ≥ 1 s), received 0 s');
    expect(() => new PerfKitQueueWorker(stack, 'E', { ...base, maxConcurrency: 1 })).toThrow(
      'V/E: maxConcurrency must be an integer from 2 to 1000, received 1',
    );
  });
});

describe('cache props', () => {
  it('rejects replica auto-scaling on a node type that does not support it', () => {
    const { stack, vpc } = scope();
    expect(
      () =>
        new PerfKitCache(stack, 'Cache', {
          vpc,
          subnets: {},
          mode: 'replication-group',
          nodeType: 'cache.t4g.micro',
          maxReplicas: 3,
        }),
    ).toThrow(
      "V/Cache: nodeType 'cache.t4g.micro' does not support replica auto-scaling; allowed families: m5, m6g, m7g, r5, r6g, r6gd, r7g (or set maxReplicas = replicas)",
    );
  });

  it('accepts a t4g node type without auto-scaling', () => {
    const { stack, vpc } = scope();
    const cache = new PerfKitCache(stack, 'Cache', {
      vpc,
      subnets: {},
      mode: 'replication-group',
      nodeType: 'cache.t4g.small',
      replicas: 1,
      maxReplicas: 1,
    });
    expect(cache.replicaScaling).toBeUndefined();
  });

  it('rejects an unknown mode and replica counts out of range', () => {
    const { stack, vpc } = scope();
    expect(
      () => new PerfKitCache(stack, 'A', { vpc, subnets: {}, mode: 'cluster' as unknown as 'serverless' }),
    ).toThrow("V/A: mode must be 'serverless' or 'replication-group', received 'cluster'");
    expect(
      () => new PerfKitCache(stack, 'B', { vpc, subnets: {}, mode: 'replication-group', replicas: 0 }),
    ).toThrow('V/B: replicas must be an integer from 1 to 5 (multi-AZ needs 1), received 0');
  });
});

describe('network, monitoring and stack props', () => {
  it('rejects a single-AZ network', () => {
    const stack = new Stack(new App(), 'V');
    expect(() => new PerfKitNetwork(stack, 'Net', { maxAzs: 1 })).toThrow(
      'V/Net: maxAzs must be an integer from 2 to 6 (Aurora and a multi-AZ cache need 2 AZs), received 1',
    );
  });

  it('rejects a percentage alarm threshold above 100', () => {
    const stack = new Stack(new App(), 'V');
    expect(
      () => new PerfKitMonitoring(stack, 'Mon', { functions: [], queues: [], acuUtilizationThreshold: 120 }),
    ).toThrow('V/Mon: percentage thresholds must be at most 100, received acu 120, cacheCpu 80');
  });

  it('rejects an unknown stage', () => {
    const app = new App({ context: NO_BUNDLING });
    expect(() => new PerfKitStack(app, 'S', { stage: 'staging' as unknown as 'dev' })).toThrow(
      "S: stage must be 'dev' or 'prod', received 'staging'",
    );
  });

  it('names the nested construct path when the stack passes bad props down', () => {
    const app = new App({ context: NO_BUNDLING });
    expect(() => new PerfKitStack(app, 'S', { database: { minCapacity: 4, maxCapacity: 2 } })).toThrow(
      /^S\/Database: minCapacity \(4 ACU\) must not exceed maxCapacity \(2 ACU\)/,
    );
    const app2 = new App({ context: NO_BUNDLING });
    expect(
      () =>
        new PerfKitStack(app2, 'S', {
          worker: { timeout: Duration.seconds(60), visibilityTimeout: Duration.minutes(5) },
        }),
    ).toThrow(/^S\/WorkQueue: visibilityTimeout must be from 6 × the consumer timeout \(60 s → 360 s\)/);
    const app3 = new App({ context: NO_BUNDLING });
    expect(
      () =>
        new PerfKitStack(app3, 'S', {
          api: { reservedConcurrency: 2, provisionedConcurrency: { min: 1, max: 3 } },
        }),
    ).toThrow(/^S\/ApiFunction: provisioned concurrency \(max 3\) must not exceed reservedConcurrency \(2\)/);
  });
});

describe('accepted configurations', () => {
  it('accepts the cheapest dev database (pausing at 0 ACU, no readers, no proxy)', () => {
    const { stack, vpc } = scope();
    const db = new PerfKitDatabase(stack, 'Db', {
      vpc,
      subnets: {},
      rotationSubnets: {},
      minCapacity: 0,
      maxCapacity: 2,
      readers: 0,
      maxReaders: 0,
      proxy: false,
    });
    expect(db.readerScaling).toBeUndefined();
    expect(db.proxy).toBeUndefined();
  });
});
