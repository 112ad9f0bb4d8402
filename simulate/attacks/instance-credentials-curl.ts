/**
 * Attack episode `instance-credentials-curl` — new-user-agent: Interactive use of instance
 * credentials with curl --aws-sigv4 on a compromised host (T1059, T1552.005).
 */
import { emitCall } from '../benign/cloudtrail-calls.js';
import { MINUTE_MS } from '../context.js';
import { EU_REGION, roleKey } from '../fleet.js';
import { ATTACKER_UA } from '../user-agents.js';
import { liveSession, type EpisodeDef } from './episode.js';

export const ec2CurlSigv4: EpisodeDef = {
  slug: 'instance-credentials-curl',
  window: 'business',
  run: (episode) => {
    const { ctx, rng } = episode;
    const instance = ctx.fleet.ec2Instances[1];
    if (!instance) return;
    const live = liveSession(
      episode,
      ctx.state.ec2Sessions.filter((entry) => entry.instanceId === instance.instanceId),
      20 * MINUTE_MS,
    );
    if (!live) return;
    const current = live.session;
    const label = episode.label(
      'new-user-agent',
      'Interactive use of instance credentials with curl --aws-sigv4 on a compromised host (T1059, T1552.005)',
      roleKey(current.session.role),
    );
    let t = live.atMs;
    const call = (action: string): void => {
      emitCall(
        ctx,
        rng,
        {
          timeMs: t,
          actor: current.session,
          action,
          region: EU_REGION,
          sourceIp: instance.elasticIp,
          userAgent: ATTACKER_UA.curl,
          resources: ctx.fleet.ingestResources,
        },
        label,
      );
      t += rng.int(8_000, 60_000);
    };
    call('s3:ListObjects');
    call('s3:ListObjects');
    const reads = rng.int(3, 8);
    for (let index = 0; index < reads; index += 1) call('s3:GetObject');
  },
};
