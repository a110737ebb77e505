import type { Template } from 'aws-cdk-lib/assertions';
import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { METRICS_NAMESPACE, MetricName } from '../../lambda/shared/observability/constants.js';
import { actionsOf, statementsOf, synthStack } from './synth.js';

// One synth of the default stack (stage dev, serverless cache) for the whole file.
let template: Template;
beforeAll(() => {
  template = synthStack().template;
});

function logicalIdOf(type: string, prefix: string): string {
  const ids = Object.keys(template.findResources(type)).filter((id) => id.startsWith(prefix));
  expect(ids, `${type} ${prefix}`).toHaveLength(1);
  return ids[0]!;
}

describe('network', () => {
  it('creates isolated subnets for database, cache and functions in 2 AZs and no NAT gateway', () => {
    template.resourceCountIs('AWS::EC2::VPC', 1);
    template.resourceCountIs('AWS::EC2::Subnet', 6);
    template.resourceCountIs('AWS::EC2::NatGateway', 0);
    template.resourceCountIs('AWS::EC2::InternetGateway', 0);
    for (const group of ['database', 'cache', 'functions']) {
      template.hasResourceProperties('AWS::EC2::Subnet', {
        MapPublicIpOnLaunch: false,
        Tags: Match.arrayWith([{ Key: 'aws-cdk:subnet-name', Value: group }]),
      });
    }
  });

  it('creates interface endpoints for SQS, Secrets Manager, CloudWatch and X-Ray in the functions subnets', () => {
    template.resourceCountIs('AWS::EC2::VPCEndpoint', 4);
    for (const service of ['sqs', 'secretsmanager', 'monitoring', 'xray']) {
      template.hasResourceProperties('AWS::EC2::VPCEndpoint', {
        ServiceName: `com.amazonaws.us-east-1.${service}`,
        VpcEndpointType: 'Interface',
        PrivateDnsEnabled: true,
        SubnetIds: Match.arrayWith([{ Ref: Match.stringLikeRegexp('functionsSubnet') }]),
      });
    }
  });

  it('logs rejected VPC traffic', () => {
    template.hasResourceProperties('AWS::EC2::FlowLog', { TrafficType: 'REJECT' });
  });

  it('gives the functions a security group without open egress', () => {
    const fnSg = logicalIdOf('AWS::EC2::SecurityGroup', 'NetworkFunctionSecurityGroup');
    const sg = template.findResources('AWS::EC2::SecurityGroup')[fnSg]!;
    expect(JSON.stringify(sg.Properties.SecurityGroupEgress ?? [])).not.toContain('0.0.0.0/0');
    const egress = Object.values(template.findResources('AWS::EC2::SecurityGroupEgress')).filter((r) =>
      JSON.stringify(r.Properties.GroupId).includes(fnSg),
    );
    const targets = egress.map(
      (r) => `${JSON.stringify(r.Properties.DestinationSecurityGroupId)}:${r.Properties.FromPort}`,
    );
    expect(targets.some((t) => t.includes('NetworkEndpointSecurityGroup') && t.endsWith(':443'))).toBe(true);
    expect(targets.some((t) => t.includes('DatabaseProxySecurityGroup') && t.endsWith(':5432'))).toBe(true);
    expect(targets.some((t) => t.includes('CacheSecurityGroup') && t.endsWith(':6379'))).toBe(true);
    expect(egress.every((r) => r.Properties.CidrIp === undefined)).toBe(true);
  });

  it('lets only the functions reach the proxy and the cache, and only the proxy and rotation reach the cluster', () => {
    const ingress = Object.values(template.findResources('AWS::EC2::SecurityGroupIngress'));
    const sourcesOf = (targetPrefix: string) =>
      ingress
        .filter((r) => JSON.stringify(r.Properties.GroupId).includes(targetPrefix))
        .map((r) => JSON.stringify(r.Properties.SourceSecurityGroupId ?? r.Properties.CidrIp));
    expect(sourcesOf('DatabaseProxySecurityGroup')).toEqual([
      expect.stringContaining('NetworkFunctionSecurityGroup'),
    ]);
    expect(sourcesOf('CacheSecurityGroup')).toEqual([
      expect.stringContaining('NetworkFunctionSecurityGroup'),
    ]);
    for (const source of sourcesOf('DatabaseClusterSecurityGroup')) {
      expect(source).toMatch(/DatabaseProxySecurityGroup|DatabaseRotationSecurityGroup/);
    }
    for (const r of ingress) expect(r.Properties.CidrIp).toBeUndefined();
  });
});

