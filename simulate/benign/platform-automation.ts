/**
 * Benign traffic real accounts are full of and detectors trip over: an admin pipeline changing IAM
 * every day (roles, policies, access-key rotation), Terraform applying across many services, AWS
 * Config and IAM Access Analyzer sweeping every resource through their service-linked roles, a
 * container job reading every secret it needs at start-up, and a workload that first appears in the
 * middle of the run (a new Lambda function with its own new role). None of it is labelled: a finding
 * on it is a false finding.
 *
 * Each generator draws from its own random stream, so adding them leaves the rest of a seed's
 * traffic (and its attacks) unchanged.
 */
import { assumeRolePayload, newRoleSession, type Resources, type RoleDef } from '../cloudtrail-builder.js';
import { DAY_MS, HOUR_MS, isWeekend, MINUTE_MS, sortedTimes, type GenContext } from '../context.js';
import { ACCOUNTS, REGION, type LambdaFunctionDef } from '../fleet.js';
import { hostInSubnet, NETWORKS, randomHost, randomSubnet24 } from '../networks.js';
import type { Rng } from '../prng.js';
import { FARGATE_BOTO3, GHA_CONFIGURE_CREDENTIALS, ghaTerraform } from '../user-agents.js';
import { emitCall, emitServiceAssumeRole } from './cloudtrail-calls.js';
import { generateLambdaFunction } from './lambda-functions.js';

const platformRole = (rng: Rng, name: string): RoleDef => ({
  accountId: ACCOUNTS.workload,
  name,
  roleId: `AROA${rng.base32(17)}`,
});

/** CodeBuild's boto3 (the admin pipeline runs as a CodeBuild project). */
const CODEBUILD_BOTO3 =
  'Boto3/1.35.36 md/Botocore#1.35.36 ua/2.0 os/linux#5.10.227-219.884.amzn2.x86_64 md/arch#x86_64 lang/python#3.12.6 md/pyimpl#CPython exec-env/AWS_CodeBuild cfg/retry-mode#standard Botocore/1.35.36';

/** The service users whose keys the admin pipeline rotates. */
const ROTATED_USERS = ['svc-reporting-export', 'svc-legacy-sftp', 'svc-vendor-billing'] as const;

/**
 * An IAM admin pipeline (a CodeBuild project in the workload account, AWS addresses) that reconciles
 * IAM from a repository every night: reads the whole account's IAM, creates and updates roles and
 * policies, and rotates the access keys of a few service users.
 */
const generateIamPipeline = (ctx: GenContext): void => {
  const rng = ctx.rng.fork('platform/iam-pipeline');
  const role = platformRole(rng, 'iam-reconciler-codebuild');
  const roleNames = [
    'orders-api-handler-role',
    'report-exporter-role',
    'ingest-worker-ec2',
    'nightly-etl-task',
  ];
  const resources: Resources = { accountId: ACCOUNTS.workload, roleNames, userNames: [...ROTATED_USERS] };
  for (let day = 0; day < ctx.days; day += 1) {
    const start = ctx.startMs + day * DAY_MS + 2 * HOUR_MS + rng.int(0, 40) * MINUTE_MS;
    if (start >= ctx.endMs) break;
    const session = newRoleSession(rng, role, `AWSCodeBuild-${rng.uuid()}`, start);
    emitServiceAssumeRole(ctx, rng, 'codebuild.amazonaws.com', session, REGION, 3600);
    const ip = hostInSubnet(rng, randomSubnet24(rng, NETWORKS.awsUse1LambdaA));
    let t = start + rng.int(5_000, 30_000);
    const call = (action: string, requestParameters?: Record<string, unknown>): void => {
      emitCall(ctx, rng, {
        timeMs: t,
        actor: session,
        action,
        region: REGION,
        sourceIp: ip,
        userAgent: CODEBUILD_BOTO3,
        resources,
        ...(requestParameters === undefined ? {} : { requestParameters }),
      });
      t += rng.int(80, 900);
    };
    call('sts:GetCallerIdentity');
    call('iam:GetAccountAuthorizationDetails');
    call('iam:ListRoles');
    call('iam:ListPolicies');
    for (const roleName of roleNames) {
      call('iam:GetRole', { roleName });
      call('iam:ListRolePolicies', { roleName });
      call('iam:ListAttachedRolePolicies', { roleName });
    }
    // What changed in the repository today: most nights a few role and policy updates.
    const changes = rng.int(1, 4);
    for (let index = 0; index < changes; index += 1) {
      const roleName = rng.pick(roleNames);
      const kind = rng.int(0, 3);
      if (kind === 0) call('iam:PutRolePolicy', { roleName, policyName: 'inline-app-access' });
      else if (kind === 1)
        call('iam:AttachRolePolicy', {
          roleName,
          policyArn: `arn:aws:iam::${ACCOUNTS.workload}:policy/app-read`,
        });
      else if (kind === 2) call('iam:TagRole', { roleName, tags: [{ key: 'owner', value: 'platform' }] });
      else call('iam:UpdateAssumeRolePolicy', { roleName });
    }
    if (rng.chance(0.6)) {
      call('iam:CreatePolicyVersion', {
        policyArn: `arn:aws:iam::${ACCOUNTS.workload}:policy/app-read`,
        setAsDefault: true,
      });
      call('iam:DeletePolicyVersion', {
        policyArn: `arn:aws:iam::${ACCOUNTS.workload}:policy/app-read`,
        versionId: `v${rng.int(2, 40)}`,
      });
    }
    if (rng.chance(0.5)) {
      const roleName = `app-${rng.pick(['preview', 'canary', 'batch', 'qa'])}-${rng.hex(4)}`;
      call('iam:CreateRole', { roleName, path: '/apps/' });
      call('iam:AttachRolePolicy', {
        roleName,
        policyArn: `arn:aws:iam::${ACCOUNTS.workload}:policy/app-read`,
      });
    }
    // Key rotation: one service user a night, its new key created and the old one retired.
    const userName = ROTATED_USERS[day % ROTATED_USERS.length] as string;
    call('iam:ListAccessKeys', { userName });
    call('iam:CreateAccessKey', { userName });
    call('iam:UpdateAccessKey', { userName, accessKeyId: `AKIA${rng.base32(16)}`, status: 'Inactive' });
    call('iam:DeleteAccessKey', { userName, accessKeyId: `AKIA${rng.base32(16)}` });
  }
};

