/** Shared synth helpers for the CDK tests: bundling is skipped here (bundling.test.ts covers it). */
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { parseDeploymentConfig } from '../../lib/config';
import { NhiWatchStack } from '../../lib/nhi-watch-stack';

/** Repository root, the base for relative paths in test configurations. */
export const REPO_ROOT = path.resolve(__dirname, '..', '..');

/** Context that makes CDK stage assets without running esbuild. */
export const SKIP_BUNDLING = { 'aws:cdk:bundling-stacks': [] as string[] };

/** A synthesised standalone stack and its template. */
export interface Synthesised {
  readonly app: App;
  readonly stack: NhiWatchStack;
  readonly template: Template;
}

/** Builds the standalone stack from a raw configuration and synthesises it. */
export const synthNhiWatch = (raw: unknown): Synthesised => {
  const app = new App({ context: SKIP_BUNDLING });
  const config = parseDeploymentConfig(raw, { description: 'test', baseDir: REPO_ROOT });
  const stack = new NhiWatchStack(app, config.stackName, { config });
  return { app, stack, template: Template.fromStack(stack) };
};

/** Logical id of a function in its stack's template. */
export const logicalIdOf = (fn: IFunction): string =>
  Stack.of(fn).getLogicalId(fn.node.defaultChild as CfnFunction);

/** Statements of every IAM policy in the template, flattened. */
export const policyStatements = (template: Template): Record<string, unknown>[] =>
  Object.values(template.findResources('AWS::IAM::Policy')).flatMap(
    (policy) =>
      (policy['Properties'] as { PolicyDocument: { Statement: Record<string, unknown>[] } }).PolicyDocument
        .Statement,
  );

/** Actions of a statement, as a list. */
export const actionsOf = (statement: Record<string, unknown>): string[] => {
  const action = statement['Action'];
  return Array.isArray(action) ? (action as string[]) : [action as string];
};
