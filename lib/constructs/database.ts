import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import {
  PredefinedMetric,
  ScalableTarget,
  ServiceNamespace,
  TargetTrackingScalingPolicy,
} from 'aws-cdk-lib/aws-applicationautoscaling';
import {
  type IConnectable,
  type IInterfaceVpcEndpoint,
  type IVpc,
  Port,
  SecurityGroup,
  type SubnetSelection,
} from 'aws-cdk-lib/aws-ec2';
import type { IGrantable } from 'aws-cdk-lib/aws-iam';
import {
  AuroraPostgresEngineVersion,
  ClientPasswordAuthType,
  ClusterInstance,
  Credentials,
  DatabaseCluster,
  DatabaseClusterEngine,
  type DatabaseProxy,
  PerformanceInsightRetention,
} from 'aws-cdk-lib/aws-rds';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';

/**
 * Serverless v2 capacity limits (ACU), from the Aurora documentation.
 *
 * @example
 * ```ts
 * const { min, max } = AURORA_ACU_RANGE; // 0, 256
 * ```
 */
export const AURORA_ACU_RANGE = { min: 0, max: 256 } as const;

/**
 * Props of {@link PerfKitDatabase}.
 *
 * @example
 * ```ts
 * const props: PerfKitDatabaseProps = {
 *   vpc, subnets: { subnetGroupName: 'database' }, rotationSubnets: { subnetGroupName: 'functions' },
 *   minCapacity: 0.5, maxCapacity: 8,
 * };
 * ```
 */
export interface PerfKitDatabaseProps {
  /** The VPC. */
  readonly vpc: IVpc;
  /** Isolated subnets of the cluster and the proxy. */
  readonly subnets: SubnetSelection;
  /** Subnets the secret rotation function runs in (they must reach Secrets Manager). */
  readonly rotationSubnets: SubnetSelection;
  /**
   * The Secrets Manager interface endpoint the rotation function uses.
   * @default - the public endpoint (through NAT)
   */
  readonly secretsManagerEndpoint?: IInterfaceVpcEndpoint;
  /**
   * Minimum Aurora capacity units per instance (0 lets the instances pause).
   * @default 0.5
   */
  readonly minCapacity?: number;
  /**
   * Maximum Aurora capacity units per instance.
   * @default 4
   */
  readonly maxCapacity?: number;
  /**
   * Readers created with the cluster (the auto-scaling floor). At least 1 when reader auto-scaling is on.
   * @default 1
   */
  readonly readers?: number;
  /**
   * Most readers Application Auto Scaling may run (`rds:cluster:ReadReplicaCount`).
   * Equal to `readers` turns reader auto-scaling off.
   * @default 3
   */
  readonly maxReaders?: number;
  /**
   * Average reader CPU (%) the reader count tracks.
   * @default 60
   */
  readonly readerCpuTarget?: number;
  /**
   * Database created in the cluster.
   * @default 'perfkit'
   */
  readonly databaseName?: string;
  /**
   * Master user name (its password lives in the generated Secrets Manager secret).
   * @default 'perfkit_admin'
   */
  readonly masterUsername?: string;
  /**
   * Deletion protection on the cluster (and snapshot on delete).
   * @default true
   */
  readonly deletionProtection?: boolean;
  /**
   * How often Secrets Manager rotates the master password.
   * @default Duration.days(30)
   */
  readonly rotationInterval?: Duration;
  /**
   * Put an RDS Proxy (IAM auth, TLS required) in front of the cluster.
   * @default true
   */
  readonly proxy?: boolean;
  /**
   * Automated backup retention.
   * @default Duration.days(7)
   */
  readonly backupRetention?: Duration;
  /**
   * Aurora PostgreSQL engine version.
   * @default AuroraPostgresEngineVersion.VER_16_6
   */
  readonly engineVersion?: AuroraPostgresEngineVersion;
}

/**
 * Aurora PostgreSQL Serverless v2: a writer and reader(s), reader auto-scaling on CPU, IAM database
 * authentication, a rotated Secrets Manager secret, Performance Insights, encryption, and an optional
 * RDS Proxy. Clients are let in with {@link PerfKitDatabase.allowFrom} and granted with
 * {@link PerfKitDatabase.grantConnect}.
 *
 * @example
 * ```ts
 * const db = new PerfKitDatabase(this, 'Database', {
 *   vpc, subnets: { subnetGroupName: 'database' }, rotationSubnets: { subnetGroupName: 'functions' },
 *   minCapacity: 0.5, maxCapacity: 8, proxy: true,
 * });
 * db.allowFrom(fn);
 * db.grantConnect(fn);
 * ```
 */
