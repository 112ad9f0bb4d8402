/**
 * Attack episode `etl-container-permission-enumeration` — access-denied-burst: Permission
 * enumeration from a compromised ETL container (T1580, T1087.004).
 */
import { emitCall } from '../benign/cloudtrail-calls.js';
import type { Resources } from '../cloudtrail-builder.js';
import { ACCOUNTS, REGION, roleKey } from '../fleet.js';
import { FARGATE_BOTO3 } from '../user-agents.js';
import { denial, type EpisodeDef } from './episode.js';

const ENUMERATION_ACTIONS = [
  'iam:ListUsers',
  'iam:ListRoles',
  'iam:ListPolicies',
  'iam:ListGroups',
  'iam:GetAccountSummary',
  'iam:GetAccountAuthorizationDetails',
  'iam:ListAccessKeys',
  'iam:ListMFADevices',
  'iam:ListInstanceProfiles',
  'iam:GetAccountPasswordPolicy',
  'ec2:DescribeInstances',
  'ec2:DescribeVpcs',
  'ec2:DescribeSecurityGroups',
  'ec2:DescribeSubnets',
  'ec2:DescribeSnapshots',
  'ec2:DescribeVolumes',
  'ec2:DescribeKeyPairs',
  'lambda:ListFunctions20150331',
  'lambda:ListLayers20181031',
  'lambda:GetAccountSettings20160819',
  'secretsmanager:ListSecrets',
  'ssm:DescribeParameters',
  'ssm:DescribeInstanceInformation',
  'kms:ListKeys',
  'kms:ListAliases',
  'rds:DescribeDBInstances',
  'rds:DescribeDBClusters',
  'rds:DescribeDBSnapshots',
  'dynamodb:ListTables',
  'dynamodb:DescribeLimits',
  'sns:ListTopics',
  'sns:ListSubscriptions',
  'sqs:ListQueues',
  'cloudtrail:DescribeTrails',
  'cloudtrail:LookupEvents',
  'organizations:DescribeOrganization',
  'organizations:ListAccounts',
  'logs:DescribeLogGroups',
  'ecr:DescribeRepositories',
  'ecs:ListClusters',
  'eks:ListClusters',
  'route53:ListHostedZones',
  'guardduty:ListDetectors',
  'cloudformation:ListStacks',
  'elasticloadbalancing:DescribeLoadBalancers',
] as const;

export const etlEnumerateIam: EpisodeDef = {
  slug: 'etl-container-permission-enumeration',
  window: 'etlRun',
  run: (episode) => {
    const { ctx, rng } = episode;
    const run = ctx.state.etlRuns.find(
      (candidate) => candidate.fromMs <= episode.atMs && episode.atMs < candidate.toMs,
    );
    if (!run) return;
    const label = episode.label(
      'access-denied-burst',
      'Permission enumeration from a compromised ETL container (T1580, T1087.004)',
      roleKey(run.session.role),
    );
    const resources: Resources = { accountId: ACCOUNTS.workload };
    const actions = rng.shuffle(ENUMERATION_ACTIONS).slice(0, rng.int(30, ENUMERATION_ACTIONS.length));
    let t = episode.atMs;
    emitCall(
      ctx,
      rng,
      {
        timeMs: t,
        actor: run.session,
        action: 'sts:GetCallerIdentity',
        region: REGION,
        sourceIp: run.ip,
        userAgent: FARGATE_BOTO3,
        resources,
      },
      label,
    );
    for (const action of actions) {
      t += rng.int(150, 2_500);
      const resourceArn = action.startsWith('iam:') ? `arn:aws:iam::${ACCOUNTS.workload}:*` : '*';
      emitCall(
        ctx,
        rng,
        {
          timeMs: t,
          actor: run.session,
          action,
          region: REGION,
          sourceIp: run.ip,
          userAgent: FARGATE_BOTO3,
          resources,
          requestParameters: null,
          error: denial(run.session, action.replace(/\d{8}$/, ''), resourceArn),
        },
        label,
      );
    }
  },
};
