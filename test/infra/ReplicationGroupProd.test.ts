import { Duration } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import { Match } from 'aws-cdk-lib/assertions';
import { Schedule as ScalingSchedule } from 'aws-cdk-lib/aws-applicationautoscaling';
import { beforeAll, describe, expect, it } from 'vitest';
import { synthStack } from './synth.js';

// One synth of a prod stack with the replication-group cache, an alarm e-mail and custom sizes.
let template: Template;
beforeAll(() => {
  template = synthStack({
    stage: 'prod',
    database: {
      minCapacity: 1,
      maxCapacity: 16,
      readers: 2,
      maxReaders: 5,
      readerCpuTarget: 50,
      proxy: false,
    },
    cache: {
      mode: 'replication-group',
      engine: 'redis',
      nodeType: 'cache.r7g.large',
      replicas: 1,
      maxReplicas: 4,
    },
    api: {
      reservedConcurrency: 40,
      provisionedConcurrency: {
        min: 3,
        max: 30,
        utilizationTarget: 0.6,
        schedules: [
          { name: 'Morning', schedule: ScalingSchedule.cron({ hour: '8', minute: '0' }), minCapacity: 10 },
        ],
      },
    },
    worker: {
      timeout: Duration.seconds(60),
      batchSize: 50,
      maxBatchingWindow: Duration.seconds(5),
      maxConcurrency: 25,
    },
    monitoring: { alarmEmail: 'oncall@example.com' },
  }).template;
});

describe('cache (replication group)', () => {
  it('creates a multi-AZ, encrypted, AUTH-protected cluster-mode replication group', () => {
    template.resourceCountIs('AWS::ElastiCache::ServerlessCache', 0);
    template.hasResourceProperties('AWS::ElastiCache::ReplicationGroup', {
      Engine: 'redis',
      CacheNodeType: 'cache.r7g.large',
      ClusterMode: 'enabled',
      NumNodeGroups: 1,
      ReplicasPerNodeGroup: 1,
      MultiAZEnabled: true,
      AutomaticFailoverEnabled: true,
      TransitEncryptionEnabled: true,
      TransitEncryptionMode: 'required',
      AtRestEncryptionEnabled: true,
      AuthToken: Match.anyValue(),
      CacheSubnetGroupName: { Ref: Match.stringLikeRegexp('CacheSubnetGroup') },
    });
    const rg = JSON.stringify(template.findResources('AWS::ElastiCache::ReplicationGroup'));
    expect(rg).toContain('{{resolve:secretsmanager:');
  });

  it('auto-scales replicas on engine CPU', () => {
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', {
      ServiceNamespace: 'elasticache',
      ScalableDimension: 'elasticache:replication-group:Replicas',
      MinCapacity: 1,
      MaxCapacity: 4,
    });
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      TargetTrackingScalingPolicyConfiguration: Match.objectLike({
        PredefinedMetricSpecification: { PredefinedMetricType: 'ElastiCacheReplicaEngineCPUUtilization' },
        TargetValue: 60,
      }),
    });
  });

  it('tells the functions to use cluster mode over TLS', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ REDIS_CLUSTER_MODE: 'true', REDIS_USERNAME: 'default' }) },
    });
  });

  it('graphs and alarms on cache engine CPU and memory', () => {
    const body = JSON.stringify(
      Object.values(template.findResources('AWS::CloudWatch::Dashboard'))[0]!.Properties.DashboardBody,
    );
    expect(body).toContain('EngineCPUUtilization');
    expect(body).toContain('DatabaseMemoryUsagePercentage');
    const alarms = JSON.stringify(template.findResources('AWS::CloudWatch::Alarm'));
    expect(alarms).toContain('EngineCPUUtilization');
  });
});