export class PerfKitDatabase extends Construct {
  /** The Aurora cluster. */
  public readonly cluster: DatabaseCluster;
  /** The master user's secret (rotated). */
  public readonly secret: ISecret;
  /** The RDS Proxy, when `proxy` is on. */
  public readonly proxy?: DatabaseProxy;
  /** Host the functions connect to for writes: the proxy endpoint or the cluster writer endpoint. */
  public readonly writerHost: string;
  /** Host for reads: the proxy's read-only endpoint is not created, so the cluster reader endpoint. */
  public readonly readerHost: string;
  /** The database name. */
  public readonly databaseName: string;
  /** The user the functions connect as (the master user; IAM auth goes through the proxy). */
  public readonly username: string;
  /**
   * Estimated `max_connections` of one instance at max ACU: Aurora PostgreSQL's default
   * `LEAST(DBInstanceClassMemory / 9531392, 5000)` with 2 GiB per ACU, less 15% because
   * `DBInstanceClassMemory` is below the nominal memory. An estimate for pool sizing, not a limit.
   */
  public readonly estimatedMaxConnections: number;
  /** The reader-count scalable target, when reader auto-scaling is on. */
  public readonly readerScaling?: ScalableTarget;
  /** Security group of the cluster. */
  public readonly clusterSecurityGroup: SecurityGroup;
  /** Security group of the secret rotation function (egress: the cluster and HTTPS to the endpoints). */
  public readonly rotationSecurityGroup: SecurityGroup;
  /** Security group of the proxy, when there is one. */
  public readonly proxySecurityGroup?: SecurityGroup;

  constructor(scope: Construct, id: string, props: PerfKitDatabaseProps) {
    super(scope, id);
    const minCapacity = props.minCapacity ?? 0.5;
    const maxCapacity = props.maxCapacity ?? 4;
    const readers = props.readers ?? 1;
    const maxReaders = props.maxReaders ?? Math.max(readers, 3);
    const readerCpuTarget = props.readerCpuTarget ?? 60;
    this.validate(minCapacity, maxCapacity, readers, maxReaders, readerCpuTarget);
    this.databaseName = props.databaseName ?? 'perfkit';
    this.estimatedMaxConnections = Math.min(
      5000,
      Math.floor((0.85 * maxCapacity * 2 * 1024 ** 3) / 9_531_392),
    );
    this.username = props.masterUsername ?? 'perfkit_admin';
    const deletionProtection = props.deletionProtection ?? true;

    this.clusterSecurityGroup = new SecurityGroup(this, 'ClusterSecurityGroup', {
      vpc: props.vpc,
      description: 'lambda-perf-kit Aurora cluster: PostgreSQL from the functions or the proxy only',
      allowAllOutbound: false,
    });
    this.cluster = new DatabaseCluster(this, 'Cluster', {
      engine: DatabaseClusterEngine.auroraPostgres({
        version: props.engineVersion ?? AuroraPostgresEngineVersion.VER_16_6,
      }),
      credentials: Credentials.fromGeneratedSecret(this.username, {
        excludeCharacters: ' %+~`#$&*()|[]{}:;<>?!\'/@"\\',
      }),
      defaultDatabaseName: this.databaseName,
      vpc: props.vpc,
      vpcSubnets: props.subnets,
      securityGroups: [this.clusterSecurityGroup],
      serverlessV2MinCapacity: minCapacity,
      serverlessV2MaxCapacity: maxCapacity,
      writer: ClusterInstance.serverlessV2('Writer', {
        publiclyAccessible: false,
        enablePerformanceInsights: true,
      }),
      readers: Array.from({ length: readers }, (_, i) =>
        ClusterInstance.serverlessV2(`Reader${i + 1}`, {
          scaleWithWriter: i === 0,
          publiclyAccessible: false,
          enablePerformanceInsights: true,
        }),
      ),
      iamAuthentication: true,
      storageEncrypted: true,
      enablePerformanceInsights: true,
      performanceInsightRetention: PerformanceInsightRetention.DEFAULT,
      cloudwatchLogsExports: ['postgresql'],
      backup: { retention: props.backupRetention ?? Duration.days(7) },
      deletionProtection,
      removalPolicy: deletionProtection ? RemovalPolicy.SNAPSHOT : RemovalPolicy.DESTROY,
      parameters: {
        'rds.force_ssl': '1',
        log_min_duration_statement: '1000',
        'pg_stat_statements.track': 'all',
      },
    });
    this.secret = this.cluster.secret!;
    this.rotationSecurityGroup = new SecurityGroup(this, 'RotationSecurityGroup', {
      vpc: props.vpc,
      description:
        'lambda-perf-kit secret rotation function: PostgreSQL to the cluster, HTTPS to Secrets Manager',
      allowAllOutbound: false,
    });
    this.cluster.addRotationSingleUser({
      securityGroup: this.rotationSecurityGroup,
      endpoint: props.secretsManagerEndpoint,
      automaticallyAfter: props.rotationInterval ?? Duration.days(30),
      vpcSubnets: props.rotationSubnets,
      excludeCharacters: ' %+~`#$&*()|[]{}:;<>?!\'/@"\\',
    });

    if (props.proxy ?? true) {
      this.proxySecurityGroup = new SecurityGroup(this, 'ProxySecurityGroup', {
        vpc: props.vpc,
        description: 'lambda-perf-kit RDS Proxy: PostgreSQL from the functions only',
        allowAllOutbound: false,
      });
      this.proxy = this.cluster.addProxy('Proxy', {
        secrets: [this.secret],
        dbProxyName: `perfkit-proxy-${this.node.addr.slice(-8)}`,
        vpc: props.vpc,
        vpcSubnets: props.subnets,
        securityGroups: [this.proxySecurityGroup],
        iamAuth: true,
        requireTLS: true,
        clientPasswordAuthType: ClientPasswordAuthType.POSTGRES_SCRAM_SHA_256,
        idleClientTimeout: Duration.minutes(30),
        maxConnectionsPercent: 90,
        debugLogging: false,
      });
      // addProxy already lets the proxy's security group reach the cluster on its port (a second,
      // literal-port rule would be a duplicate permission that EC2 rejects at deploy time).
      this.writerHost = this.proxy.endpoint;
    } else {
      this.writerHost = this.cluster.clusterEndpoint.hostname;
    }
    this.readerHost = this.cluster.clusterReadEndpoint.hostname;

    if (maxReaders > readers) {
      this.readerScaling = new ScalableTarget(this, 'ReaderScaling', {
        serviceNamespace: ServiceNamespace.RDS,
        scalableDimension: 'rds:cluster:ReadReplicaCount',
        resourceId: `cluster:${this.cluster.clusterIdentifier}`,
        minCapacity: readers,
        maxCapacity: maxReaders,
      });
      this.readerScaling.node.addDependency(this.cluster);
      new TargetTrackingScalingPolicy(this, 'ReaderCpuTracking', {
        scalingTarget: this.readerScaling,
        predefinedMetric: PredefinedMetric.RDS_READER_AVERAGE_CPU_UTILIZATION,
        targetValue: readerCpuTarget,
        scaleInCooldown: Duration.minutes(10),
        scaleOutCooldown: Duration.minutes(3),
      });
    }

    Validations.of(this.cluster).acknowledge({
      id: 'AwsSolutions-RDS11',
      reason:
        'The default PostgreSQL port is kept: the cluster sits in isolated subnets and its security group admits only the functions, the proxy and the rotation function; a non-default port adds no protection and breaks tooling defaults.',
    });
    if (!deletionProtection) {
      Validations.of(this.cluster).acknowledge({
        id: 'AwsSolutions-RDS10',
        reason:
          'Deletion protection is off only for non-production stages (stage=dev) so the stack can be destroyed.',
      });
    }
  }