describe('security group rules', () => {
  it('never repeats a permission (EC2 rejects duplicates at deploy time), counting the cluster port token as 5432', () => {
    for (const type of ['AWS::EC2::SecurityGroupIngress', 'AWS::EC2::SecurityGroupEgress']) {
      const keys = Object.values(template.findResources(type)).map((r) => {
        const { Description: _d, ...rest } = r.Properties as Record<string, unknown>;
        return JSON.stringify(rest).replace(
          /\{"Fn::GetAtt":\["DatabaseCluster[0-9A-F]+","Endpoint\.Port"\]\}/g,
          '5432',
        );
      });
      expect(new Set(keys).size, type).toBe(keys.length);
    }
  });
});

describe('database', () => {
  it('creates an encrypted Aurora PostgreSQL Serverless v2 cluster with IAM auth and Performance Insights', () => {
    template.hasResourceProperties('AWS::RDS::DBCluster', {
      Engine: 'aurora-postgresql',
      ServerlessV2ScalingConfiguration: { MinCapacity: 0.5, MaxCapacity: 4 },
      EnableIAMDatabaseAuthentication: true,
      StorageEncrypted: true,
      DeletionProtection: false,
      PerformanceInsightsEnabled: true,
      DatabaseName: 'perfkit',
      EnableCloudwatchLogsExports: ['postgresql'],
    });
    template.hasResource('AWS::RDS::DBCluster', { DeletionPolicy: 'Delete' });
  });

  it('creates a serverless writer and a reader', () => {
    template.resourceCountIs('AWS::RDS::DBInstance', 2);
    template.allResourcesProperties('AWS::RDS::DBInstance', {
      DBInstanceClass: 'db.serverless',
      EnablePerformanceInsights: true,
      PubliclyAccessible: false,
    });
  });

  it('auto-scales the reader count on reader CPU with Application Auto Scaling', () => {
    const target = logicalIdOf('AWS::ApplicationAutoScaling::ScalableTarget', 'DatabaseReaderScaling');
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', {
      ServiceNamespace: 'rds',
      ScalableDimension: 'rds:cluster:ReadReplicaCount',
      MinCapacity: 1,
      MaxCapacity: 3,
      ResourceId: { 'Fn::Join': ['', ['cluster:', { Ref: Match.stringLikeRegexp('DatabaseCluster') }]] },
    });
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      ScalingTargetId: { Ref: target },
      PolicyType: 'TargetTrackingScaling',
      TargetTrackingScalingPolicyConfiguration: {
        PredefinedMetricSpecification: { PredefinedMetricType: 'RDSReaderAverageCPUUtilization' },
        TargetValue: 60,
      },
    });
  });

  it('keeps the credentials in a Secrets Manager secret rotated every 30 days', () => {
    template.hasResourceProperties('AWS::SecretsManager::RotationSchedule', {
      RotationRules: { ScheduleExpression: 'rate(30 days)' },
    });
    template.resourceCountIs('AWS::Serverless::Application', 1);
  });

  it('puts an RDS Proxy with IAM auth and TLS in front, with a read-only endpoint', () => {
    template.hasResourceProperties('AWS::RDS::DBProxy', {
      EngineFamily: 'POSTGRESQL',
      RequireTLS: true,
      Auth: [Match.objectLike({ AuthScheme: 'SECRETS', IAMAuth: 'REQUIRED' })],
    });
    template.hasResourceProperties('AWS::RDS::DBProxyEndpoint', { TargetRole: 'READ_ONLY' });
  });
});