/** What Terraform manages in the platform stack, by provider service: actions an apply may call. */
const TERRAFORM_CHANGES: readonly (readonly [string, string, readonly string[]])[] = [
  [
    'ec2',
    'ec2',
    [
      'ec2:CreateSecurityGroup',
      'ec2:AuthorizeSecurityGroupIngress',
      'ec2:RevokeSecurityGroupIngress',
      'ec2:CreateTags',
      'ec2:DescribeSecurityGroups',
    ],
  ],
  [
    's3',
    's3',
    [
      's3:CreateBucket',
      's3:PutBucketPolicy',
      's3:PutEncryptionConfiguration',
      's3:PutBucketTagging',
      's3:PutBucketVersioning',
    ],
  ],
  [
    'iam',
    'iam',
    ['iam:CreateRole', 'iam:PutRolePolicy', 'iam:AttachRolePolicy', 'iam:TagRole', 'iam:GetRole'],
  ],
  [
    'lambda',
    'lambda',
    [
      'lambda:CreateFunction20150331',
      'lambda:UpdateFunctionConfiguration20150331v2',
      'lambda:AddPermission20150331v2',
      'lambda:TagResource20170331v2',
    ],
  ],
  [
    'kms',
    'kms',
    ['kms:CreateKey', 'kms:PutKeyPolicy', 'kms:EnableKeyRotation', 'kms:CreateAlias', 'kms:DescribeKey'],
  ],
  ['logs', 'cloudwatch logs', ['logs:CreateLogGroup', 'logs:PutRetentionPolicy', 'logs:TagResource']],
  ['events', 'eventbridge', ['events:PutRule', 'events:PutTargets', 'events:DescribeRule']],
  ['sqs', 'sqs', ['sqs:CreateQueue', 'sqs:SetQueueAttributes', 'sqs:GetQueueAttributes']],
  [
    'dynamodb',
    'dynamodb',
    ['dynamodb:CreateTable', 'dynamodb:UpdateTimeToLive', 'dynamodb:DescribeTable', 'dynamodb:TagResource'],
  ],
];

/**
 * Terraform applying the platform stack from GitHub Actions (its own OIDC role, rotating runner
 * addresses): on workdays, an apply touches a few of the services it manages, each with the
 * provider's create / update calls.
 */
