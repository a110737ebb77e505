import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Aws, CfnOutput, Duration, Size, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import { HttpApi, HttpStage, LogGroupLogDestination } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { Schedule as ScalingSchedule } from 'aws-cdk-lib/aws-applicationautoscaling';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction as LambdaTarget } from 'aws-cdk-lib/aws-events-targets';
import type { Code } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { CfnDBProxyEndpoint } from 'aws-cdk-lib/aws-rds';
import type { Construct } from 'constructs';
import { PerfKitFunction, type ProvisionedConcurrencyOptions } from './constructs/api-function.js';
import { PerfKitCache, type PerfKitCacheProps } from './constructs/cache.js';
import { PerfKitDatabase, type PerfKitDatabaseProps } from './constructs/database.js';
import { PerfKitMonitoring, type PerfKitMonitoringOptions } from './constructs/monitoring.js';
import { PerfKitNetwork, type PerfKitNetworkProps } from './constructs/network.js';
import { PerfKitQueueWorker } from './constructs/queue-worker.js';

/**
 * Deployment stage: `prod` turns on deletion protection and larger defaults.
 *
 * @example
 * ```ts
 * new PerfKitStack(app, 'PerfKit-prod', { stage: 'prod' satisfies PerfKitStage });
 * ```
 */
export type PerfKitStage = 'dev' | 'prod';

/**
 * Sizing of one function.
 *
 * @example
 * ```ts
 * const sizing: PerfKitFunctionSettings = { memorySize: Size.mebibytes(2048), timeout: Duration.seconds(15) };
 * ```
 */
export interface PerfKitFunctionSettings {
  /**
   * Memory.
   * @default Size.mebibytes(1024) (API, worker), Size.mebibytes(512) (maintenance)
   */
  readonly memorySize?: Size;
  /**
   * Timeout.
   * @default Duration.seconds(10) (API), Duration.seconds(30) (worker), Duration.minutes(5) (maintenance)
   */
  readonly timeout?: Duration;
  /**
   * Reserved concurrency.
   * @default - prod: 100 for the API; otherwise unreserved (new accounts cannot reserve any)
   */
  readonly reservedConcurrency?: number;
  /** The code, when you bundle yourself. @default - the example handler, split-bundled */
  readonly code?: Code;
  /** The entry file. @default - the example handler under lambda/examples */
  readonly entry?: string;
}

/**
 * Settings of the API function.
 *
 * @example
 * ```ts
 * const api: PerfKitApiSettings = { reservedConcurrency: 50, provisionedConcurrency: { min: 2, max: 40 } };
 * ```
 */
export interface PerfKitApiSettings extends PerfKitFunctionSettings {
  /**
   * Provisioned concurrency on the `live` alias with auto-scaling; `false` for none.
   * @default - dev: { min: 1, max: 4 }; prod: { min: 2, max: 20, business-hours schedule }
   */
  readonly provisionedConcurrency?: ProvisionedConcurrencyOptions | false;
}

/**
 * Settings of the SQS worker and its queues.
 *
 * @example
 * ```ts
 * const worker: PerfKitWorkerSettings = { batchSize: 25, maxBatchingWindow: Duration.seconds(2), maxConcurrency: 20 };
 * ```
 */
export interface PerfKitWorkerSettings extends PerfKitFunctionSettings {
  /** Records per batch. @default 10 */
  readonly batchSize?: number;
  /** Batching window (standard queue). @default Duration.seconds(1) */
  readonly maxBatchingWindow?: Duration;
  /** Most concurrent invocations per event source. @default 10 */
  readonly maxConcurrency?: number;
  /** Visibility timeout. @default - 6 × the worker timeout */
  readonly visibilityTimeout?: Duration;
  /** Receives before dead-lettering (≥ 5). @default 5 */
  readonly maxReceiveCount?: number;
  /** Also create a FIFO queue (+ FIFO DLQ) consumed by the worker. @default true */
  readonly fifoQueue?: boolean;
}

