import { Duration, Fn, Validations } from 'aws-cdk-lib';
import {
  PredefinedMetric,
  ScalableTarget,
  ServiceNamespace,
  TargetTrackingScalingPolicy,
} from 'aws-cdk-lib/aws-applicationautoscaling';
import { type IMetric, MathExpression, Metric } from 'aws-cdk-lib/aws-cloudwatch';
import { type IConnectable, type IVpc, Port, SecurityGroup, type SubnetSelection } from 'aws-cdk-lib/aws-ec2';
import {
  CfnReplicationGroup,
  CfnServerlessCache,
  CfnSubnetGroup,
  CfnUser,
  CfnUserGroup,
} from 'aws-cdk-lib/aws-elasticache';
import type { IGrantable } from 'aws-cdk-lib/aws-iam';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';

/**
 * How the cache is provisioned.
 *
 * @example
 * ```ts
 * const mode: CacheMode = 'replication-group';
 * new PerfKitCache(this, 'Cache', { vpc, subnets, mode });
 * ```
 */
export type CacheMode = 'serverless' | 'replication-group';

/**
 * The cache engine.
 *
 * @example
 * ```ts
 * new PerfKitCache(this, 'Cache', { vpc, subnets, engine: 'redis' satisfies CacheEngine });
 * ```
 */
export type CacheEngine = 'valkey' | 'redis';

/**
 * Node families Application Auto Scaling supports for ElastiCache replicas.
 *
 * @example
 * ```ts
 * AUTO_SCALING_NODE_FAMILIES.includes('r7g'); // true
 * ```
 */
export const AUTO_SCALING_NODE_FAMILIES = ['m5', 'm6g', 'm7g', 'r5', 'r6g', 'r6gd', 'r7g'] as const;

/**
 * Props of {@link PerfKitCache}.
 *
 * @example
 * ```ts
 * const props: PerfKitCacheProps = { vpc, subnets: { subnetGroupName: 'cache' }, mode: 'serverless' };
 * ```
 */
export interface PerfKitCacheProps {
  /** The VPC. */
  readonly vpc: IVpc;
  /** Isolated subnets of the cache (at least 2 AZs). */
  readonly subnets: SubnetSelection;
  /**
   * `serverless` (ElastiCache Serverless: scales storage and ECPUs by itself, pay per use) or
   * `replication-group` (nodes, cluster mode, replica auto-scaling on engine CPU).
   * @default 'serverless'
   */
  readonly mode?: CacheMode;
  /**
   * Engine.
   * @default 'valkey'
   */
  readonly engine?: CacheEngine;
  /**
   * Node type of the replication group (auto-scaling needs an m5/m6g/m7g/r5/r6g/r7g type, large or bigger).
   * @default 'cache.m7g.large'
   */
  readonly nodeType?: string;
  /**
   * Replicas per shard created with the replication group (the auto-scaling floor, 1-5).
   * @default 1
   */
  readonly replicas?: number;
  /**
   * Most replicas per shard auto-scaling may run (1-5); equal to `replicas` turns it off.
   * @default 3
   */
  readonly maxReplicas?: number;
  /**
   * Average engine CPU (%) of the replicas that auto-scaling tracks.
   * @default 60
   */
  readonly replicaCpuTarget?: number;
  /**
   * Serverless: most data stored, in GB.
   * @default 5
   */
  readonly serverlessMaxStorageGb?: number;
  /**
   * Serverless: most ElastiCache Processing Units per second.
   * @default 10000
   */
  readonly serverlessMaxEcpuPerSecond?: number;
}

/**
 * ElastiCache (Valkey or Redis OSS) for the optimizer's L2 cache: TLS in transit, encryption at
 * rest, a password in Secrets Manager (AUTH token or RBAC user), multi-AZ, and auto-scaling either
 * by ElastiCache Serverless or by replica auto-scaling of a cluster-mode replication group.
 *
 * @example
 * ```ts
 * const cache = new PerfKitCache(this, 'Cache', { vpc, subnets: { subnetGroupName: 'cache' }, mode: 'serverless' });
 * cache.allowFrom(fn);
 * cache.grantReadAuth(fn);
 * fn.addEnvironment('REDIS_URL', cache.url);
 * ```
 */