const generateTerraformApply = (ctx: GenContext): void => {
  const rng = ctx.rng.fork('platform/terraform-apply');
  const role = platformRole(rng, 'terraform-apply');
  const providerArn = `arn:aws:iam::${ACCOUNTS.workload}:oidc-provider/token.actions.githubusercontent.com`;
  const subject = 'repo:example-corp/platform-infra:environment:production';
  const resources: Resources = {
    accountId: ACCOUNTS.workload,
    buckets: ['platform-tfstate', 'platform-artifacts'],
    tables: ['terraform-locks'],
    roleNames: ['platform-lambda-exec', 'platform-ecs-task'],
    functionNames: ['platform-log-shipper'],
  };
  for (let day = 0; day < ctx.days; day += 1) {
    const dayStart = ctx.startMs + day * DAY_MS;
    if (isWeekend(dayStart)) continue;
    const applies = rng.int(1, 3);
    for (const start of sortedTimes(rng, applies, dayStart + 8 * HOUR_MS, dayStart + 17 * HOUR_MS)) {
      if (start >= ctx.endMs) break;
      const ip = randomHost(rng, rng.pick(ctx.fleet.runnerNetworks));
      const session = newRoleSession(rng, role, 'GitHubActions', start, { webIdentityProvider: providerArn });
      const payload = assumeRolePayload(session, 3600);
      emitCall(ctx, rng, {
        timeMs: start,
        actor: { kind: 'web-identity', providerArn, subject, audience: 'sts.amazonaws.com' },
        action: 'sts:AssumeRoleWithWebIdentity',
        region: REGION,
        sourceIp: ip,
        userAgent: GHA_CONFIGURE_CREDENTIALS,
        resources,
        requestParameters: {
          roleArn: `arn:aws:iam::${ACCOUNTS.workload}:role/terraform-apply`,
          roleSessionName: 'GitHubActions',
          durationSeconds: 3600,
        },
        responseElements: {
          ...payload.responseElements,
          subjectFromWebIdentityToken: subject,
          provider: providerArn,
          audience: 'sts.amazonaws.com',
        },
        eventResources: payload.eventResources,
      });
      let t = start + rng.int(20_000, 60_000);
      const call = (action: string, service: string): void => {
        emitCall(ctx, rng, {
          timeMs: t,
          actor: session,
          action,
          region: REGION,
          sourceIp: ip,
          userAgent: ghaTerraform(service),
          resources,
        });
        t += rng.int(50, 1_200);
      };
      call('sts:GetCallerIdentity', 'sts');
      call('s3:GetObject', 's3');
      call('dynamodb:PutItem', 'dynamodb');
      // Refresh: every managed service is read; then the apply changes a few of them.
      for (const [, service, actions] of TERRAFORM_CHANGES) {
        const reads = actions.filter((a) => /:(Describe|Get)/.test(a));
        for (const a of reads) call(a, service);
      }
      const touched = rng.shuffle([...TERRAFORM_CHANGES]).slice(0, rng.int(2, 5));
      for (const [, service, actions] of touched) {
        for (const a of actions) if (!/:(Describe|Get)/.test(a) && rng.chance(0.7)) call(a, service);
      }
      call('s3:PutObject', 's3');
      call('dynamodb:DeleteItem', 'dynamodb');
    }
  }
};

/** What a configuration recorder / policy analyser reads, per resource type. */
const CONFIG_SWEEP: readonly string[] = [
  'ec2:DescribeInstances',
  'ec2:DescribeSecurityGroups',
  'ec2:DescribeVpcs',
  'ec2:DescribeSubnets',
  'ec2:DescribeNetworkInterfaces',
  'ec2:DescribeVolumes',
  'iam:GetAccountAuthorizationDetails',
  'iam:ListRoles',
  'iam:ListUsers',
  'iam:GetRole',
  'iam:ListAttachedRolePolicies',
  's3:ListBuckets',
  's3:GetBucketPolicy',
  's3:GetBucketAcl',
  's3:GetEncryptionConfiguration',
  's3:GetBucketPublicAccessBlock',
  'lambda:ListFunctions20150331',
  'lambda:GetPolicy20150331v2',
  'kms:ListKeys',
  'kms:DescribeKey',
  'kms:GetKeyPolicy',
  'dynamodb:ListTables',
  'dynamodb:DescribeTable',
  'sqs:ListQueues',
  'sqs:GetQueueAttributes',
  'secretsmanager:ListSecrets',
  'rds:DescribeDBInstances',
  'cloudtrail:DescribeTrails',
  'cloudtrail:GetEventSelectors',
];

const ACCESS_ANALYZER_SWEEP: readonly string[] = [
  's3:GetBucketPolicy',
  's3:GetBucketAcl',
  's3:GetBucketPolicyStatus',
  'kms:GetKeyPolicy',
  'kms:ListGrants',
  'iam:GetRole',
  'iam:ListRoles',
  'lambda:GetPolicy20150331v2',
  'sqs:GetQueueAttributes',
  'secretsmanager:GetResourcePolicy',
  'secretsmanager:ListSecrets',
];