/**
 * Settings of the maintenance function (slow-query report + index advice).
 *
 * @example
 * ```ts
 * const maintenance: PerfKitMaintenanceSettings = { schedule: Schedule.cron({ hour: '3', minute: '0' }) };
 * ```
 */
export interface PerfKitMaintenanceSettings extends PerfKitFunctionSettings {
  /** When it runs. @default Schedule.rate(Duration.days(1)) */
  readonly schedule?: Schedule;
}

/**
 * Props of {@link PerfKitStack}.
 *
 * @example
 * ```ts
 * const props: PerfKitStackProps = { stage: 'prod', cache: { mode: 'replication-group' }, worker };
 * ```
 */
export interface PerfKitStackProps extends StackProps {
  /**
   * Stage. `prod`: deletion protection on the database, snapshots on delete, larger defaults.
   * @default 'dev'
   */
  readonly stage?: PerfKitStage;
  /**
   * Powertools service-name prefix; functions are `<prefix>-api`, `<prefix>-worker`, `<prefix>-maintenance`.
   * @default 'perf-kit'
   */
  readonly serviceName?: string;
  /** Network settings. */
  readonly network?: PerfKitNetworkProps;
  /** Aurora settings. */
  readonly database?: Omit<PerfKitDatabaseProps, 'vpc' | 'subnets' | 'rotationSubnets'>;
  /** Cache settings (`mode: 'serverless' | 'replication-group'`). */
  readonly cache?: Omit<PerfKitCacheProps, 'vpc' | 'subnets'>;
  /** API function. */
  readonly api?: PerfKitApiSettings;
  /** SQS worker. */
  readonly worker?: PerfKitWorkerSettings;
  /** Maintenance function. */
  readonly maintenance?: PerfKitMaintenanceSettings;
  /** Dashboard and alarms. */
  readonly monitoring?: PerfKitMonitoringOptions;
}

/**
 * The lambda-perf-kit stack: VPC with endpoints, Aurora PostgreSQL Serverless v2 (+ RDS Proxy),
 * ElastiCache, the example API (HTTP API → alias with provisioned concurrency), the SQS worker
 * (standard + FIFO queues with DLQs), the scheduled maintenance function, a dashboard and alarms.
 *
 * @example
 * ```ts
 * const app = new App();
 * new PerfKitStack(app, 'PerfKit', { stage: 'prod', database: { minCapacity: 0.5, maxCapacity: 16 } });
 * ```
 */
export class PerfKitStack extends Stack {
  /** The network. */
  public readonly network: PerfKitNetwork;
  /** The database. */
  public readonly database: PerfKitDatabase;
  /** The cache. */
  public readonly cache: PerfKitCache;
  /** The API function. */
  public readonly api: PerfKitFunction;
  /** The SQS worker function. */
  public readonly worker: PerfKitFunction;
  /** The maintenance function. */
  public readonly maintenance: PerfKitFunction;
  /** The standard queue and its worker wiring. */
  public readonly queue: PerfKitQueueWorker;
  /** The FIFO queue, when created. */
  public readonly fifoQueue?: PerfKitQueueWorker;
  /** The HTTP API. */
  public readonly httpApi: HttpApi;
  /** Dashboard and alarms. */
  public readonly monitoring: PerfKitMonitoring;