export class PerfKitCache extends Construct {
  /** The mode in use. */
  public readonly mode: CacheMode;
  /** Hostname clients connect to (serverless endpoint or configuration endpoint). */
  public readonly host: string;
  /** Port clients connect to. */
  public readonly port: string;
  /** `rediss://host:port` (TLS); the password is in {@link PerfKitCache.authSecret}. */
  public readonly url: string;
  /** User name for AUTH (`default` for the AUTH token of a replication group). */
  public readonly username: string;
  /** Secret holding the password (`password` field). */
  public readonly authSecret: Secret;
  /** Security group of the cache. */
  public readonly securityGroup: SecurityGroup;
  /** The replication group, in `replication-group` mode. */
  public readonly replicationGroup?: CfnReplicationGroup;
  /** The serverless cache, in `serverless` mode. */
  public readonly serverlessCache?: CfnServerlessCache;
  /** The replica scalable target, when replica auto-scaling is on. */
  public readonly replicaScaling?: ScalableTarget;

  constructor(scope: Construct, id: string, props: PerfKitCacheProps) {
    super(scope, id);
    this.mode = props.mode ?? 'serverless';
    const engine = props.engine ?? 'valkey';
    const nodeType = props.nodeType ?? 'cache.m7g.large';
    const replicas = props.replicas ?? 1;
    const maxReplicas = props.maxReplicas ?? Math.max(replicas, 3);
    const replicaCpuTarget = props.replicaCpuTarget ?? 60;
    const maxStorage = props.serverlessMaxStorageGb ?? 5;
    const maxEcpu = props.serverlessMaxEcpuPerSecond ?? 10_000;
    this.validate(props, nodeType, replicas, maxReplicas, replicaCpuTarget, maxStorage, maxEcpu);

    this.securityGroup = new SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: 'lambda-perf-kit cache: Redis protocol from the functions only',
      allowAllOutbound: false,
    });
    this.authSecret = new Secret(this, 'AuthSecret', {
      description: 'lambda-perf-kit cache password (AUTH token / RBAC user password)',
      generateSecretString: {
        secretStringTemplate: JSON.stringify({ username: 'perfkit' }),
        generateStringKey: 'password',
        excludePunctuation: true,
        passwordLength: 32,
      },
    });
    Validations.of(this.authSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'ElastiCache has no managed rotation function for AUTH tokens/RBAC passwords; rotating needs a custom Lambda (ModifyReplicationGroup with AuthTokenUpdateStrategy=ROTATE). The secret is only usable from inside the VPC through the cache security group.',
    });
    const subnetIds = props.vpc.selectSubnets(props.subnets).subnetIds;
    const password = this.authSecret.secretValueFromJson('password').unsafeUnwrap();

    if (this.mode === 'serverless') {
      const user = new CfnUser(this, 'User', {
        engine,
        userId: `perfkit-${uniqueSuffix(this)}`,
        userName: 'perfkit',
        accessString: 'on ~* +@all -@dangerous',
        authenticationMode: { Type: 'password', Passwords: [password] },
      });
      const defaultUser = new CfnUser(this, 'DefaultUser', {
        engine,
        userId: `perfkit-default-${uniqueSuffix(this)}`,
        userName: 'default',
        accessString: 'off -@all',
        authenticationMode: { Type: 'password', Passwords: [password] },
      });
      const group = new CfnUserGroup(this, 'UserGroup', {
        engine,
        userGroupId: `perfkit-${uniqueSuffix(this)}`,
        userIds: [user.userId, defaultUser.userId],
      });
      group.node.addDependency(user);
      group.node.addDependency(defaultUser);
      this.serverlessCache = new CfnServerlessCache(this, 'ServerlessCache', {
        serverlessCacheName: `perfkit-${uniqueSuffix(this)}`,
        engine,
        majorEngineVersion: engine === 'valkey' ? '8' : '7',
        description: 'lambda-perf-kit L2 query cache',
        subnetIds,
        securityGroupIds: [this.securityGroup.securityGroupId],
        userGroupId: group.userGroupId,
        cacheUsageLimits: {
          dataStorage: { maximum: maxStorage, unit: 'GB' },
          ecpuPerSecond: { maximum: maxEcpu },
        },
        dailySnapshotTime: '04:00',
        snapshotRetentionLimit: 1,
      });
      this.serverlessCache.node.addDependency(group);
      this.host = this.serverlessCache.attrEndpointAddress;
      this.port = this.serverlessCache.attrEndpointPort;
      this.username = 'perfkit';
    } else {
      const subnetGroup = new CfnSubnetGroup(this, 'SubnetGroup', {
        description: 'lambda-perf-kit cache subnets (isolated)',
        subnetIds,
      });
      this.replicationGroup = new CfnReplicationGroup(this, 'ReplicationGroup', {
        replicationGroupDescription: 'lambda-perf-kit L2 query cache',
        engine,
        engineVersion: engine === 'valkey' ? '8.0' : '7.1',
        cacheNodeType: nodeType,
        clusterMode: 'enabled',
        cacheParameterGroupName:
          engine === 'valkey' ? 'default.valkey8.cluster.on' : 'default.redis7.cluster.on',
        numNodeGroups: 1,
        replicasPerNodeGroup: replicas,
        automaticFailoverEnabled: true,
        multiAzEnabled: true,
        transitEncryptionEnabled: true,
        transitEncryptionMode: 'required',
        atRestEncryptionEnabled: true,
        authToken: password,
        cacheSubnetGroupName: subnetGroup.ref,
        securityGroupIds: [this.securityGroup.securityGroupId],
        snapshotRetentionLimit: 1,
        autoMinorVersionUpgrade: true,
      });
      this.host = this.replicationGroup.attrConfigurationEndPointAddress;
      this.port = this.replicationGroup.attrConfigurationEndPointPort;
      this.username = 'default';
      if (maxReplicas > replicas) {
        this.replicaScaling = new ScalableTarget(this, 'ReplicaScaling', {
          serviceNamespace: ServiceNamespace.ELASTICACHE,
          scalableDimension: 'elasticache:replication-group:Replicas',
          resourceId: `replication-group/${this.replicationGroup.ref}`,
          minCapacity: replicas,
          maxCapacity: maxReplicas,
        });
        new TargetTrackingScalingPolicy(this, 'ReplicaCpuTracking', {
          scalingTarget: this.replicaScaling,
          predefinedMetric: PredefinedMetric.ELASTICACHE_REPLICA_ENGINE_CPU_UTILIZATION,
          targetValue: replicaCpuTarget,
          scaleInCooldown: Duration.minutes(10),
          scaleOutCooldown: Duration.minutes(5),
        });
      }
      Validations.of(this.replicationGroup).acknowledge({
        id: 'AwsSolutions-AEC5',
        reason:
          'The default port is kept: the cache is in isolated subnets, its security group admits only the functions, and TLS plus AUTH are required; a non-default port adds no protection.',
      });
    }
    this.url = `rediss://${this.host}:${this.port}`;
  }

  /** Let a client reach the cache on its port. */
  allowFrom(client: IConnectable): void {
    const port = this.mode === 'serverless' ? Port.tcpRange(6379, 6380) : Port.tcp(6379);
    this.securityGroup.connections.allowFrom(client, port, 'Redis protocol from lambda-perf-kit functions');
  }

  /** Grant `secretsmanager:GetSecretValue` on the cache password. */
  grantReadAuth(grantee: IGrantable): void {
    this.authSecret.grantRead(grantee);
  }

  /** Cache CPU: engine CPU of the replication group's nodes, or ECPUs consumed by the serverless cache. */
  metricCpu(): Metric {
    if (this.serverlessCache) {
      return new Metric({
        namespace: 'AWS/ElastiCache',
        metricName: 'ElastiCacheProcessingUnits',
        dimensionsMap: { clusterId: this.serverlessCache.ref },
        statistic: 'Sum',
        period: Duration.minutes(1),
        label: 'ECPUs',
      });
    }
    return this.nodeMetric('EngineCPUUtilization', 'Engine CPU % (primary)');
  }

  /** Cache memory: bytes used by the serverless cache, or memory usage % of the replication group. */
  metricMemory(): Metric {
    if (this.serverlessCache) {
      return new Metric({
        namespace: 'AWS/ElastiCache',
        metricName: 'BytesUsedForCache',
        dimensionsMap: { clusterId: this.serverlessCache.ref },
        statistic: 'Maximum',
        period: Duration.minutes(1),
        label: 'Bytes used',
      });
    }
    return this.nodeMetric('DatabaseMemoryUsagePercentage', 'Memory % (primary)');
  }

  /** All replication-group nodes of one metric (dashboard only: a SEARCH expression cannot alarm). */
  metricAllNodes(metricName: string): IMetric | undefined {
    if (!this.replicationGroup) return undefined;
    return new MathExpression({
      expression: `SEARCH('{AWS/ElastiCache,CacheClusterId} MetricName="${metricName}" ${this.replicationGroup.ref}', 'Average', 60)`,
      usingMetrics: {},
      label: metricName,
      period: Duration.minutes(1),
    });
  }

  private nodeMetric(metricName: string, label: string): Metric {
    // Cluster-mode node ids are <replication group id>-<shard>-<node>; 0001-001 starts as the primary.
    return new Metric({
      namespace: 'AWS/ElastiCache',
      metricName,
      dimensionsMap: { CacheClusterId: Fn.join('-', [this.replicationGroup!.ref, '0001', '001']) },
      statistic: 'Average',
      period: Duration.minutes(1),
      label,
    });
  }

  private validate(
    props: PerfKitCacheProps,
    nodeType: string,
    replicas: number,
    maxReplicas: number,
    replicaCpuTarget: number,
    maxStorage: number,
    maxEcpu: number,
  ): void {
    const path = this.node.path;
    if (this.mode !== 'serverless' && this.mode !== 'replication-group') {
      throw new TypeError(
        `${path}: mode must be 'serverless' or 'replication-group', received '${String(this.mode)}'`,
      );
    }
    if (props.engine !== undefined && props.engine !== 'valkey' && props.engine !== 'redis') {
      throw new TypeError(`${path}: engine must be 'valkey' or 'redis', received '${String(props.engine)}'`);
    }
    if (this.mode === 'replication-group') {
      if (!Number.isInteger(replicas) || replicas < 1 || replicas > 5) {
        throw new RangeError(
          `${path}: replicas must be an integer from 1 to 5 (multi-AZ needs 1), received ${replicas}`,
        );
      }
      if (!Number.isInteger(maxReplicas) || maxReplicas < replicas || maxReplicas > 5) {
        throw new RangeError(
          `${path}: maxReplicas must be an integer from replicas (${replicas}) to 5, received ${maxReplicas}`,
        );
      }
      const family = /^cache\.([a-z0-9]+)\./.exec(nodeType)?.[1];
      if (
        maxReplicas > replicas &&
        !(AUTO_SCALING_NODE_FAMILIES as readonly string[]).includes(family ?? '')
      ) {
        throw new RangeError(
          `${path}: nodeType '${nodeType}' does not support replica auto-scaling; allowed families: ${AUTO_SCALING_NODE_FAMILIES.join(', ')} (or set maxReplicas = replicas)`,
        );
      }
      if (!Number.isFinite(replicaCpuTarget) || replicaCpuTarget < 10 || replicaCpuTarget > 90) {
        throw new RangeError(
          `${path}: replicaCpuTarget must be from 10 to 90 (%), received ${replicaCpuTarget}`,
        );
      }
    } else {
      if (!Number.isInteger(maxStorage) || maxStorage < 1 || maxStorage > 5000) {
        throw new RangeError(
          `${path}: serverlessMaxStorageGb must be an integer from 1 to 5000, received ${maxStorage}`,
        );
      }
      if (!Number.isInteger(maxEcpu) || maxEcpu < 1000 || maxEcpu > 15_000_000) {
        throw new RangeError(
          `${path}: serverlessMaxEcpuPerSecond must be an integer from 1000 to 15000000, received ${maxEcpu}`,
        );
      }
    }
  }
}

function uniqueSuffix(scope: Construct): string {
  return scope.node.addr.slice(-8);
}