describe('cache (serverless, default)', () => {
  it('creates a Valkey serverless cache in the cache subnets with usage limits and an RBAC user group', () => {
    template.resourceCountIs('AWS::ElastiCache::ReplicationGroup', 0);
    template.hasResourceProperties('AWS::ElastiCache::ServerlessCache', {
      Engine: 'valkey',
      MajorEngineVersion: '8',
      CacheUsageLimits: { DataStorage: { Maximum: 5, Unit: 'GB' }, ECPUPerSecond: { Maximum: 10000 } },
      SubnetIds: Match.arrayWith([{ Ref: Match.stringLikeRegexp('cacheSubnet') }]),
      UserGroupId: Match.anyValue(),
    });
    template.hasResourceProperties('AWS::ElastiCache::User', {
      UserName: 'perfkit',
      AuthenticationMode: {
        Type: 'password',
        Passwords: [Match.anyValue()],
      },
    });
    const users = JSON.stringify(template.findResources('AWS::ElastiCache::User'));
    expect(users).toContain('{{resolve:secretsmanager:');
    template.hasResourceProperties('AWS::ElastiCache::User', {
      UserName: 'default',
      AccessString: 'off -@all',
    });
  });
});

describe('functions', () => {
  const fns = ['ApiFunction', 'WorkerFunction', 'MaintenanceFunction'];

  it('runs the split-bundled handlers on nodejs22.x arm64 with active tracing, in the VPC', () => {
    for (const fn of fns) {
      const id = logicalIdOf('AWS::Lambda::Function', `${fn}`);
      const props = template.findResources('AWS::Lambda::Function')[id]!.Properties;
      expect(props).toMatchObject({
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        TracingConfig: { Mode: 'Active' },
        LoggingConfig: { LogFormat: 'JSON' },
      });
      expect(JSON.stringify(props.VpcConfig.SecurityGroupIds)).toContain('NetworkFunctionSecurityGroup');
      expect(JSON.stringify(props.VpcConfig.SubnetIds)).toContain('functionsSubnet');
    }
  });

  it('takes memory and timeout from props', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('API read path'),
      MemorySize: 1024,
      Timeout: 10,
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('SQS worker'),
      Timeout: 30,
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('maintenance'),
      MemorySize: 512,
      Timeout: 300,
    });
  });

  it('sets the Powertools, database, cache and queue environment', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('API read path'),
      Environment: {
        Variables: Match.objectLike({
          POWERTOOLS_SERVICE_NAME: 'perf-kit-api',
          POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
          POWERTOOLS_LOG_LEVEL: 'INFO',
          PGHOST: { 'Fn::GetAtt': [Match.stringLikeRegexp('DatabaseClusterProxy'), 'Endpoint'] },
          PGDATABASE: 'perfkit',
          PGUSER: 'perfkit_admin',
          PGSSLMODE: Match.absent(),
          DB_MAX_CONNECTIONS: Match.absent(),
          DB_IAM_AUTH: 'true',
          DB_READER_HOST: { 'Fn::GetAtt': [Match.stringLikeRegexp('ProxyReadOnlyEndpoint'), 'Endpoint'] },
          DB_SECRET_ARN: { Ref: Match.stringLikeRegexp('DatabaseClusterSecretAttachment') },
          REDIS_URL: Match.objectLike({ 'Fn::Join': Match.arrayWith([Match.arrayWith(['rediss://'])]) }),
          REDIS_AUTH_SECRET_ARN: { Ref: Match.stringLikeRegexp('CacheAuthSecret') },
          QUEUE_URL: { Ref: Match.stringLikeRegexp('^WorkQueue') },
        }),
      },
    });
    const env = JSON.stringify(template.findResources('AWS::Lambda::Function'));
    expect(env).not.toContain('NODE_OPTIONS');
  });

  it('grants only scoped resources, except the X-Ray and VPC ENI actions that have no resource-level permissions', () => {
    const allowedStar = new Set([
      'xray:PutTraceSegments',
      'xray:PutTelemetryRecords',
      'ec2:CreateNetworkInterface',
      'ec2:DescribeNetworkInterfaces',
      'ec2:DescribeSubnets',
      'ec2:DeleteNetworkInterface',
      'ec2:AssignPrivateIpAddresses',
      'ec2:UnassignPrivateIpAddresses',
    ]);
    for (const fn of fns) {
      const statements = statementsOf(template, `${fn}Role`);
      expect(statements.length).toBeGreaterThan(0);
      for (const s of statements) {
        if (JSON.stringify(s.Resource).includes('"*"')) {
          for (const action of actionsOf(s))
            expect(allowedStar.has(action), `${fn}: ${action} on *`).toBe(true);
        }
        for (const action of actionsOf(s)) expect(action.endsWith('*'), `${fn}: ${action}`).toBe(false);
      }
      const connect = statements.find((s) => actionsOf(s).includes('rds-db:connect'));
      expect(JSON.stringify(connect?.Resource)).toMatch(/dbuser:.*DBProxyArn.*\/perfkit_admin/);
      const secrets = JSON.stringify(
        statements
          .filter((s) => actionsOf(s).includes('secretsmanager:GetSecretValue'))
          .map((s) => s.Resource),
      );
      expect(secrets).toContain('DatabaseClusterSecretAttachment');
      expect(secrets).toContain('CacheAuthSecret');
      expect(statements.some((s) => actionsOf(s).includes('cloudwatch:PutMetricData'))).toBe(false);
    }
  });

  it('uses its own roles, no AWS managed policies', () => {
    for (const fn of fns) {
      const id = logicalIdOf('AWS::IAM::Role', `${fn}Role`);
      expect(template.findResources('AWS::IAM::Role')[id]!.Properties.ManagedPolicyArns).toBeUndefined();
    }
  });

  it('writes logs only to the function log group', () => {
    const statements = statementsOf(template, 'ApiFunctionRole');
    const logs = statements.find((s) => actionsOf(s).includes('logs:PutLogEvents'));
    expect(logs?.Resource).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^ApiFunctionLogGroup/), 'Arn'] });
  });
});

