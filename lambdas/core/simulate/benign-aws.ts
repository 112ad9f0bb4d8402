/**
 * Benign CloudTrail traffic of the fleet: Lambda workloads with execution-environment credential
 * churn, EC2 instance-profile sessions refreshed through IMDS, a nightly Fargate ETL, GitHub OIDC
 * deployments, an on-premises ERP connector with a long-lived key (rotated once), and the history
 * of an identity that then goes dormant. Realistic noise (throttling, one-off denials, benign
 * errors) is included; unexplained novelty after the learning period is not.
 */
import {
  assumeRolePayload,
  cloudTrailRecord,
  newRoleSession,
  responseDate,
  roleArn,
  type Actor,
  type CallError,
  type CallSpec,
  type Resources,
  type RoleSession,
  type UserKey,
} from './cloudtrail-builder.js';
import {
  DAY_MS,
  diurnal,
  HOUR_MS,
  isWeekend,
  MINUTE_MS,
  sessionAt,
  sortedTimes,
  type GenContext,
  type TimedSession,
} from './context.js';
import { ACCOUNTS, EU_REGION, PARTNER_REGION, REGION, type LambdaFunctionDef } from './fleet.js';
import { hostInSubnet, NETWORKS, randomHost, randomSubnet24 } from './networks.js';
import type { Rng } from './prng.js';
import type { LabelSpec } from './sink.js';
import {
  CONSOLE_BROWSER,
  EC2_BOTO3,
  ec2AwsCli,
  ERP_JAVA_SDK,
  FARGATE_BOTO3,
  GHA_CONFIGURE_CREDENTIALS,
  ghaAwsCli,
  ghaTerraform,
  LAMBDA_NODE_SDK_V2,
  lambdaNodeSdk,
  LEGACY_AWS_CLI_V1,
} from './user-agents.js';

/** Emit one CloudTrail record. */
export const emitCall = (ctx: GenContext, rng: Rng, spec: CallSpec, label?: LabelSpec): void => {
  ctx.sink.cloudTrail(spec.timeMs, cloudTrailRecord(rng, spec), label);
};

/** The SDK v3 client name of an IAM action prefix. */
export const sdkServiceName = (action: string): string => {
  const prefix = action.slice(0, action.indexOf(':'));
  return prefix === 'events' ? 'eventbridge' : prefix;
};

/** User agent of a Lambda function's SDK for the given call. */
export const lambdaUserAgent = (fn: LambdaFunctionDef, action: string): string =>
  fn.sdk === 'v3' ? lambdaNodeSdk(sdkServiceName(action)) : LAMBDA_NODE_SDK_V2;

/** Mean hourly call count of a function at a time, before day noise. */
export const lambdaMeanPerHour = (fn: LambdaFunctionDef, timeMs: number, scale: number): number =>
  fn.basePerHour *
  diurnal(timeMs, fn.peakHourUtc, fn.diurnalAmplitude) *
  (isWeekend(timeMs) ? fn.weekendFactor : 1) *
  scale;

/** An AWS service assuming a workload role on its behalf (Lambda, EC2, ECS tasks). */
const emitServiceAssumeRole = (
  ctx: GenContext,
  rng: Rng,
  service: string,
  issued: RoleSession,
  region: string,
  durationSeconds: number,
): void => {
  const payload = assumeRolePayload(issued, durationSeconds);
  emitCall(ctx, rng, {
    timeMs: issued.creationMs,
    actor: { kind: 'aws-service', service },
    action: 'sts:AssumeRole',
    region,
    sourceIp: service,
    userAgent: service,
    resources: { accountId: issued.role.accountId },
    requestParameters: payload.requestParameters,
    responseElements: payload.responseElements,
    eventResources: payload.eventResources,
    recipientAccountId: issued.role.accountId,
  });
};

/** Per-day volume noise (log-normal, ~8 %), stable for a generator and day. */
const dayNoise = (rng: Rng): number => Math.exp(rng.normal(0, 0.08));

const forEachHour = (
  ctx: GenContext,
  visit: (hourStartMs: number, dayFactor: number) => void,
  noiseRng: Rng,
): void => {
  let factor = 1;
  for (let hourStart = ctx.startMs; hourStart < ctx.endMs; hourStart += HOUR_MS) {
    if ((hourStart - ctx.startMs) % DAY_MS === 0) factor = dayNoise(noiseRng);
    visit(hourStart, factor);
  }
};

