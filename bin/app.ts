import { Validations, type App } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { NhiWatchStack, loadDeploymentConfig } from '../lib/index.js'; // in your own app: from 'nhi-watch'

/**
 * Wires the standalone app: configuration from context, the stack, and cdk-nag's AWS Solutions checks,
 * whose findings fail synth unless acknowledged with a reason. Shared by bin/nhi-watch.ts and the
 * tests; an example of using the construct library (`lib/index.ts`, the package's entry point).
 */
export const buildNhiWatchApp = (app: App, cwd: string = process.cwd()): NhiWatchStack => {
  const config = loadDeploymentConfig(app.node, cwd);
  const stack = new NhiWatchStack(app, config.stackName, {
    config,
    description: 'nhi-watch: behaviour monitoring of non-human identities (CloudTrail, API Gateway)',
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return stack;
};