describe('provisioned concurrency', () => {
  it('puts provisioned concurrency on the live alias of the API', () => {
    template.hasResourceProperties('AWS::Lambda::Alias', {
      Name: 'live',
      FunctionName: { Ref: Match.stringLikeRegexp('^ApiFunction') },
      ProvisionedConcurrencyConfig: { ProvisionedConcurrentExecutions: 1 },
    });
  });

  it('auto-scales it with target tracking on utilization', () => {
    const target = logicalIdOf('AWS::ApplicationAutoScaling::ScalableTarget', 'ApiFunctionAlias');
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', {
      ServiceNamespace: 'lambda',
      ScalableDimension: 'lambda:function:ProvisionedConcurrency',
      MinCapacity: 1,
      MaxCapacity: 4,
    });
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      ScalingTargetId: { Ref: target },
      TargetTrackingScalingPolicyConfiguration: {
        PredefinedMetricSpecification: { PredefinedMetricType: 'LambdaProvisionedConcurrencyUtilization' },
        TargetValue: 0.7,
      },
    });
  });
});

describe('queues', () => {
  it('creates a standard queue with a DLQ, maxReceiveCount 5 and visibility 6 × the worker timeout', () => {
    template.hasResourceProperties('AWS::SQS::Queue', {
      VisibilityTimeout: 180,
      SqsManagedSseEnabled: true,
      RedrivePolicy: {
        deadLetterTargetArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^WorkQueueDeadLetterQueue'), 'Arn'] },
        maxReceiveCount: 5,
      },
    });
  });

  it('creates a FIFO variant with a FIFO DLQ', () => {
    template.hasResourceProperties('AWS::SQS::Queue', {
      FifoQueue: true,
      VisibilityTimeout: 180,
      DeduplicationScope: 'messageGroup',
      FifoThroughputLimit: 'perMessageGroupId',
      RedrivePolicy: {
        deadLetterTargetArn: {
          'Fn::GetAtt': [Match.stringLikeRegexp('^FifoWorkQueueDeadLetterQueue'), 'Arn'],
        },
        maxReceiveCount: 5,
      },
    });
    const dlq = logicalIdOf('AWS::SQS::Queue', 'FifoWorkQueueDeadLetterQueue');
    expect(template.findResources('AWS::SQS::Queue')[dlq]!.Properties.FifoQueue).toBe(true);
  });

  it('denies non-TLS access to every queue', () => {
    template.resourceCountIs('AWS::SQS::QueuePolicy', 4);
    template.allResourcesProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('maps both queues to the worker alias with partial batch failures, batch size, window and max concurrency', () => {
    template.resourceCountIs('AWS::Lambda::EventSourceMapping', 2);
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^WorkQueue[0-9A-F]{8}$'), 'Arn'] },
      FunctionName: { 'Fn::Join': ['', Match.arrayWith([':live'])] },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BatchSize: 10,
      MaximumBatchingWindowInSeconds: 1,
      ScalingConfig: { MaximumConcurrency: 10 },
    });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^FifoWorkQueue[0-9A-F]{8}$'), 'Arn'] },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      MaximumBatchingWindowInSeconds: Match.absent(),
    });
  });

  it('lets the worker consume and the API only send', () => {
    const worker = statementsOf(template, 'WorkerFunctionRole');
    expect(worker.some((s) => actionsOf(s).includes('sqs:ReceiveMessage'))).toBe(true);
    const api = statementsOf(template, 'ApiFunctionRole');
    const sqs = api.filter((s) => actionsOf(s).some((a) => a.startsWith('sqs:')));
    expect(sqs.flatMap(actionsOf)).not.toContain('sqs:ReceiveMessage');
    expect(sqs.flatMap(actionsOf)).toContain('sqs:SendMessage');
  });
});

