#!/usr/bin/env node
import { App } from 'aws-cdk-lib';
import { PerfKitStack } from '../lib/perf-kit-stack.js';

const app = new App();
new PerfKitStack(app, app.node.tryGetContext('stackName') ?? 'PerfKitStack', {
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION ?? 'us-east-1' },
});