  constructor(scope: Construct, id: string, props: PerfKitStackProps = {}) {
    super(scope, id, props);
    const stage = props.stage ?? 'dev';
    if (stage !== 'dev' && stage !== 'prod') {
      throw new TypeError(`${this.node.path}: stage must be 'dev' or 'prod', received '${String(stage)}'`);
    }
    const prod = stage === 'prod';
    const service = props.serviceName ?? 'perf-kit';

    this.network = new PerfKitNetwork(this, 'Network', props.network);
    const { vpc, functionSubnets, functionSecurityGroup } = this.network;

    this.database = new PerfKitDatabase(this, 'Database', {
      deletionProtection: prod,
      ...props.database,
      vpc,
      subnets: this.network.databaseSubnets,
      rotationSubnets: functionSubnets,
      secretsManagerEndpoint: this.network.endpoints.secretsmanager,
    });
    this.network.allowEndpointAccess(this.database.rotationSecurityGroup);
    let readerHost = this.database.readerHost;
    if (this.database.proxy) {
      const readOnly = new CfnDBProxyEndpoint(this.database, 'ProxyReadOnlyEndpoint', {
        dbProxyEndpointName: `${service}-ro-${this.node.addr.slice(-8)}`,
        dbProxyName: this.database.proxy.dbProxyName,
        targetRole: 'READ_ONLY',
        vpcSubnetIds: vpc.selectSubnets(this.network.databaseSubnets).subnetIds,
        vpcSecurityGroupIds: [this.database.proxySecurityGroup!.securityGroupId],
      });
      readerHost = readOnly.attrEndpoint;
    }
    this.cache = new PerfKitCache(this, 'Cache', { ...props.cache, vpc, subnets: this.network.cacheSubnets });

    const dataEnv: Record<string, string> = {
      // PGSSLMODE is deliberately unset: the pool then verifies TLS against the Amazon CA bundle of the runtime.
      PGHOST: this.database.writerHost,
      DB_HOST: this.database.writerHost,
      PGPORT: '5432',
      PGDATABASE: this.database.databaseName,
      PGUSER: this.database.username,
      DB_READER_HOST: readerHost,
      DB_SECRET_ARN: this.database.secret.secretArn,
      DB_IAM_AUTH: this.database.proxy ? 'true' : 'false',
      REDIS_URL: this.cache.url,
      REDIS_USERNAME: this.cache.username,
      REDIS_AUTH_SECRET_ARN: this.cache.authSecret.secretArn,
      REDIS_CLUSTER_MODE: this.cache.mode === 'replication-group' ? 'true' : 'false',
    };
    const common = { vpc, vpcSubnets: functionSubnets, securityGroups: [functionSecurityGroup] };

    const apiSettings = props.api ?? {};
    const defaultPc: ProvisionedConcurrencyOptions = prod
      ? {
          min: 2,
          max: 20,
          utilizationTarget: 0.7,
          schedules: [
            {
              name: 'BusinessHoursUp',
              schedule: ScalingSchedule.cron({ weekDay: 'MON-FRI', hour: '7', minute: '45' }),
              minCapacity: 5,
              maxCapacity: 20,
            },
            {
              name: 'BusinessHoursDown',
              schedule: ScalingSchedule.cron({ weekDay: 'MON-FRI', hour: '19', minute: '0' }),
              minCapacity: 2,
              maxCapacity: 20,
            },
          ],
        }
      : { min: 1, max: 4, utilizationTarget: 0.7 };
    const pc =
      apiSettings.provisionedConcurrency === false
        ? undefined
        : (apiSettings.provisionedConcurrency ?? defaultPc);
    this.api = new PerfKitFunction(this, 'ApiFunction', {
      ...common,
      entry: apiSettings.entry ?? exampleEntry('performance-optimized-handler.ts'),
      code: apiSettings.code,
      serviceName: `${service}-api`,
      description: 'lambda-perf-kit example API read path (HTTP API)',
      memorySize: apiSettings.memorySize ?? Size.mebibytes(1024),
      timeout: apiSettings.timeout ?? Duration.seconds(10),
      reservedConcurrency: apiSettings.reservedConcurrency ?? (prod ? 100 : undefined),
      provisionedConcurrency: pc,
      environment: dataEnv,
    });

    const workerSettings = props.worker ?? {};
    this.worker = new PerfKitFunction(this, 'WorkerFunction', {
      ...common,
      entry: workerSettings.entry ?? exampleEntry('sqs-worker.ts'),
      code: workerSettings.code,
      serviceName: `${service}-worker`,
      description: 'lambda-perf-kit example SQS worker (partial batch failures)',
      memorySize: workerSettings.memorySize ?? Size.mebibytes(1024),
      timeout: workerSettings.timeout ?? Duration.seconds(30),
      reservedConcurrency: workerSettings.reservedConcurrency,
      environment: dataEnv,
    });
    const queueProps = {
      consumer: this.worker.alias,
      consumerTimeout: this.worker.timeout,
      batchSize: workerSettings.batchSize,
      maxConcurrency: workerSettings.maxConcurrency,
      visibilityTimeout: workerSettings.visibilityTimeout,
      maxReceiveCount: workerSettings.maxReceiveCount,
    };
    this.queue = new PerfKitQueueWorker(this, 'WorkQueue', {
      ...queueProps,
      maxBatchingWindow: workerSettings.maxBatchingWindow,
    });
    if (workerSettings.fifoQueue ?? true) {
      this.fifoQueue = new PerfKitQueueWorker(this, 'FifoWorkQueue', {
        ...queueProps,
        batchSize: Math.min(workerSettings.batchSize ?? 10, 10),
        fifo: true,
      });
    }
    this.queue.queue.grantSendMessages(this.api.role);
    this.api.function.addEnvironment('QUEUE_URL', this.queue.queue.queueUrl);
    this.worker.function.addEnvironment('QUEUE_URL', this.queue.queue.queueUrl);
    if (this.fifoQueue) {
      this.worker.function.addEnvironment('FIFO_QUEUE_URL', this.fifoQueue.queue.queueUrl);
    }

    const maintenanceSettings = props.maintenance ?? {};
    this.maintenance = new PerfKitFunction(this, 'MaintenanceFunction', {
      ...common,
      entry: maintenanceSettings.entry ?? exampleEntry('maintenance-handler.ts'),
      code: maintenanceSettings.code,
      serviceName: `${service}-maintenance`,
      description: 'lambda-perf-kit scheduled maintenance: slow-query report and index advice',
      memorySize: maintenanceSettings.memorySize ?? Size.mebibytes(512),
      timeout: maintenanceSettings.timeout ?? Duration.minutes(5),
      reservedConcurrency: maintenanceSettings.reservedConcurrency,
      environment: dataEnv,
    });
    new Rule(this, 'MaintenanceSchedule', {
      description: 'lambda-perf-kit: run the slow-query report and index advisor',
      schedule: maintenanceSettings.schedule ?? Schedule.rate(Duration.days(1)),
      targets: [new LambdaTarget(this.maintenance.alias, { retryAttempts: 2 })],
    });

    // Connection budget for the pool (direct connections only: through RDS Proxy the proxy
    // multiplexes and caps the database side). Set only when every function's concurrency is bounded.
    const apiConcurrency = apiSettings.reservedConcurrency ?? (prod ? 100 : undefined);
    const workerConcurrency =
      workerSettings.reservedConcurrency ?? (workerSettings.maxConcurrency ?? 10) * (this.fifoQueue ? 2 : 1);
    const maintenanceConcurrency = maintenanceSettings.reservedConcurrency ?? 1;
    if (!this.database.proxy && apiConcurrency !== undefined) {
      const budget = {
        DB_MAX_CONNECTIONS: String(this.database.estimatedMaxConnections),
        DB_EXPECTED_CONCURRENCY: String(apiConcurrency + workerConcurrency + maintenanceConcurrency),
      };
      for (const fn of [this.api, this.worker, this.maintenance]) {
        for (const [key, value] of Object.entries(budget)) fn.function.addEnvironment(key, value);
      }
    }

    for (const fn of [this.api, this.worker, this.maintenance]) {
      this.database.allowFrom(fn.function);
      this.database.grantConnect(fn.role);
      this.cache.allowFrom(fn.function);
      this.cache.grantReadAuth(fn.role);
    }

    const accessLogs = new LogGroup(this, 'ApiAccessLogs', { retention: RetentionDays.ONE_MONTH });
    this.httpApi = new HttpApi(this, 'HttpApi', {
      description: 'lambda-perf-kit example API',
      defaultIntegration: new HttpLambdaIntegration('ApiIntegration', this.api.alias),
      createDefaultStage: false,
    });
    const httpStage = new HttpStage(this, 'HttpApiStage', {
      httpApi: this.httpApi,
      stageName: '$default',
      autoDeploy: true,
      accessLogSettings: { destination: new LogGroupLogDestination(accessLogs) },
      throttle: { rateLimit: prod ? 1000 : 100, burstLimit: prod ? 2000 : 200 },
    });
    for (const route of this.httpApi.node.findAll()) {
      if (route.node.id === 'DefaultRoute') {
        Validations.of(route).acknowledge({
          id: 'AwsSolutions-APIG4',
          reason:
            'The example read API is public on purpose (it is the demo endpoint measured by the benchmarks); put a JWT or IAM authorizer on the route before serving private data.',
        });
      }
    }

    this.monitoring = new PerfKitMonitoring(this, 'Monitoring', {
      ...props.monitoring,
      functions: [
        { label: 'API', serviceName: `${service}-api`, alias: this.api.alias, provisioned: pc !== undefined },
        { label: 'Worker', serviceName: `${service}-worker`, alias: this.worker.alias, batchWorker: true },
        { label: 'Maintenance', serviceName: `${service}-maintenance`, alias: this.maintenance.alias },
      ],
      queues: [
        { label: 'Work', queue: this.queue.queue, deadLetterQueue: this.queue.deadLetterQueue },
        ...(this.fifoQueue
          ? [{ label: 'FIFO', queue: this.fifoQueue.queue, deadLetterQueue: this.fifoQueue.deadLetterQueue }]
          : []),
      ],
      cluster: this.database.cluster,
      cache: this.cache,
    });

    new CfnOutput(this, 'ApiUrl', { value: httpStage.url, description: 'HTTP API endpoint' });
    new CfnOutput(this, 'QueueUrl', {
      value: this.queue.queue.queueUrl,
      description: 'Work queue (perf-kit feed)',
    });
    if (this.fifoQueue) {
      new CfnOutput(this, 'FifoQueueUrl', {
        value: this.fifoQueue.queue.queueUrl,
        description: 'FIFO work queue',
      });
    }
    new CfnOutput(this, 'DashboardUrl', {
      value: `https://${Aws.REGION}.console.aws.amazon.com/cloudwatch/home?region=${Aws.REGION}#dashboards/dashboard/${this.monitoring.dashboard.dashboardName}`,
      description: 'CloudWatch dashboard',
    });
    new CfnOutput(this, 'TracesUrl', {
      value: `https://${Aws.REGION}.console.aws.amazon.com/cloudwatch/home?region=${Aws.REGION}#xray:traces/query`,
      description: 'X-Ray traces (filter by service name)',
    });
    new CfnOutput(this, 'DatabaseSecretArn', { value: this.database.secret.secretArn });
  }
}

/**
 * The example handler's path: the TypeScript source next to `lib/` in a clone, or, in the published
 * package, the compiled `.js` next to `dist/lib/` (esbuild bundles either).
 */
function exampleEntry(file: string): string {
  const js = file.replace(/\.ts$/, '.js');
  const candidates = [
    `../lambda/examples/${file}`,
    `../../lambda/examples/${file}`,
    `../lambda/examples/${js}`,
  ];
  for (const candidate of candidates) {
    const path = fileURLToPath(new URL(candidate, import.meta.url));
    if (existsSync(path)) return path;
  }
  return fileURLToPath(new URL(candidates[0]!, import.meta.url));
}
