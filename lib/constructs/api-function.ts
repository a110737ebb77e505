import { Duration, Size, Validations } from 'aws-cdk-lib';
import type { Schedule } from 'aws-cdk-lib/aws-applicationautoscaling';
import type { ISecurityGroup, IVpc, SubnetSelection } from 'aws-cdk-lib/aws-ec2';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import {
  Alias,
  Architecture,
  type Code,
  Function as LambdaFunction,
  LoggingFormat,
  Runtime,
  Tracing,
} from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { METRICS_NAMESPACE } from '../../lambda/shared/observability/constants.js';
import { SPLIT_BUNDLE_HANDLER, splitBundleCode } from '../bundling/index.js';

/**
 * A scheduled change of the provisioned-concurrency range (e.g. business hours).
 *
 * @example
 * ```ts
 * const morning: ProvisionedConcurrencySchedule = {
 *   name: 'Morning', schedule: Schedule.cron({ hour: '8', minute: '0' }), minCapacity: 10,
 * };
 * ```
 */
export interface ProvisionedConcurrencySchedule {
  /** Name of the scheduled action (unique per function). */
  readonly name: string;
  /** When it applies, e.g. `Schedule.cron({ hour: '8', minute: '0' })`. */
  readonly schedule: Schedule;
  /** Provisioned concurrency floor from then on. */
  readonly minCapacity?: number;
  /** Provisioned concurrency ceiling from then on. */
  readonly maxCapacity?: number;
}

/**
 * Provisioned concurrency on the alias, with auto-scaling.
 *
 * @example
 * ```ts
 * const pc: ProvisionedConcurrencyOptions = { min: 2, max: 20, utilizationTarget: 0.7, schedules: [morning] };
 * ```
 */
export interface ProvisionedConcurrencyOptions {
  /** Environments kept initialised (the auto-scaling floor). */
  readonly min: number;
  /**
   * Most provisioned environments auto-scaling may keep.
   * @default - min (no target tracking)
   */
  readonly max?: number;
  /**
   * `LambdaProvisionedConcurrencyUtilization` the target tracking aims at (0.1–0.9).
   * @default 0.7
   */
  readonly utilizationTarget?: number;
  /**
   * Scheduled actions that move the range (applied in order).
   * @default - none
   */
  readonly schedules?: readonly ProvisionedConcurrencySchedule[];
}

/**
 * Props of {@link PerfKitFunction}.
 *
 * @example
 * ```ts
 * const props: PerfKitFunctionProps = {
 *   entry: 'src/handler.ts', serviceName: 'orders-api', vpc, vpcSubnets, securityGroups: [sg],
 *   memorySize: Size.mebibytes(1024), timeout: Duration.seconds(10),
 * };
 * ```
 */
export interface PerfKitFunctionProps {
  /** The handler's entry file (TypeScript), bundled by the code-splitting bundler; must export `handler`. */
  readonly entry: string;
  /**
   * The code, when you bundle yourself.
   * @default - splitBundleCode(entry)
   */
  readonly code?: Code;
  /**
   * Memory.
   * @default Size.mebibytes(1024)
   */
  readonly memorySize?: Size;
  /**
   * Timeout.
   * @default Duration.seconds(10)
   */
  readonly timeout?: Duration;
  /** Powertools service name (`POWERTOOLS_SERVICE_NAME`, the `service` metric dimension). */
  readonly serviceName: string;
  /**
   * Powertools log level.
   * @default 'INFO'
   */
  readonly logLevel?: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
  /** Extra environment variables (never secrets: pass secret ARNs). */
  readonly environment?: Readonly<Record<string, string>>;
  /** The VPC the function runs in. */
  readonly vpc: IVpc;
  /** Subnets the function runs in. */
  readonly vpcSubnets: SubnetSelection;
  /** Security groups of the function. */
  readonly securityGroups: readonly ISecurityGroup[];
  /**
   * Reserved concurrency of the function.
   * @default - unreserved
   */
  readonly reservedConcurrency?: number;
  /**
   * Provisioned concurrency on the alias, with auto-scaling.
   * @default - none
   */
  readonly provisionedConcurrency?: ProvisionedConcurrencyOptions;
  /**
   * Alias name.
   * @default 'live'
   */
  readonly aliasName?: string;
  /**
   * Log retention.
   * @default RetentionDays.ONE_MONTH
   */
  readonly logRetention?: RetentionDays;
  /** Description of the function. */
  readonly description?: string;
}