/**
 * AWS Config's recorder and IAM Access Analyzer reading every resource through their service-linked
 * roles, from the services' own names (not addresses): Config every six hours, Access Analyzer once
 * a day. Config is refused the audit-log bucket's policy on every sweep, as in real accounts.
 */
const generateServiceSweeps = (ctx: GenContext): void => {
  const rng = ctx.rng.fork('platform/service-sweeps');
  const sweeps: readonly (readonly [string, string, readonly string[], number])[] = [
    ['AWSServiceRoleForConfig', 'config.amazonaws.com', CONFIG_SWEEP, 6],
    ['AWSServiceRoleForAccessAnalyzer', 'access-analyzer.amazonaws.com', ACCESS_ANALYZER_SWEEP, 24],
  ];
  for (const [roleName, service, actions, everyHours] of sweeps) {
    const role = platformRole(rng, roleName);
    const resources: Resources = {
      accountId: ACCOUNTS.workload,
      buckets: ['orders-exports', 'web-assets', 'cfn-artifacts', 'platform-tfstate'],
      roleNames: ['orders-api-handler-role', 'ingest-worker-ec2', 'gha-deployer'],
      tables: ['orders', 'inventory'],
    };
    for (
      let start = ctx.startMs + rng.int(0, everyHours * 60) * MINUTE_MS;
      start < ctx.endMs;
      start += everyHours * HOUR_MS + rng.int(-20, 20) * MINUTE_MS
    ) {
      const session = newRoleSession(rng, role, rng.int(1e9, 9e9).toString(), start);
      emitServiceAssumeRole(ctx, rng, service, session, REGION, 3600);
      let t = start + rng.int(1_000, 10_000);
      for (const action of actions) {
        const calls = action.includes(':List') ? 1 : rng.int(1, 4);
        for (let index = 0; index < calls; index += 1) {
          emitCall(ctx, rng, {
            timeMs: t,
            actor: session,
            action,
            region: REGION,
            sourceIp: service,
            userAgent: service,
            resources,
          });
          t += rng.int(40, 700);
        }
      }
      // The audit-log bucket's policy denies everyone but its owner: every Config sweep is refused
      // reading it, once, as in accounts with locked-down log buckets.
      if (service === 'config.amazonaws.com')
        emitCall(ctx, rng, {
          timeMs: t,
          actor: session,
          action: 's3:GetBucketPolicy',
          region: REGION,
          sourceIp: service,
          userAgent: service,
          resources,
          requestParameters: {
            bucketName: 'org-audit-logs',
            Host: 'org-audit-logs.s3.us-east-1.amazonaws.com',
            policy: '',
          },
          error: { code: 'AccessDenied', message: 'Access Denied' },
        });
    }
  }
};

/**
 * A payments worker on ECS Fargate: every task reads all the secrets it needs when it starts (a
 * couple of dozen distinct ones, within a minute), then consumes its queue. Tasks start at deploys
 * and scale-outs, a few times a day.
 */
const generateSecretsAtStartup = (ctx: GenContext): void => {
  const rng = ctx.rng.fork('platform/payments-worker');
  const role = platformRole(rng, 'payments-worker-task');
  const secretNames = Array.from(
    { length: 24 },
    (_, index) =>
      `prod/payments/${['psp', 'db', 'webhook', 'fx', 'ledger', 'fraud'][index % 6]}-${Math.floor(index / 6) + 1}`,
  );
  const resources: Resources = {
    accountId: ACCOUNTS.workload,
    secretNames,
    queueName: 'payments-events',
    tables: ['payments'],
    kmsKeyId: rng.uuid(),
  };
  for (let day = 0; day < ctx.days; day += 1) {
    const dayStart = ctx.startMs + day * DAY_MS;
    const starts = sortedTimes(rng, rng.int(2, 6), dayStart + 6 * HOUR_MS, dayStart + 20 * HOUR_MS);
    for (const start of starts) {
      if (start >= ctx.endMs) break;
      const session = newRoleSession(rng, role, rng.hex(32), start);
      emitServiceAssumeRole(ctx, rng, 'ecs-tasks.amazonaws.com', session, REGION, 21_600);
      const ip = hostInSubnet(rng, randomSubnet24(rng, NETWORKS.awsUse1LambdaB));
      let t = start + rng.int(2_000, 8_000);
      const call = (action: string, requestParameters?: Record<string, unknown>): void => {
        emitCall(ctx, rng, {
          timeMs: t,
          actor: session,
          action,
          region: REGION,
          sourceIp: ip,
          userAgent: FARGATE_BOTO3,
          resources,
          ...(requestParameters === undefined ? {} : { requestParameters }),
        });
      };
      for (const secretId of rng.shuffle([...secretNames])) {
        call('secretsmanager:GetSecretValue', { secretId });
        t += rng.int(30, 600);
      }
      call('kms:Decrypt');
      // The task's work until it is replaced (a few hours): queue in, table out.
      const end = Math.min(ctx.endMs, start + rng.int(2, 5) * HOUR_MS);
      for (const at of sortedTimes(rng, rng.int(30, 90), t + 1_000, end)) {
        t = at;
        call('sqs:ReceiveMessage');
        call('dynamodb:PutItem');
        call('sqs:DeleteMessage');
      }
    }
  }
};