const generateLambdaFunction = (ctx: GenContext, fn: LambdaFunctionDef): void => {
  const rng = ctx.rng.fork(`lambda/${fn.functionName}`);
  const noise = ctx.rng.fork(`lambda-noise/${fn.functionName}`);
  const envs: TimedSession[] = [];
  let active: TimedSession[] = [];
  ctx.state.lambdaEnvs.set(fn.functionName, envs);
  const spawn = (atMs: number): TimedSession => {
    const session = newRoleSession(rng, fn.role, fn.functionName, atMs);
    const env: TimedSession = {
      session,
      ip: hostInSubnet(rng, randomSubnet24(rng, rng.pick(ctx.fleet.lambdaNetworks))),
      fromMs: atMs,
      toMs: atMs + Math.floor(rng.float(1.5, 5) * HOUR_MS),
    };
    emitServiceAssumeRole(ctx, rng, 'lambda.amazonaws.com', session, REGION, 43_200);
    let t = atMs + rng.int(150, 600);
    for (const action of fn.initActions) {
      emitCall(ctx, rng, {
        timeMs: t,
        actor: session,
        action,
        region: REGION,
        sourceIp: env.ip,
        userAgent: lambdaUserAgent(fn, action),
        resources: fn.resources,
      });
      t += rng.int(20, 250);
    }
    envs.push(env);
    active.push(env);
    return env;
  };
  forEachHour(
    ctx,
    (hourStart, factor) => {
      const lambda = lambdaMeanPerHour(fn, hourStart, ctx.scale) * factor;
      active = active.filter((env) => env.toMs > hourStart);
      const target = Math.min(6, Math.max(1, Math.ceil(lambda / 45)));
      while (active.length < target) spawn(hourStart + rng.int(0, 90_000));
      for (const t of sortedTimes(rng, rng.poisson(lambda), hourStart, hourStart + HOUR_MS)) {
        const env = sessionAt(rng, active, t) ?? spawn(t - rng.int(400, 2_000));
        const action = rng.weighted(fn.actions);
        const throttled =
          fn.throttle !== undefined && fn.throttle.action === action && rng.chance(fn.throttle.probability);
        emitCall(ctx, rng, {
          timeMs: t,
          actor: env.session,
          action,
          region: REGION,
          sourceIp: env.ip,
          userAgent: lambdaUserAgent(fn, action),
          resources: fn.resources,
          ...(throttled && fn.throttle
            ? { error: { code: fn.throttle.code, message: fn.throttle.message } }
            : {}),
        });
      }
    },
    noise,
  );
};

/** The benign new action: order-events-processor starts forwarding to its DLQ after a deploy. */
export const BENIGN_FEATURE_ROLLOUT = {
  functionName: 'order-events-processor',
  action: 'sqs:SendMessage',
  dayAfterLearning: 2,
  hourUtc: 10,
} as const;

const generateFeatureRollout = (ctx: GenContext): void => {
  const day = ctx.learningDays + BENIGN_FEATURE_ROLLOUT.dayAfterLearning;
  if (day >= ctx.days) return;
  const fn = ctx.fleet.lambdas.find(
    (candidate) => candidate.functionName === BENIGN_FEATURE_ROLLOUT.functionName,
  );
  const envs = ctx.state.lambdaEnvs.get(BENIGN_FEATURE_ROLLOUT.functionName);
  if (!fn || !envs) return;
  const rng = ctx.rng.fork('feature-rollout');
  const fromMs = ctx.startMs + day * DAY_MS + (BENIGN_FEATURE_ROLLOUT.hourUtc + 1) * HOUR_MS;
  for (let hourStart = fromMs; hourStart < ctx.endMs; hourStart += HOUR_MS) {
    for (const t of sortedTimes(
      rng,
      rng.poisson(lambdaMeanPerHour(fn, hourStart, ctx.scale) * 0.03),
      hourStart,
      hourStart + HOUR_MS,
    )) {
      const env = sessionAt(rng, envs, t);
      if (!env) continue;
      const action = BENIGN_FEATURE_ROLLOUT.action;
      emitCall(ctx, rng, {
        timeMs: t,
        actor: env.session,
        action,
        region: REGION,
        sourceIp: env.ip,
        userAgent: lambdaUserAgent(fn, action),
        resources: fn.resources,
      });
    }
  }
};

