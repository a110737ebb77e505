#!/usr/bin/env node
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { PerfKitStack, type PerfKitStage } from '../lib/perf-kit-stack.js';

// Stage and names come from context (`cdk deploy -c stage=prod`) or the environment.
const app = new App();
const stage = (app.node.tryGetContext('stage') ?? process.env.PERF_KIT_STAGE ?? 'dev') as PerfKitStage;
const stackName = (app.node.tryGetContext('stackName') as string | undefined) ?? `PerfKit-${stage}`;
const alarmEmail =
  (app.node.tryGetContext('alarmEmail') as string | undefined) ?? process.env.PERF_KIT_ALARM_EMAIL;
const cacheMode = app.node.tryGetContext('cacheMode') as 'serverless' | 'replication-group' | undefined;
// `-c provisionedConcurrency=false`: for accounts whose concurrency quota (10 on new accounts) leaves
// nothing to provision; Lambda keeps 100 unreserved, so provisioned concurrency needs a larger quota.
const provisionedConcurrencyOff = String(app.node.tryGetContext('provisionedConcurrency')) === 'false';

new PerfKitStack(app, stackName, {
  stage,
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION ?? 'us-east-1' },
  cache: cacheMode === undefined ? undefined : { mode: cacheMode },
  api: provisionedConcurrencyOff ? { provisionedConcurrency: false } : undefined,
  monitoring: alarmEmail === undefined ? undefined : { alarmEmail },
  tags: { project: 'lambda-perf-kit', stage },
});
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
