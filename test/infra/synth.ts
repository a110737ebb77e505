import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { PerfKitStack, type PerfKitStackProps } from '../../lib/perf-kit-stack.js';

/** Context that skips asset bundling (no esbuild run, no Docker) so a synth takes a few seconds. */
export const NO_BUNDLING = { 'aws:cdk:bundling-stacks': [] as string[] };

/** Builds one PerfKitStack in a fresh app (bundling skipped) and returns it with its template. */
export function synthStack(props: PerfKitStackProps = {}): { stack: PerfKitStack; template: Template } {
  const app = new App({ context: NO_BUNDLING });
  const stack = new PerfKitStack(app, 'PerfKit', {
    env: { account: '123456789012', region: 'us-east-1' },
    ...props,
  });
  return { stack, template: Template.fromStack(stack) };
}

/** Every IAM statement attached to a role whose logical id starts with `rolePrefix`. */
export function statementsOf(template: Template, rolePrefix: string): Array<Record<string, unknown>> {
  const policies = template.findResources('AWS::IAM::Policy');
  const out: Array<Record<string, unknown>> = [];
  for (const policy of Object.values(policies)) {
    const roles = JSON.stringify(policy.Properties.Roles);
    if (!roles.includes(`"${rolePrefix}`)) continue;
    out.push(...(policy.Properties.PolicyDocument.Statement as Array<Record<string, unknown>>));
  }
  return out;
}

/** Actions of a statement as an array. */
export function actionsOf(statement: Record<string, unknown>): string[] {
  const action = statement.Action;
  return Array.isArray(action) ? (action as string[]) : [action as string];
}