const generateReportExporter = (ctx: GenContext): void => {
  const fn = ctx.fleet.lambdas.find((candidate) => candidate.functionName === 'report-exporter');
  if (!fn) return;
  const rng = ctx.rng.fork('lambda/report-exporter');
  const envs: TimedSession[] = [];
  ctx.state.lambdaEnvs.set(fn.functionName, envs);
  const writer = ctx.fleet.roles.reportsWriter;
  let env: TimedSession | undefined;
  for (let hourStart = ctx.startMs; hourStart < ctx.endMs; hourStart += HOUR_MS) {
    let t = hourStart + 5 * MINUTE_MS + rng.int(0, 20_000);
    if (!env || env.toMs <= t) {
      const session = newRoleSession(rng, fn.role, fn.functionName, t - rng.int(300, 900));
      env = {
        session,
        ip: hostInSubnet(rng, randomSubnet24(rng, rng.pick(ctx.fleet.lambdaNetworks))),
        fromMs: session.creationMs,
        toMs: t + Math.floor(rng.float(1.2, 3.2) * HOUR_MS),
      };
      envs.push(env);
      emitServiceAssumeRole(ctx, rng, 'lambda.amazonaws.com', session, REGION, 43_200);
    }
    const current = env;
    const queries = Math.max(2, Math.round(rng.int(6, 12) * Math.min(1, ctx.scale * 1.5)));
    for (let index = 0; index < queries; index += 1) {
      emitCall(ctx, rng, {
        timeMs: t,
        actor: current.session,
        action: 'dynamodb:Query',
        region: REGION,
        sourceIp: current.ip,
        userAgent: lambdaUserAgent(fn, 'dynamodb:Query'),
        resources: fn.resources,
      });
      t += rng.int(80, 900);
    }
    const partnerSession = newRoleSession(rng, writer, 'report-exporter', t);
    const payload = assumeRolePayload(partnerSession, 900);
    emitCall(ctx, rng, {
      timeMs: t,
      actor: current.session,
      action: 'sts:AssumeRole',
      region: REGION,
      sourceIp: current.ip,
      userAgent: lambdaUserAgent(fn, 'sts:AssumeRole'),
      resources: fn.resources,
      requestParameters: payload.requestParameters,
      responseElements: payload.responseElements,
      eventResources: payload.eventResources,
      isCrossAccount: true,
    });
    const writes = rng.int(1, 3);
    for (let index = 0; index < writes; index += 1) {
      t += rng.int(150, 1_500);
      emitCall(ctx, rng, {
        timeMs: t,
        actor: partnerSession,
        action: 's3:PutObject',
        region: PARTNER_REGION,
        sourceIp: current.ip,
        userAgent: lambdaUserAgent(fn, 's3:PutObject'),
        resources: ctx.fleet.reportsResources,
      });
    }
  }
};

const generateEc2Workers = (ctx: GenContext): void => {
  const role = ctx.fleet.roles.ingestWorker;
  const resources = ctx.fleet.ingestResources;
  ctx.fleet.ec2Instances.forEach((instance, index) => {
    const rng = ctx.rng.fork(`ec2/${index}`);
    const noise = ctx.rng.fork(`ec2-noise/${index}`);
    const sessions: (TimedSession & { instanceId: string })[] = [];
    let from = ctx.startMs - rng.int(0, 6 * HOUR_MS);
    while (from < ctx.endMs) {
      const to = from + 6 * HOUR_MS + rng.int(-5 * MINUTE_MS, 5 * MINUTE_MS);
      const session = newRoleSession(rng, role, instance.instanceId, from, { isEc2InstanceProfile: true });
      if (from >= ctx.startMs)
        emitServiceAssumeRole(ctx, rng, 'ec2.amazonaws.com', session, EU_REGION, 21_600);
      sessions.push({
        session,
        ip: instance.elasticIp,
        fromMs: from,
        toMs: to,
        instanceId: instance.instanceId,
      });
      from = to;
    }
    ctx.state.ec2Sessions.push(...sessions);
    const call = (t: number, action: string, userAgent: string, error?: CallError): void => {
      const current = sessionAt(rng, sessions, t);
      if (!current) return;
      emitCall(ctx, rng, {
        timeMs: t,
        actor: current.session,
        action,
        region: EU_REGION,
        sourceIp: instance.elasticIp,
        userAgent,
        resources,
        ...(error ? { error } : {}),
      });
    };
    forEachHour(
      ctx,
      (hourStart, factor) => {
        call(hourStart + rng.int(1_000, 30_000), 's3:PutObject', ec2AwsCli('s3.cp'));
        const lambda = 22 * diurnal(hourStart, 14, 0.3) * ctx.scale * factor;
        for (const t of sortedTimes(rng, rng.poisson(lambda), hourStart, hourStart + HOUR_MS)) {
          call(
            t,
            rng.weighted([
              ['sqs:ReceiveMessage', 32],
              ['sqs:DeleteMessage', 28],
              ['s3:GetObject', 18],
              ['s3:PutObject', 17],
              ['ssm:GetParameter', 5],
            ]),
            EC2_BOTO3,
          );
        }
      },
      noise,
    );
    // One-off legitimate denials: a batch references an object under a prefix the role may not read.
    for (let day = 0; day < ctx.days; day += 1) {
      if (!rng.chance(0.15)) continue;
      const t = ctx.startMs + day * DAY_MS + rng.int(8, 18) * HOUR_MS + rng.int(0, HOUR_MS - 1);
      const current = sessionAt(rng, sessions, t);
      if (!current) continue;
      call(t, 's3:GetObject', EC2_BOTO3, { code: 'AccessDenied', message: 'Access Denied' });
    }
  });
};

