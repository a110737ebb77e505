import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { afterAll, describe, expect, it } from 'vitest';
import { PerfKitStack, type PerfKitStackProps } from '../../lib/perf-kit-stack.js';
import { NO_BUNDLING } from './synth.js';

const outdirs: string[] = [];
afterAll(() => {
  for (const dir of outdirs) rmSync(dir, { recursive: true, force: true });
});

/** Builds the app the way bin/app.ts does (AwsSolutionsChecks on the app), bundling skipped. */
function nagApp(
  props: PerfKitStackProps,
  extra?: (stack: PerfKitStack) => void,
): { app: App; outdir: string } {
  const outdir = mkdtempSync(join(tmpdir(), 'perfkit-nag-'));
  outdirs.push(outdir);
  const app = new App({ outdir, context: NO_BUNDLING });
  const stack = new PerfKitStack(app, 'PerfKit', {
    env: { account: '123456789012', region: 'us-east-1' },
    ...props,
  });
  extra?.(stack);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, outdir };
}

interface Acknowledgement {
  readonly path: string;
  readonly id: string;
  readonly reason: string;
}

function acknowledgements(app: App): Acknowledgement[] {
  const out: Acknowledgement[] = [];
  for (const node of app.node.findAll()) {
    for (const entry of node.node.metadata) {
      if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
      // Stored as { '<source>::<rule id>': reason }; CDK adds its own CloudFormation-Validate ones.
      for (const [key, reason] of Object.entries(entry.data as Record<string, string>)) {
        if (!key.includes('AwsSolutions-')) continue;
        out.push({ path: node.node.path, id: key.slice(key.indexOf('AwsSolutions-')), reason });
      }
    }
  }
  return out;
}

describe('cdk-nag AwsSolutionsChecks', () => {
  it.each([
    ['dev, serverless cache', {}],
    [
      'prod, replication-group cache, alarm topic, no proxy',
      {
        stage: 'prod',
        cache: { mode: 'replication-group' },
        database: { proxy: false },
        monitoring: { alarmEmail: 'oncall@example.com' },
      },
    ],
  ] as Array<[string, PerfKitStackProps]>)('reports zero unacknowledged findings (%s)', (_name, props) => {
    const { app, outdir } = nagApp(props);
    expect(() => app.synth()).not.toThrow();
    const report = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8')) as {
      pluginReports: Array<{ conclusion: string; violations: unknown[] }>;
    };
    for (const plugin of report.pluginReports) {
      expect(plugin.violations).toEqual([]);
    }
  });

  it('gives every acknowledgement a specific reason', () => {
    const { app } = nagApp({ stage: 'dev', cache: { mode: 'replication-group' } });
    const acks = acknowledgements(app);
    expect(acks.map((a) => a.id)).toEqual(
      expect.arrayContaining([
        'AwsSolutions-IAM5[Resource::*]',
        'AwsSolutions-RDS11',
        'AwsSolutions-RDS10',
        'AwsSolutions-AEC5',
        'AwsSolutions-SMG4',
        'AwsSolutions-APIG4',
        'AwsSolutions-L1',
      ]),
    );
    for (const ack of acks) {
      expect(ack.reason.length, `${ack.path} ${ack.id}`).toBeGreaterThan(60);
      expect(ack.reason).not.toMatch(/todo|tbd|ignore|n\/a/i);
    }
    // Acknowledgements are attached to the construct that needs them, never to the whole stack or app.
    for (const ack of acks) expect(ack.path.split('/').length, ack.path).toBeGreaterThan(1);
  });

  it('does not acknowledge deletion protection in prod', () => {
    const { app } = nagApp({ stage: 'prod' });
    expect(acknowledgements(app).map((a) => a.id)).not.toContain('AwsSolutions-RDS10');
  });

  it('fails synthesis on an unacknowledged finding (the same plugin setup as bin/app.ts)', () => {
    const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'perfkit-nag-')) });
    outdirs.push(app.outdir);
    new Queue(new Stack(app, 'Bad'), 'UnprotectedQueue');
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    expect(() => app.synth()).toThrow(/AwsSolutions-SQS3/);
  });
});
