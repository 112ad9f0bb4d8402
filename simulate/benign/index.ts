/**
 * Benign traffic of the fleet, one generator per workload (a file each in this folder): CloudTrail from
 * Lambda, EC2, Fargate ETL, CI, the ERP connector, a dormant user's history and the platform's own
 * automation (an IAM admin pipeline, Terraform applies, AWS Config and Access Analyzer sweeps, a job
 * reading its secrets at start-up, a function first deployed mid-run); API Gateway from
 * the partner, the storefront, factory devices, inventory sync and a retired API key's history.
 * Realistic noise is included; unexplained novelty after the learning period is not.
 */
import type { GenContext } from '../context.js';
import { generateCi } from './ci-deployments.js';
import { generateDormantHistory } from './dormant-history.js';
import { generateEc2Workers } from './ec2-workers.js';
import { generateErp } from './erp-connector.js';
import { generateDevices } from './factory-devices.js';
import { generateFederatedWorkloads } from './federated-workloads.js';
import { generateFeatureRollout } from './feature-rollout.js';
import { generateInventorySync } from './inventory-sync.js';
import { generateLambdaFunction } from './lambda-functions.js';
import { generateLegacyMobileHistory } from './legacy-mobile.js';
import { generateNightlyEtl } from './nightly-etl.js';
import { generatePartner } from './partner.js';
import { generatePlatformAutomation } from './platform-automation.js';
import { generateReportExporter } from './report-exporter.js';
import { generateStorefront } from './storefront.js';

/** All benign CloudTrail traffic. */
export const generateBenignCloudTrail = (ctx: GenContext): void => {
  for (const fn of ctx.fleet.lambdas) {
    if (fn.functionName !== 'report-exporter') generateLambdaFunction(ctx, fn);
  }
  generateReportExporter(ctx);
  generateFeatureRollout(ctx);
  generateEc2Workers(ctx);
  generateNightlyEtl(ctx);
  generateCi(ctx);
  generateFederatedWorkloads(ctx);
  generateErp(ctx);
  generateDormantHistory(ctx);
  generatePlatformAutomation(ctx);
};

/** All benign API Gateway traffic. */
export const generateBenignApiGateway = (ctx: GenContext): void => {
  generatePartner(ctx);
  generateStorefront(ctx);
  generateLegacyMobileHistory(ctx);
  generateDevices(ctx);
  generateInventorySync(ctx);
};