/**
 * A Lambda function deployed for the first time in the middle of the run, with a role nobody has
 * seen: every call of its first days is new for it, and only its peers and its account can judge it.
 */
const newLambdaFunction = (rng: Rng): LambdaFunctionDef => ({
  functionName: 'invoice-renderer',
  role: platformRole(rng, 'invoice-renderer-role'),
  basePerHour: 40,
  peakHourUtc: 14,
  diurnalAmplitude: 0.5,
  weekendFactor: 0.3,
  actions: [
    ['dynamodb:GetItem', 40],
    ['s3:PutObject', 25],
    ['s3:GetObject', 15],
    ['sqs:ReceiveMessage', 10],
    ['sqs:DeleteMessage', 10],
    ['kms:GenerateDataKey', 5],
  ],
  initActions: ['ssm:GetParameter'],
  resources: {
    accountId: ACCOUNTS.workload,
    tables: ['orders'],
    buckets: ['invoices-rendered'],
    queueName: 'invoice-requests',
    parameterNames: ['/invoice-renderer/template-version'],
  },
  sdk: 'v3',
});

const generateNewWorkload = (ctx: GenContext): void => {
  const rng = ctx.rng.fork('platform/new-workload');
  // Deployed two days after learning ends (or half-way through a short run).
  const startMs =
    ctx.startMs + Math.min(ctx.learningDays + 2, Math.floor(ctx.days / 2)) * DAY_MS + 10 * HOUR_MS;
  if (startMs >= ctx.endMs) return;
  generateLambdaFunction(
    { ...ctx, rng, startMs, days: Math.ceil((ctx.endMs - startMs) / DAY_MS) },
    newLambdaFunction(rng),
  );
};

/** Identities these generators add, for the simulation's meta. */
export const platformAutomationIdentities = (): { key: string; description: string }[] => [
  {
    key: 'aws:service:codebuild.amazonaws.com',
    description: 'CodeBuild assuming the IAM admin pipeline’s role',
  },
  { key: 'aws:service:config.amazonaws.com', description: 'AWS Config assuming its service-linked role' },
  {
    key: 'aws:service:access-analyzer.amazonaws.com',
    description: 'IAM Access Analyzer assuming its service-linked role',
  },
  {
    key: `aws:${ACCOUNTS.workload}:role/iam-reconciler-codebuild`,
    description: 'IAM admin pipeline (CodeBuild): changes IAM and rotates keys nightly',
  },
  {
    key: `aws:${ACCOUNTS.workload}:role/terraform-apply`,
    description: 'Terraform apply from GitHub Actions (OIDC): creates and updates resources across services',
  },
  {
    key: `aws:${ACCOUNTS.workload}:role/AWSServiceRoleForConfig`,
    description: 'AWS Config recorder sweeping every resource',
  },
  {
    key: `aws:${ACCOUNTS.workload}:role/AWSServiceRoleForAccessAnalyzer`,
    description: 'IAM Access Analyzer reading resource policies',
  },
  {
    key: `aws:${ACCOUNTS.workload}:role/payments-worker-task`,
    description: 'ECS task reading two dozen secrets at every start',
  },
  {
    key: `aws:${ACCOUNTS.workload}:role/invoice-renderer-role`,
    description: 'Lambda function first deployed mid-run',
  },
];

/** All the platform automation's benign traffic. */
export const generatePlatformAutomation = (ctx: GenContext): void => {
  generateIamPipeline(ctx);
  generateTerraformApply(ctx);
  generateServiceSweeps(ctx);
  generateSecretsAtStartup(ctx);
  generateNewWorkload(ctx);
};
