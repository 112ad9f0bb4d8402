/**
 * Attack episode `imds-credential-replay` — credential-replay: Stolen EC2 instance-profile
 * credentials used off-host (T1552.005, T1550.001).
 */
import { emitCall } from '../benign/cloudtrail-calls.js';
import { roleArn, type CallSpec } from '../cloudtrail-builder.js';
import { MINUTE_MS } from '../context.js';
import { EU_REGION, REGION, roleKey } from '../fleet.js';
import { NETWORKS, randomHost } from '../networks.js';
import { ATTACKER_UA } from '../user-agents.js';
import { denial, liveSession, type EpisodeDef } from './episode.js';

export const imdsCredentialReplay: EpisodeDef = {
  slug: 'imds-credential-replay',
  window: 'business',
  run: (episode) => {
    const { ctx, rng } = episode;
    const live = liveSession(episode, ctx.state.ec2Sessions, 45 * MINUTE_MS);
    if (!live) return;
    const current = live.session;
    const label = episode.label(
      'credential-replay',
      'Stolen EC2 instance-profile credentials used off-host (T1552.005, T1550.001)',
      roleKey(current.session.role),
    );
    const ip = randomHost(rng, NETWORKS.digitalOceanUs);
    const resources = ctx.fleet.ingestResources;
    let t = live.atMs;
    const call = (action: string, command: string, region: string, extra: Partial<CallSpec> = {}): void => {
      emitCall(
        ctx,
        rng,
        {
          timeMs: t,
          actor: current.session,
          action,
          region,
          sourceIp: ip,
          userAgent: ATTACKER_UA.awsCliUbuntu(command),
          resources,
          ...extra,
        },
        label,
      );
      t += rng.int(2_000, 25_000);
    };
    call('sts:GetCallerIdentity', 'sts.get-caller-identity', REGION);
    call('s3:ListBuckets', 's3.ls', REGION);
    call('iam:ListAttachedRolePolicies', 'iam.list-attached-role-policies', REGION, {
      requestParameters: { roleName: current.session.role.name },
      error: denial(current.session, 'iam:ListAttachedRolePolicies', roleArn(current.session.role)),
    });
    for (let index = 0; index < 3; index += 1) call('s3:ListObjects', 's3.ls', EU_REGION);
    const downloads = rng.int(8, 20);
    for (let index = 0; index < downloads; index += 1) call('s3:GetObject', 's3.cp', EU_REGION);
  },
};