describe('entry points', () => {
  it('fronts the API alias with an HTTP API that writes access logs', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', { ProtocolType: 'HTTP' });
    template.hasResourceProperties('AWS::ApiGatewayV2::Integration', {
      IntegrationType: 'AWS_PROXY',
      IntegrationUri: { Ref: Match.stringLikeRegexp('^ApiFunctionAlias') },
    });
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      AccessLogSettings: { DestinationArn: Match.anyValue(), Format: Match.anyValue() },
    });
  });

  it('runs the maintenance alias on an EventBridge schedule', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 day)',
      Targets: [Match.objectLike({ Arn: { Ref: Match.stringLikeRegexp('^MaintenanceFunctionAlias') } })],
    });
  });
});

describe('monitoring', () => {
  it("graphs the toolkit's own metrics and the AWS ones that matter", () => {
    const dashboards = template.findResources('AWS::CloudWatch::Dashboard');
    const body = JSON.stringify(Object.values(dashboards)[0]!.Properties.DashboardBody);
    for (const name of [
      MetricName.PoolWaiting,
      MetricName.PoolErrors,
      MetricName.CacheHit,
      MetricName.CacheMiss,
      MetricName.SlowQuery,
      MetricName.RecordsFailed,
      MetricName.ColdStart,
      MetricName.InitDuration,
      'ProvisionedConcurrencySpilloverInvocations',
      'ApproximateNumberOfMessagesVisible',
      'ServerlessDatabaseCapacity',
      'ACUUtilization',
      'DatabaseConnections',
      'ElastiCacheProcessingUnits',
      'BytesUsedForCache',
    ]) {
      expect(body, name).toContain(name);
    }
    expect(body).toContain(METRICS_NAMESPACE);
  });

  it('alarms on DLQ depth, pool pressure, batch failures, spillover and Aurora ACU', () => {
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')).map((a) => a.Properties);
    const find = (...parts: string[]) =>
      alarms.filter((a) => parts.every((p) => JSON.stringify(a).includes(p)));
    const dlq = find('ApproximateNumberOfMessagesVisible', 'DeadLetterQueue');
    expect(dlq).toHaveLength(2);
    for (const a of dlq) {
      expect(a).toMatchObject({ Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold' });
    }
    expect(find(METRICS_NAMESPACE, MetricName.PoolWaiting, '"perf-kit-api"')).toHaveLength(1);
    expect(find(METRICS_NAMESPACE, MetricName.PoolErrors, '"perf-kit-worker"')).toHaveLength(1);
    expect(find(METRICS_NAMESPACE, MetricName.RecordsFailed, '"perf-kit-worker"')).toHaveLength(1);
    expect(find(METRICS_NAMESPACE, MetricName.SlowQuery)).toHaveLength(3);
    expect(find('ProvisionedConcurrencySpilloverInvocations', ':live')).toHaveLength(1);
    expect(find('ACUUtilization')[0]).toMatchObject({ Threshold: 90 });
    for (const a of alarms) expect(a.AlarmActions).toBeUndefined();
  });

  it('creates no SNS topic unless asked', () => {
    template.resourceCountIs('AWS::SNS::Topic', 0);
  });
});
