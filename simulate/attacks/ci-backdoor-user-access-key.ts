/**
 * Attack episode `ci-backdoor-user-access-key` — sensitive-action: Poisoned deployment workflow creating
 * a backdoor IAM user and access key (T1098.001, T1136.003). long-lived-credential: Newly created
 * long-lived access key used by a workload in AWS (T1078.004, NHI7).
 */
import { runCiDeployment } from '../benign/ci-deployments.js';
import { emitCall } from '../benign/cloudtrail-calls.js';
import {
  newLongLivedKeyId,
  newUniqueId,
  responseDate,
  type CallSpec,
  type Resources,
  type UserKey,
} from '../cloudtrail-builder.js';
import { HOUR_MS } from '../context.js';
import { ACCOUNTS, REGION, roleKey, userKeyOf } from '../fleet.js';
import { NETWORKS, randomHost } from '../networks.js';
import { ATTACKER_UA, ghaAwsCli } from '../user-agents.js';
import type { EpisodeDef } from './episode.js';

export const ciBackdoorUser: EpisodeDef = {
  slug: 'ci-backdoor-user-access-key',
  window: 'ciHours',
  run: (episode) => {
    const { ctx, rng } = episode;
    const deployer = ctx.fleet.roles.ghaDeployer;
    const creation =
      'Poisoned deployment workflow creating a backdoor IAM user and access key (T1098.001, T1136.003)';
    const setup = episode.label('sensitive-action', creation, roleKey(deployer), false);
    const runnerIp = randomHost(rng, rng.pick(ctx.fleet.runnerNetworks));
    const { session, endMs } = runCiDeployment(ctx, rng, episode.atMs, 'orders-service', runnerIp, setup);
    const backdoor: UserKey = {
      accountId: ACCOUNTS.workload,
      userName: 'svc-backup-sync',
      userId: newUniqueId(rng, 'AIDA'),
      accessKeyId: newLongLivedKeyId(rng),
    };
    const resources: Resources = { accountId: ACCOUNTS.workload, userNames: [backdoor.userName] };
    let t = endMs + rng.int(2_000, 10_000);
    const signal = episode.label('sensitive-action', creation, roleKey(deployer));
    const iam = (action: string, command: string, extra: Partial<CallSpec> = {}): void => {
      emitCall(
        ctx,
        rng,
        {
          timeMs: t,
          actor: session,
          action,
          region: REGION,
          sourceIp: runnerIp,
          userAgent: ghaAwsCli(command),
          resources,
          ...extra,
        },
        signal,
      );
      t += rng.int(500, 3_000);
    };
    iam('iam:CreateUser', 'iam.create-user', {
      responseElements: {
        user: {
          path: '/',
          userName: backdoor.userName,
          userId: backdoor.userId,
          arn: `arn:aws:iam::${ACCOUNTS.workload}:user/${backdoor.userName}`,
          createDate: responseDate(t),
        },
      },
    });
    iam('iam:AttachUserPolicy', 'iam.attach-user-policy', {
      requestParameters: {
        userName: backdoor.userName,
        policyArn: 'arn:aws:iam::aws:policy/AdministratorAccess',
      },
    });
    iam('iam:CreateAccessKey', 'iam.create-access-key', {
      responseElements: {
        accessKey: {
          userName: backdoor.userName,
          accessKeyId: backdoor.accessKeyId,
          status: 'Active',
          createDate: responseDate(t),
        },
      },
    });
    // The new long-lived key then runs from a workload host in AWS.
    t += rng.int(HOUR_MS, 3 * HOUR_MS);
    const useLabel = episode.label(
      'long-lived-credential',
      'Newly created long-lived access key used by a workload in AWS (T1078.004, NHI7)',
      userKeyOf(backdoor),
    );
    const ip = randomHost(rng, NETWORKS.awsUse1LambdaA);
    const use = (action: string, extra: Partial<CallSpec> = {}): void => {
      emitCall(
        ctx,
        rng,
        {
          timeMs: t,
          actor: { kind: 'iam-user', ...backdoor },
          action,
          region: REGION,
          sourceIp: ip,
          userAgent: ATTACKER_UA.ec2Boto3Other,
          resources: ctx.fleet.ciResources,
          ...extra,
        },
        useLabel,
      );
      t += rng.int(2_000, 40_000);
    };
    use('sts:GetCallerIdentity');
    use('s3:ListBuckets');
    use('secretsmanager:ListSecrets');
    use('s3:ListObjects');
    const reads = rng.int(5, 15);
    for (let index = 0; index < reads; index += 1) use('s3:GetObject');
  },
};
