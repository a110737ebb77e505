import { App, Duration, Size, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
// The README's "Use the constructs in your own stack" example, through the package's `./cdk` export.
import { PerfKitDatabase, PerfKitFunction, PerfKitNetwork, PerfKitQueueWorker } from '../../lib/index.js';
import { NO_BUNDLING } from './synth.js';

describe('README example', () => {
  it('synthesizes a worker on a queue with the database', () => {
    const app = new App({ context: NO_BUNDLING });
    const stack = new Stack(app, 'Orders');
    const network = new PerfKitNetwork(stack, 'Network');
    const db = new PerfKitDatabase(stack, 'Database', {
      vpc: network.vpc,
      subnets: network.databaseSubnets,
      rotationSubnets: network.functionSubnets,
      secretsManagerEndpoint: network.endpoints.secretsmanager,
      minCapacity: 0.5,
      maxCapacity: 8,
      deletionProtection: false,
    });
    network.allowEndpointAccess(db.rotationSecurityGroup);
    const worker = new PerfKitFunction(stack, 'Worker', {
      entry: 'lambda/examples/sqs-worker.ts', // README: 'src/order-worker.ts'
      serviceName: 'orders-worker',
      vpc: network.vpc,
      vpcSubnets: network.functionSubnets,
      securityGroups: [network.functionSecurityGroup],
      memorySize: Size.mebibytes(512),
      timeout: Duration.seconds(20),
      environment: {
        PGHOST: db.writerHost,
        PGDATABASE: db.databaseName,
        PGUSER: db.username,
        DB_IAM_AUTH: db.proxy ? 'true' : 'false',
        DB_SECRET_ARN: db.secret.secretArn,
      },
    });
    db.allowFrom(worker.function);
    db.grantConnect(worker.role);
    new PerfKitQueueWorker(stack, 'Orders', {
      consumer: worker.alias,
      consumerTimeout: worker.timeout,
      batchSize: 25,
      maxBatchingWindow: Duration.seconds(2),
      maxConcurrency: 20,
    });

    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::SQS::Queue', { VisibilityTimeout: 120 });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      BatchSize: 25,
      MaximumBatchingWindowInSeconds: 2,
      ScalingConfig: { MaximumConcurrency: 20 },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      MemorySize: 512,
      Timeout: 20,
      Runtime: 'nodejs22.x',
      // The proxy requires IAM auth: the worker must sign in with a token, to the app's database.
      Environment: { Variables: Match.objectLike({ DB_IAM_AUTH: 'true', PGDATABASE: Match.anyValue() }) },
    });
    expect(JSON.stringify(template.findResources('AWS::IAM::Policy'))).toContain('rds-db:connect');
  });
});