const generateNightlyEtl = (ctx: GenContext): void => {
  const rng = ctx.rng.fork('etl');
  const role = ctx.fleet.roles.nightlyEtl;
  const resources = ctx.fleet.etlResources;
  for (let day = 0; day < ctx.days; day += 1) {
    const start = ctx.startMs + day * DAY_MS + 2 * HOUR_MS + rng.int(0, 180_000);
    const session = newRoleSession(rng, role, rng.hex(32), start);
    const ip = randomHost(rng, NETWORKS.awsUse1Fargate);
    const run: TimedSession = { session, ip, fromMs: start, toMs: start + 55 * MINUTE_MS };
    ctx.state.etlRuns.push(run);
    emitServiceAssumeRole(ctx, rng, 'ecs-tasks.amazonaws.com', session, REGION, 21_600);
    const count = Math.max(50, Math.round(rng.normal(1400, 110) * ctx.scale));
    for (const t of sortedTimes(rng, count, start + 45_000, start + 52 * MINUTE_MS)) {
      const action = rng.weighted([
        ['s3:GetObject', 35],
        ['s3:PutObject', 25],
        ['athena:StartQueryExecution', 5],
        ['athena:GetQueryExecution', 15],
        ['athena:GetQueryResults', 5],
        ['glue:GetTable', 4],
        ['glue:GetPartitions', 1],
        ['dynamodb:BatchWriteItem', 10],
      ]);
      let error: CallError | undefined;
      if (action === 'dynamodb:BatchWriteItem' && rng.chance(0.006)) {
        error = {
          code: 'ProvisionedThroughputExceededException',
          message:
            'The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API.',
        };
      } else if (action === 'athena:GetQueryExecution' && rng.chance(0.004)) {
        error = { code: 'ThrottlingException', message: 'Rate exceeded' };
      }
      emitCall(ctx, rng, {
        timeMs: t,
        actor: session,
        action,
        region: REGION,
        sourceIp: ip,
        userAgent: FARGATE_BOTO3,
        resources,
        ...(error ? { error } : {}),
      });
    }
  }
};

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

