/**
 * Integration contracts of the simulated fleet: what each identity was built to do. All benign
 * traffic satisfies them (a test checks it); attacks break some of them on purpose.
 */
import type { Contract } from '../lambdas/core/contracts.js';
import { BENIGN_FEATURE_ROLLOUT } from './benign/feature-rollout.js';
import { PARTNER_HOURS } from './benign/partner.js';
import { roleArn } from './cloudtrail-builder.js';
import { roleKey, userKeyOf, type Fleet } from './fleet.js';
import { identityKeyHint } from './identity-key.js';
import { NETWORKS } from './networks.js';

const host = (ip: string): string => `${ip}/32`;

/** Contracts for every identity of the fleet, with rate envelopes sized for `scale`. */
export const fleetContracts = (fleet: Fleet, scale: number): Contract[] => {
  const perHour = (peak: number): number => Math.ceil(peak * scale * 3) + 20;
  const perMinute = (peakPerHour: number): number => Math.ceil((peakPerHour * scale) / 60) * 6 + 20;
  const lambdaContracts = fleet.lambdas.map((fn): Contract => {
    const actions = new Set([...fn.actions.map(([action]) => action), ...fn.initActions]);
    if (fn.functionName === BENIGN_FEATURE_ROLLOUT.functionName) actions.add(BENIGN_FEATURE_ROLLOUT.action);
    if (fn.functionName === 'report-exporter') actions.add('sts:AssumeRole');
    const peak =
      fn.functionName === 'report-exporter'
        ? 15
        : fn.basePerHour * (1 + fn.diurnalAmplitude) * Math.max(1, fn.weekendFactor);
    return {
      identity: roleKey(fn.role),
      description: `Lambda function ${fn.functionName} (execution role)`,
      allowedAsns: [NETWORKS.awsUse1LambdaA.asn],
      allowedActions: [...actions].sort(),
      userAgentPatterns: [fn.sdk === 'v3' ? 'aws-sdk-js/*' : 'aws-sdk-nodejs/*'],
      rateEnvelope: { maxPerMinute: perMinute(peak), maxPerHour: perHour(peak) },
      allowedCredentialKinds: ['session-key'],
    };
  });
  return [
    ...lambdaContracts,
    {
      identity: roleKey(fleet.roles.reportsWriter),
      description: 'Cross-account writer assumed hourly by report-exporter',
      allowedAsns: [NETWORKS.awsUse1LambdaA.asn],
      allowedActions: ['s3:PutObject'],
      userAgentPatterns: ['aws-sdk-js/*'],
      rateEnvelope: { maxPerMinute: 10, maxPerHour: 20 },
      allowedCredentialKinds: ['session-key'],
    },
    {
      identity: roleKey(fleet.roles.ingestWorker),
      description: 'EC2 ingest workers (instance profile, eu-central-1)',
      allowedAsns: [NETWORKS.awsEuc1Ec2.asn],
      allowedNetworks: fleet.ec2Instances.map((instance) => host(instance.elasticIp)),
      allowedActions: [
        's3:GetObject',
        's3:PutObject',
        'sqs:DeleteMessage',
        'sqs:ReceiveMessage',
        'ssm:GetParameter',
      ],
      userAgentPatterns: ['Boto3/*', 'aws-cli/2.*'],
      rateEnvelope: { maxPerMinute: perMinute(30), maxPerHour: perHour(30) },
      allowedCredentialKinds: ['session-key'],
    },
    {
      identity: roleKey(fleet.roles.nightlyEtl),
      description: 'Nightly ETL Fargate task, 02:00–03:00 UTC',
      allowedAsns: [NETWORKS.awsUse1Fargate.asn],
      allowedActions: [
        'athena:*',
        'dynamodb:BatchWriteItem',
        'glue:GetPartitions',
        'glue:GetTable',
        's3:GetObject',
        's3:PutObject',
      ],
      userAgentPatterns: ['Boto3/*exec-env/AWS_ECS_FARGATE*'],
      rateEnvelope: { maxPerMinute: Math.ceil(120 * scale) + 40, maxPerHour: perHour(1_600) },
      activeHoursUtc: { start: 2, end: 3 },
      allowedCredentialKinds: ['session-key'],
    },
    {
      identity: roleKey(fleet.roles.ghaDeployer),
      description: `GitHub Actions deployments of ${fleet.github.org} (OIDC); calls CloudFormation makes with the session (invokedBy) come from the service, not the runner`,
      allowedAsns: [NETWORKS.azureUsA.asn],
      allowedActions: [
        'cloudformation:*',
        'dynamodb:DeleteItem',
        'dynamodb:DescribeTable',
        'dynamodb:PutItem',
        'iam:Get*',
        'iam:List*',
        'lambda:Get*',
        'lambda:List*',
        'lambda:Update*',
        's3:*',
        'sqs:GetQueueAttributes',
        'sts:AssumeRoleWithWebIdentity',
        'sts:GetCallerIdentity',
      ],
      userAgentPatterns: [
        'aws-sdk-js/*configure-aws-credentials-for-github-actions',
        'aws-cli/2.*',
        'APN/1.0 HashiCorp/1.0 Terraform/*',
        'cloudformation.amazonaws.com',
      ],
      rateEnvelope: { maxPerMinute: 400, maxPerHour: 3_000 },
      activeHoursUtc: { start: 6, end: 19 },
      allowedCredentialKinds: ['session-key', 'bearer-token'],
    },
    {
      identity: userKeyOf(fleet.users.erpKey1),
      description: 'On-premises ERP connector (IAM user, long-lived key by design until IAM Roles Anywhere)',
      allowedAsns: [NETWORKS.telekomBusinessDe.asn],
      allowedNetworks: fleet.onPrem.erpNatIps.map(host),
      allowedActions: ['s3:GetObject', 's3:ListObjects', 's3:PutObject', 'sqs:SendMessage'],
      userAgentPatterns: ['aws-sdk-java/1.*'],
      rateEnvelope: { maxPerMinute: 30, maxPerHour: 250 },
      activeHoursUtc: { start: 5, end: 21 },
      allowedCredentialKinds: ['long-lived-key'],
    },
    {
      identity: userKeyOf(fleet.users.dataSync),
      description: 'Retired nightly data-sync job (kept for the archive)',
      allowedNetworks: [host(fleet.onPrem.dataSyncHost)],
      allowedActions: ['s3:ListObjects', 's3:PutObject'],
      userAgentPatterns: ['aws-cli/1.*'],
      activeHoursUtc: { start: 3, end: 4 },
      allowedCredentialKinds: ['long-lived-key'],
    },
    {
      identity: identityKeyHint({
        kind: 'api-client',
        apiId: fleet.apis.orders.apiId,
        issuerOrAuthType: fleet.partner.issuer,
        id: fleet.partner.clientId,
      }),
      description: 'Partner order integration (OAuth client credentials)',
      allowedAsns: [NETWORKS.googleCloudBe.asn],
      allowedNetworks: fleet.partner.natIps.map(host),
      allowedActions: ['GET /orders/*', 'POST /orders'],
      allowedScopes: fleet.partner.scope.split(' '),
      userAgentPatterns: ['Apache-HttpClient/*'],
      rateEnvelope: { maxPerMinute: perMinute(90), maxPerHour: perHour(90) },
      activeHoursUtc: { start: PARTNER_HOURS.start, end: PARTNER_HOURS.end },
      allowedCredentialKinds: ['bearer-token'],
    },
    {
      identity: identityKeyHint({
        kind: 'api-client',
        apiId: fleet.apis.orders.apiId,
        issuerOrAuthType: 'api-key',
        id: fleet.storefront.apiKeyId,
      }),
      description: 'Storefront backend reading the catalog (API key)',
      allowedAsns: [NETWORKS.hetznerDe.asn],
      allowedNetworks: fleet.storefront.hosts.map(host),
      allowedActions: ['GET /catalog/*'],
      userAgentPatterns: ['axios/*'],
      rateEnvelope: { maxPerMinute: perMinute(80), maxPerHour: perHour(80) },
      allowedCredentialKinds: ['api-key'],
    },
    {
      identity: identityKeyHint({
        kind: 'api-client',
        apiId: fleet.apis.orders.apiId,
        issuerOrAuthType: 'api-key',
        id: fleet.legacyMobile.apiKeyId,
      }),
      description: 'Retired mobile app backend (API key no longer expected in use)',
      allowedNetworks: [host(fleet.legacyMobile.host)],
      allowedActions: ['GET /catalog/*'],
      userAgentPatterns: ['okhttp/*'],
      allowedCredentialKinds: ['api-key'],
    },
    {
      identity: identityKeyHint({
        kind: 'api-client',
        apiId: fleet.apis.ingest.apiId,
        issuerOrAuthType: 'mtls',
        id: '*',
      }),
      description: 'Factory gateways uploading telemetry (mutual TLS)',
      allowedAsns: [NETWORKS.vodafoneDe.asn],
      allowedActions: ['POST /v1/telemetry'],
      userAgentPatterns: ['plantlink-agent/*'],
      rateEnvelope: { maxPerMinute: 10, maxPerHour: perHour(20) },
      allowedCredentialKinds: ['mtls-certificate'],
    },
    {
      identity: identityKeyHint({
        kind: 'api-client',
        apiId: fleet.apis.ingest.apiId,
        issuerOrAuthType: 'iam',
        id: roleArn(fleet.roles.inventorySync),
      }),
      description: 'Partner-account inventory sync (SigV4, every ten minutes)',
      allowedAsns: [NETWORKS.awsEuw1Lambda.asn],
      allowedActions: ['GET /items', 'GET /items/*', 'PUT /items/*'],
      userAgentPatterns: ['python-requests/*'],
      rateEnvelope: { maxPerMinute: perMinute(60), maxPerHour: perHour(40) },
      allowedCredentialKinds: ['sigv4'],
    },
  ];
};
