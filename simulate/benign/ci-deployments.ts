/**
 * Benign CloudTrail traffic of GitHub Actions deployments through the CI role (OIDC web identity).
 */
import {
  assumeRolePayload,
  newRoleSession,
  roleArn,
  type CallSpec,
  type RoleSession,
} from '../cloudtrail-builder.js';
import { DAY_MS, HOUR_MS, isWeekend, MINUTE_MS, sortedTimes, type GenContext } from '../context.js';
import { REGION } from '../fleet.js';
import { randomHost } from '../networks.js';
import type { Rng } from '../prng.js';
import type { LabelSpec } from '../sink.js';
import { GHA_CONFIGURE_CREDENTIALS, ghaAwsCli, ghaTerraform } from '../user-agents.js';
import { emitCall } from './cloudtrail-calls.js';
import { BENIGN_FEATURE_ROLLOUT } from './feature-rollout.js';

/** Repositories that deploy with the CI role, and how often each pushes. */
const CI_REPOS: readonly (readonly [string, number])[] = [
  ['orders-service', 65],
  ['platform-infra', 35],
];

/** One GitHub Actions deployment run; returns the session it used. */
export const runCiDeployment = (
  ctx: GenContext,
  rng: Rng,
  startMs: number,
  repo: string,
  ip: string,
  label?: LabelSpec,
): { session: RoleSession; endMs: number } => {
  const fleet = ctx.fleet;
  const role = fleet.roles.ghaDeployer;
  const resources = fleet.ciResources;
  const subject = `repo:${fleet.github.org}/${repo}:ref:refs/heads/main`;
  const session = newRoleSession(rng, role, 'GitHubActions', startMs, {
    webIdentityProvider: fleet.github.providerArn,
  });
  const payload = assumeRolePayload(session, 3600);
  emitCall(
    ctx,
    rng,
    {
      timeMs: startMs,
      actor: {
        kind: 'web-identity',
        providerArn: fleet.github.providerArn,
        subject,
        audience: 'sts.amazonaws.com',
      },
      action: 'sts:AssumeRoleWithWebIdentity',
      region: REGION,
      sourceIp: ip,
      userAgent: GHA_CONFIGURE_CREDENTIALS,
      resources,
      requestParameters: { roleArn: roleArn(role), roleSessionName: 'GitHubActions', durationSeconds: 3600 },
      responseElements: {
        ...payload.responseElements,
        subjectFromWebIdentityToken: subject,
        provider: fleet.github.providerArn,
        audience: 'sts.amazonaws.com',
      },
      eventResources: payload.eventResources,
    },
    label,
  );
  let t = startMs + rng.int(800, 2_500);
  const call = (
    action: string,
    userAgent: string,
    extra: Partial<CallSpec> = {},
    gapMs: readonly [number, number] = [150, 1_500],
  ): void => {
    emitCall(
      ctx,
      rng,
      { timeMs: t, actor: session, action, region: REGION, sourceIp: ip, userAgent, resources, ...extra },
      label,
    );
    t += rng.int(gapMs[0], gapMs[1]);
  };
  call('sts:GetCallerIdentity', GHA_CONFIGURE_CREDENTIALS);
  if (label) return { session, endMs: t };
  t += rng.int(20_000, 90_000);
  if (repo === 'orders-service') {
    const artifacts = resources.buckets?.[0] ?? 'cfn-artifacts';
    const pkg = ghaAwsCli('cloudformation.package');
    const uploads = rng.int(1, 3);
    for (let index = 0; index < uploads; index += 1) {
      const key = `${rng.hex(32)}`;
      const request = { bucketName: artifacts, Host: `${artifacts}.s3.${REGION}.amazonaws.com`, key };
      call('s3:HeadObject', pkg, {
        requestParameters: request,
        error: { code: 'NoSuchKey', message: 'The specified key does not exist.' },
      });
      call('s3:PutObject', pkg, { requestParameters: request });
    }
    const deploy = ghaAwsCli('cloudformation.deploy');
    call('cloudformation:DescribeStacks', deploy);
    call('cloudformation:CreateChangeSet', deploy);
    const describes = rng.int(2, 5);
    for (let index = 0; index < describes; index += 1)
      call('cloudformation:DescribeChangeSet', deploy, {}, [4_500, 5_500]);
    if (rng.chance(0.75)) {
      call('cloudformation:ExecuteChangeSet', deploy);
      const cfn = {
        sourceIp: 'cloudformation.amazonaws.com',
        userAgent: 'cloudformation.amazonaws.com',
        invokedBy: 'cloudformation.amazonaws.com',
      } as const;
      const polls = rng.int(6, 18);
      const updates = rng.int(1, 3);
      for (let index = 0; index < polls; index += 1) {
        call('cloudformation:DescribeStacks', deploy, {}, [300, 1_200]);
        if (index < updates) {
          emitCall(ctx, rng, {
            timeMs: t,
            actor: session,
            action: 'lambda:UpdateFunctionCode20150331v2',
            region: REGION,
            resources,
            ...cfn,
          });
          emitCall(ctx, rng, {
            timeMs: t + rng.int(200, 900),
            actor: session,
            action: 'lambda:GetFunction20150331v2',
            region: REGION,
            resources,
            ...cfn,
          });
          if (rng.chance(0.3)) {
            emitCall(ctx, rng, {
              timeMs: t + rng.int(1_000, 2_000),
              actor: session,
              action: 'lambda:UpdateFunctionConfiguration20150331v2',
              region: REGION,
              resources,
              ...cfn,
            });
          }
          if (index === 0)
            emitCall(ctx, rng, {
              timeMs: t + rng.int(100, 600),
              actor: session,
              action: 'iam:GetRole',
              region: REGION,
              resources,
              ...cfn,
            });
        }
        t += rng.int(3_500, 4_500);
      }
      call('cloudformation:DescribeStackEvents', deploy);
    }
    const sync = ghaAwsCli('s3.sync');
    const assets = resources.buckets?.[1] ?? 'web-assets';
    const assetRequest = (): Record<string, unknown> => ({
      bucketName: assets,
      Host: `${assets}.s3.${REGION}.amazonaws.com`,
      key: `static/${rng.hex(8)}.${rng.pick(['js', 'css', 'svg', 'json'])}`,
    });
    call('s3:ListObjects', sync, {
      requestParameters: {
        bucketName: assets,
        Host: `${assets}.s3.${REGION}.amazonaws.com`,
        prefix: '',
        'list-type': '2',
      },
    });
    const files = rng.int(2, 20);
    for (let index = 0; index < files; index += 1)
      call('s3:PutObject', sync, { requestParameters: assetRequest() }, [30, 400]);
  } else {
    const state = resources.buckets?.[2] ?? 'tfstate';
    const stateRequest = {
      bucketName: state,
      Host: `${state}.s3.${REGION}.amazonaws.com`,
      key: 'platform/terraform.tfstate',
    };
    const lock = { tableName: 'terraform-locks', key: { LockID: 'HIDDEN_DUE_TO_SECURITY_REASONS' } };
    call('s3:GetObject', ghaTerraform('s3'), { requestParameters: stateRequest });
    call('dynamodb:PutItem', ghaTerraform('dynamodb'), { requestParameters: lock });
    const fast: readonly [number, number] = [20, 300];
    for (const roleName of resources.roleNames ?? []) {
      const request = { roleName };
      call('iam:GetRole', ghaTerraform('iam'), { requestParameters: request }, fast);
      call('iam:ListRolePolicies', ghaTerraform('iam'), { requestParameters: request }, fast);
      call('iam:ListAttachedRolePolicies', ghaTerraform('iam'), { requestParameters: request }, fast);
    }
    (resources.buckets ?? []).forEach((bucket, index) => {
      const request = (suffix: string): Record<string, unknown> => ({
        bucketName: bucket,
        Host: `${bucket}.s3.${REGION}.amazonaws.com`,
        [suffix]: '',
      });
      call(
        's3:GetBucketPolicy',
        ghaTerraform('s3'),
        {
          requestParameters: request('policy'),
          ...(index % 2 === 1
            ? { error: { code: 'NoSuchBucketPolicy', message: 'The bucket policy does not exist' } }
            : {}),
        },
        fast,
      );
      call('s3:GetBucketVersioning', ghaTerraform('s3'), { requestParameters: request('versioning') }, fast);
      call('s3:GetBucketAcl', ghaTerraform('s3'), { requestParameters: request('acl') }, fast);
      call(
        's3:GetBucketTagging',
        ghaTerraform('s3'),
        {
          requestParameters: request('tagging'),
          ...(index === 0 ? { error: { code: 'NoSuchTagSet', message: 'The TagSet does not exist' } } : {}),
        },
        fast,
      );
    });
    for (const table of resources.tables ?? [])
      call(
        'dynamodb:DescribeTable',
        ghaTerraform('dynamodb'),
        { requestParameters: { tableName: table } },
        fast,
      );
    call('sqs:GetQueueAttributes', ghaTerraform('sqs'), {}, fast);
    for (const functionName of resources.functionNames ?? []) {
      call(
        'lambda:GetFunction20150331v2',
        ghaTerraform('lambda'),
        { requestParameters: { functionName } },
        fast,
      );
      call(
        'lambda:ListVersionsByFunction20150331',
        ghaTerraform('lambda'),
        { requestParameters: { functionName } },
        fast,
      );
    }
    if (rng.chance(0.3)) {
      call('lambda:UpdateFunctionConfiguration20150331v2', ghaTerraform('lambda'));
      call('s3:PutObject', ghaTerraform('s3'), { requestParameters: stateRequest });
    }
    call('dynamodb:DeleteItem', ghaTerraform('dynamodb'), { requestParameters: lock });
  }
  return { session, endMs: t };
};