const generateCi = (ctx: GenContext): void => {
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

/** The on-premises ERP connector run every ten minutes in business hours. */
const generateErp = (ctx: GenContext): void => {
  const rng = ctx.rng.fork('erp');
  const { erpKey1, erpKey2 } = ctx.fleet.users;
  const resources = ctx.fleet.erpResources;
  const rotationDay = Math.max(0, Math.floor(ctx.learningDays * 0.6));
  const rotationMs = ctx.startMs + rotationDay * DAY_MS + 10 * HOUR_MS + 30 * MINUTE_MS;
  ctx.state.erpRotationMs = rotationMs;
  generateKeyRotation(ctx, rng.fork('admin'), erpKey2, rotationMs - 38 * MINUTE_MS);
  for (let day = 0; day < ctx.days; day += 1) {
    const dayStart = ctx.startMs + day * DAY_MS;
    const weekday = new Date(dayStart).getUTCDay();
    if (weekday === 0) continue;
    const [fromHour, toHour] = weekday === 6 ? [6, 14] : [5, 21];
    const deniedRun = rng.chance(0.25) ? rng.int(0, (toHour - fromHour) * 6 - 1) : -1;
    for (let run = 0; run < (toHour - fromHour) * 6; run += 1) {
      let t = dayStart + fromHour * HOUR_MS + run * 10 * MINUTE_MS + rng.int(0, 40_000);
      const key = t < rotationMs ? erpKey1 : erpKey2;
      const actor: Actor = { kind: 'iam-user', ...key };
      const ip = rng.pick(ctx.fleet.onPrem.erpNatIps);
      const call = (action: string, error?: CallError): void => {
        emitCall(ctx, rng, {
          timeMs: t,
          actor,
          action,
          region: REGION,
          sourceIp: ip,
          userAgent: ERP_JAVA_SDK,
          resources,
          ...(error ? { error } : {}),
        });
        t += rng.int(120, 2_500);
      };
      call('s3:ListObjects');
      const reads = rng.poisson(1.2 * Math.min(2, ctx.scale));
      for (let index = 0; index < reads; index += 1) call('s3:GetObject');
      if (run === deniedRun) call('s3:GetObject', { code: 'AccessDenied', message: 'Access Denied' });
      const writes = 1 + rng.poisson(0.6 * Math.min(2, ctx.scale));
      for (let index = 0; index < writes; index += 1) call('s3:PutObject');
      if (rng.chance(0.5)) call('sqs:SendMessage');
    }
  }
};

/** A human administrator creates the ERP connector's second access key from the console. */
const generateKeyRotation = (ctx: GenContext, rng: Rng, newKey: UserKey, atMs: number): void => {
  const admin = newRoleSession(
    rng,
    ctx.fleet.roles.ssoAdmin,
    ctx.fleet.ssoAdminSession,
    atMs - 20 * MINUTE_MS,
  );
  const resources: Resources = { accountId: ACCOUNTS.workload, userNames: [newKey.userName] };
  const samlProvider = `arn:aws:iam::${ACCOUNTS.workload}:saml-provider/AWSSSO_${rng.hex(16)}_DO_NOT_DELETE`;
  const signIn = assumeRolePayload(admin, 43_200);
  emitCall(ctx, rng, {
    timeMs: admin.creationMs,
    actor: {
      kind: 'saml-user',
      providerArn: samlProvider,
      principalId: `${rng.base32(20)}:${ctx.fleet.ssoAdminSession}`,
      userName: ctx.fleet.ssoAdminSession,
    },
    action: 'sts:AssumeRoleWithSAML',
    region: REGION,
    sourceIp: ctx.fleet.onPrem.officeIp,
    userAgent: CONSOLE_BROWSER,
    resources,
    requestParameters: { roleArn: roleArn(admin.role), principalArn: samlProvider, durationSeconds: 43_200 },
    responseElements: {
      ...signIn.responseElements,
      subject: ctx.fleet.ssoAdminSession,
      subjectType: 'persistent',
      issuer: `https://portal.sso.${REGION}.amazonaws.com/saml/assertion/${rng.base32(24)}`,
      audience: 'https://signin.aws.amazon.com/saml',
    },
    eventResources: signIn.eventResources,
  });
  let t = atMs;
  const call = (action: string, extra: Partial<CallSpec> = {}): void => {
    emitCall(ctx, rng, {
      timeMs: t,
      actor: admin,
      action,
      region: REGION,
      sourceIp: ctx.fleet.onPrem.officeIp,
      userAgent: CONSOLE_BROWSER,
      resources,
      isConsole: true,
      ...extra,
    });
    t += rng.int(4_000, 40_000);
  };
  call('iam:GetUser');
  call('iam:ListAccessKeys');
  call('iam:ListAttachedUserPolicies');
  call('iam:CreateAccessKey', {
    responseElements: {
      accessKey: {
        userName: newKey.userName,
        accessKeyId: newKey.accessKeyId,
        status: 'Active',
        createDate: responseDate(t),
      },
    },
  });
  call('iam:ListAccessKeys');
};

/** History of the data-sync user before it went silent (placed before the run's start). */
export const DORMANT_HISTORY_DAYS = { fromDaysBeforeStart: 45, toDaysBeforeStart: 39 } as const;

const generateDormantHistory = (ctx: GenContext): void => {
  const rng = ctx.rng.fork('dormant-history');
  const key = ctx.fleet.users.dataSync;
  const actor: Actor = { kind: 'iam-user', ...key };
  for (
    let back = DORMANT_HISTORY_DAYS.fromDaysBeforeStart;
    back > DORMANT_HISTORY_DAYS.toDaysBeforeStart;
    back -= 1
  ) {
    let t = ctx.startMs - back * DAY_MS + 3 * HOUR_MS + 10 * MINUTE_MS + rng.int(0, 60_000);
    const call = (action: string): void => {
      emitCall(ctx, rng, {
        timeMs: t,
        actor,
        action,
        region: REGION,
        sourceIp: ctx.fleet.onPrem.dataSyncHost,
        userAgent: LEGACY_AWS_CLI_V1,
        resources: ctx.fleet.dataSyncResources,
      });
      t += rng.int(300, 4_000);
    };
    call('s3:ListObjects');
    const files = rng.int(10, 25);
    for (let index = 0; index < files; index += 1) call('s3:PutObject');
  }
};

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
  generateErp(ctx);
  generateDormantHistory(ctx);
};