describe('prod stage', () => {
  it('turns on deletion protection and snapshot-on-delete', () => {
    template.hasResourceProperties('AWS::RDS::DBCluster', {
      DeletionProtection: true,
      ServerlessV2ScalingConfiguration: { MinCapacity: 1, MaxCapacity: 16 },
    });
    template.hasResource('AWS::RDS::DBCluster', { DeletionPolicy: 'Snapshot' });
  });

  it('uses the reader counts and CPU target from props', () => {
    template.resourceCountIs('AWS::RDS::DBInstance', 3);
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', {
      ScalableDimension: 'rds:cluster:ReadReplicaCount',
      MinCapacity: 2,
      MaxCapacity: 5,
    });
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      TargetTrackingScalingPolicyConfiguration: Match.objectLike({
        PredefinedMetricSpecification: { PredefinedMetricType: 'RDSReaderAverageCPUUtilization' },
        TargetValue: 50,
      }),
    });
  });

  it('connects straight to the cluster with the secret when the proxy is off', () => {
    template.resourceCountIs('AWS::RDS::DBProxy', 0);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          DB_IAM_AUTH: 'false',
          PGHOST: { 'Fn::GetAtt': [Match.stringLikeRegexp('DatabaseCluster'), 'Endpoint.Address'] },
        }),
      },
    });
    // 16 ACU → 32 GiB → 0.85 × 32 GiB / 9531392 ≈ 3064 connections, shared by 40 (API) + 2 × 25 (worker, two queues) + 1 environments.
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({ DB_MAX_CONNECTIONS: '3064', DB_EXPECTED_CONCURRENCY: '91' }),
      },
    });
    const policies = JSON.stringify(template.findResources('AWS::IAM::Policy'));
    expect(policies).toMatch(
      /dbuser:",\{"Fn::GetAtt":\["DatabaseCluster[0-9A-F]+","DBClusterResourceId"\]\},"\/perfkit_admin/,
    );
  });

  it('applies reserved concurrency, provisioned concurrency and its scheduled actions from props', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('API read path'),
      ReservedConcurrentExecutions: 40,
    });
    template.hasResourceProperties('AWS::Lambda::Alias', {
      ProvisionedConcurrencyConfig: { ProvisionedConcurrentExecutions: 3 },
    });
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', {
      ScalableDimension: 'lambda:function:ProvisionedConcurrency',
      MinCapacity: 3,
      MaxCapacity: 30,
      ScheduledActions: [
        Match.objectLike({
          ScheduledActionName: 'Morning',
          Schedule: 'cron(0 8 * * ? *)',
          ScalableTargetAction: { MinCapacity: 10 },
        }),
      ],
    });
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      TargetTrackingScalingPolicyConfiguration: Match.objectLike({
        PredefinedMetricSpecification: { PredefinedMetricType: 'LambdaProvisionedConcurrencyUtilization' },
        TargetValue: 0.6,
      }),
    });
  });

  it('sizes the queues and the event source from the worker props', () => {
    template.hasResourceProperties('AWS::SQS::Queue', {
      VisibilityTimeout: 360,
      RedrivePolicy: Match.anyValue(),
    });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      BatchSize: 50,
      MaximumBatchingWindowInSeconds: 5,
      ScalingConfig: { MaximumConcurrency: 25 },
    });
    // The FIFO mapping caps the batch at 10 and has no batching window.
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      BatchSize: 10,
      MaximumBatchingWindowInSeconds: Match.absent(),
      ScalingConfig: { MaximumConcurrency: 25 },
    });
  });

  it('sends every alarm to a KMS-encrypted SNS topic with an e-mail subscription', () => {
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'oncall@example.com',
    });
    template.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({ Principal: { Service: 'cloudwatch.amazonaws.com' } }),
        ]),
      },
    });
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm'));
    expect(alarms.length).toBeGreaterThan(5);
    for (const alarm of alarms) {
      expect(JSON.stringify(alarm.Properties.AlarmActions)).toMatch(/MonitoringAlarmTopic/);
    }
  });
});