  /** Let a client (function, security group) reach the proxy (or the cluster when there is no proxy) on 5432. */
  allowFrom(client: IConnectable): void {
    const target = this.proxySecurityGroup ?? this.clusterSecurityGroup;
    target.connections.allowFrom(client, Port.tcp(5432), 'PostgreSQL from lambda-perf-kit functions');
  }

  /**
   * Grant `rds-db:connect` as {@link PerfKitDatabase.username} on the proxy (or the cluster)
   * and `secretsmanager:GetSecretValue` on the secret.
   */
  grantConnect(grantee: IGrantable): void {
    if (this.proxy) {
      this.proxy.grantConnect(grantee, this.username);
    } else {
      this.cluster.grantConnect(grantee, this.username);
    }
    this.secret.grantRead(grantee);
  }

  private validate(
    minCapacity: number,
    maxCapacity: number,
    readers: number,
    maxReaders: number,
    readerCpuTarget: number,
  ): void {
    const path = this.node.path;
    const { min, max } = AURORA_ACU_RANGE;
    for (const [name, value] of [
      ['minCapacity', minCapacity],
      ['maxCapacity', maxCapacity],
    ] as const) {
      if (!Number.isFinite(value) || value < min || value > max || (value * 2) % 1 !== 0) {
        throw new RangeError(
          `${path}: ${name} must be a multiple of 0.5 ACU from ${min} to ${max}, received ${value}`,
        );
      }
    }
    if (minCapacity > maxCapacity) {
      throw new RangeError(
        `${path}: minCapacity (${minCapacity} ACU) must not exceed maxCapacity (${maxCapacity} ACU); allowed: ${min} <= minCapacity <= maxCapacity <= ${max}`,
      );
    }
    if (maxCapacity < 1) {
      throw new RangeError(`${path}: maxCapacity must be at least 1 ACU, received ${maxCapacity}`);
    }
    if (!Number.isInteger(readers) || readers < 0 || readers > 15) {
      throw new RangeError(`${path}: readers must be an integer from 0 to 15, received ${readers}`);
    }
    if (!Number.isInteger(maxReaders) || maxReaders < readers || maxReaders > 15) {
      throw new RangeError(
        `${path}: maxReaders must be an integer from readers (${readers}) to 15, received ${maxReaders}`,
      );
    }
    if (maxReaders > readers && readers < 1) {
      throw new RangeError(
        `${path}: reader auto-scaling (maxReaders ${maxReaders}) needs at least 1 reader, received readers ${readers}`,
      );
    }
    if (!Number.isFinite(readerCpuTarget) || readerCpuTarget < 10 || readerCpuTarget > 90) {
      throw new RangeError(`${path}: readerCpuTarget must be from 10 to 90 (%), received ${readerCpuTarget}`);
    }
  }
}