export const generateCi = (ctx: GenContext): void => {
  const rng = ctx.rng.fork('ci');
  for (let day = 0; day < ctx.days; day += 1) {
    const dayStart = ctx.startMs + day * DAY_MS;
    const weekend = isWeekend(dayStart);
    const pushes = rng.poisson((weekend ? 0.5 : 5.5) * Math.max(0.3, ctx.scale));
    const starts = sortedTimes(
      rng,
      pushes,
      dayStart + 7 * HOUR_MS,
      dayStart + 17 * HOUR_MS + 30 * MINUTE_MS,
    ).map((t) => ({ t, repo: rng.weighted(CI_REPOS) }));
    if (day === ctx.learningDays + BENIGN_FEATURE_ROLLOUT.dayAfterLearning) {
      // The deploy that ships the feature rollout (see generateFeatureRollout).
      starts.push({
        t: dayStart + BENIGN_FEATURE_ROLLOUT.hourUtc * HOUR_MS + rng.int(5, 20) * MINUTE_MS,
        repo: 'orders-service',
      });
      starts.sort((left, right) => left.t - right.t);
    }
    for (const { t: start, repo } of starts) {
      const ip = randomHost(rng, rng.pick(ctx.fleet.runnerNetworks));
      const { endMs } = runCiDeployment(ctx, rng, start, repo, ip);
      ctx.state.ciRuns.push({ startMs: start, endMs, ip });
    }
  }
};