/**
 * A toolkit function: split-bundled ESM on `nodejs22.x` arm64, active X-Ray tracing, Powertools
 * settings, JSON logs, its own least-privilege role (no AWS managed policies), an alias with
 * optional provisioned concurrency that auto-scales on utilization and on a schedule.
 *
 * @example
 * ```ts
 * const api = new PerfKitFunction(this, 'Api', {
 *   entry: 'lambda/examples/performance-optimized-handler.ts', serviceName: 'orders-api',
 *   vpc, vpcSubnets, securityGroups: [sg], memorySize: Size.mebibytes(1024), timeout: Duration.seconds(10),
 *   reservedConcurrency: 50, provisionedConcurrency: { min: 2, max: 10, utilizationTarget: 0.7 },
 * });
 * new HttpLambdaIntegration('Api', api.alias);
 * ```
 */
export class PerfKitFunction extends Construct {
  /** The function. */
  public readonly function: LambdaFunction;
  /** The alias (target of event sources, integrations and provisioned concurrency). */
  public readonly alias: Alias;
  /** The execution role. */
  public readonly role: Role;
  /** The function's log group. */
  public readonly logGroup: LogGroup;
  /** The timeout in use. */
  public readonly timeout: Duration;

  constructor(scope: Construct, id: string, props: PerfKitFunctionProps) {
    super(scope, id);
    const memory = props.memorySize ?? Size.mebibytes(1024);
    this.timeout = props.timeout ?? Duration.seconds(10);
    this.validate(props, memory, this.timeout);

    this.logGroup = new LogGroup(this, 'LogGroup', {
      retention: props.logRetention ?? RetentionDays.ONE_MONTH,
    });
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `lambda-perf-kit ${props.serviceName}: logs to its own group, VPC ENIs, X-Ray, and what the stack grants`,
    });
    this.logGroup.grantWrite(this.role);
    this.role.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'VpcNetworkInterfaces',
        actions: [
          'ec2:CreateNetworkInterface',
          'ec2:DescribeNetworkInterfaces',
          'ec2:DescribeSubnets',
          'ec2:DeleteNetworkInterface',
          'ec2:AssignPrivateIpAddresses',
          'ec2:UnassignPrivateIpAddresses',
        ],
        resources: ['*'],
      }),
    );

    this.function = new LambdaFunction(this, 'Function', {
      description: props.description,
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      handler: SPLIT_BUNDLE_HANDLER,
      code: props.code ?? splitBundleCode(props.entry),
      memorySize: memory.toMebibytes(),
      timeout: this.timeout,
      role: this.role,
      tracing: Tracing.ACTIVE,
      logGroup: this.logGroup,
      loggingFormat: LoggingFormat.JSON,
      vpc: props.vpc,
      vpcSubnets: props.vpcSubnets,
      securityGroups: [...props.securityGroups],
      reservedConcurrentExecutions: props.reservedConcurrency,
      environment: {
        POWERTOOLS_SERVICE_NAME: props.serviceName,
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
        POWERTOOLS_LOG_LEVEL: props.logLevel ?? 'INFO',
        POWERTOOLS_TRACER_CAPTURE_RESPONSE: 'false',
        ...props.environment,
      },
    });
    const pc = props.provisionedConcurrency;
    this.alias = new Alias(this, 'Alias', {
      aliasName: props.aliasName ?? 'live',
      version: this.function.currentVersion,
      provisionedConcurrentExecutions: pc?.min,
    });
    if (pc) {
      const max = pc.max ?? pc.min;
      const scaling = this.alias.addAutoScaling({ minCapacity: pc.min, maxCapacity: max });
      if (max > pc.min) {
        scaling.scaleOnUtilization({ utilizationTarget: pc.utilizationTarget ?? 0.7 });
      }
      for (const s of pc.schedules ?? []) {
        scaling.scaleOnSchedule(s.name, {
          schedule: s.schedule,
          minCapacity: s.minCapacity,
          maxCapacity: s.maxCapacity,
        });
      }
    }

    Validations.of(this).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Only for actions without resource-level permissions: xray:PutTraceSegments/PutTelemetryRecords (X-Ray supports no resource ARNs) and the VPC ENI actions Lambda needs (ec2:Describe* has no resource-level support; the ENI is created by the Lambda service in subnets and security groups fixed by the function configuration).',
    });
    Validations.of(this.function).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'nodejs22.x is pinned on purpose: the toolkit is built and tested for Node 20/22 (bundle target node22); move to nodejs24.x after testing on it.',
    });
  }

  private validate(props: PerfKitFunctionProps, memory: Size, timeout: Duration): void {
    const path = this.node.path;
    const mb = memory.toMebibytes();
    if (!Number.isInteger(mb) || mb < 128 || mb > 10_240) {
      throw new RangeError(`${path}: memorySize must be from 128 to 10240 MiB, received ${mb} MiB`);
    }
    const seconds = timeout.toSeconds();
    if (seconds < 1 || seconds > 900) {
      throw new RangeError(`${path}: timeout must be from 1 to 900 s, received ${seconds} s`);
    }
    const reserved = props.reservedConcurrency;
    if (reserved !== undefined && (!Number.isInteger(reserved) || reserved < 1)) {
      throw new RangeError(`${path}: reservedConcurrency must be a positive integer, received ${reserved}`);
    }
    const pc = props.provisionedConcurrency;
    if (!pc) return;
    const max = pc.max ?? pc.min;
    if (!Number.isInteger(pc.min) || pc.min < 1) {
      throw new RangeError(
        `${path}: provisionedConcurrency.min must be a positive integer, received ${pc.min}`,
      );
    }
    if (!Number.isInteger(max) || max < pc.min) {
      throw new RangeError(
        `${path}: provisionedConcurrency.max must be an integer from min (${pc.min}) up, received ${max}`,
      );
    }
    if (reserved !== undefined && max > reserved) {
      throw new RangeError(
        `${path}: provisioned concurrency (max ${max}) must not exceed reservedConcurrency (${reserved}); allowed: 1 <= min <= max <= ${reserved}`,
      );
    }
    const target = pc.utilizationTarget ?? 0.7;
    if (!Number.isFinite(target) || target < 0.1 || target > 0.9) {
      throw new RangeError(
        `${path}: provisionedConcurrency.utilizationTarget must be from 0.1 to 0.9, received ${target}`,
      );
    }
    for (const s of pc.schedules ?? []) {
      const smin = s.minCapacity ?? 0;
      const smax = s.maxCapacity ?? smin;
      if (reserved !== undefined && (smin > reserved || smax > reserved)) {
        throw new RangeError(
          `${path}: provisioned concurrency schedule '${s.name}' (min ${smin}, max ${smax}) must not exceed reservedConcurrency (${reserved})`,
        );
      }
      if (s.minCapacity !== undefined && s.maxCapacity !== undefined && s.minCapacity > s.maxCapacity) {
        throw new RangeError(
          `${path}: provisioned concurrency schedule '${s.name}' has minCapacity ${s.minCapacity} above maxCapacity ${s.maxCapacity}`,
        );
      }
    }
  }
}
