/**
 * Attack episode `dormant-user-key-revived` — dormant-identity: Access key of a long-unused service
 * user found and used (T1078.004, NHI1).
 */
import { emitCall } from '../benign/cloudtrail-calls.js';
import { REGION, userKeyOf } from '../fleet.js';
import { NETWORKS, randomHost } from '../networks.js';
import { ATTACKER_UA } from '../user-agents.js';
import type { EpisodeDef } from './episode.js';

export const dormantKeyRevived: EpisodeDef = {
  slug: 'dormant-user-key-revived',
  window: 'evening',
  run: (episode) => {
    const { ctx, rng } = episode;
    const key = ctx.fleet.users.dataSync;
    const label = episode.label(
      'dormant-identity',
      'Access key of a long-unused service user found and used (T1078.004, NHI1)',
      userKeyOf(key),
    );
    const ip = randomHost(rng, NETWORKS.comcastUs);
    let t = episode.atMs;
    const call = (action: string, command: string): void => {
      emitCall(
        ctx,
        rng,
        {
          timeMs: t,
          actor: { kind: 'iam-user', ...key },
          action,
          region: REGION,
          sourceIp: ip,
          userAgent: ATTACKER_UA.awsCliMac(command),
          resources: ctx.fleet.dataSyncResources,
        },
        label,
      );
      t += rng.int(3_000, 60_000);
    };
    call('sts:GetCallerIdentity', 'sts.get-caller-identity');
    call('s3:ListBuckets', 's3.ls');
    call('s3:ListObjects', 's3.ls');
    call('s3:ListObjects', 's3.ls');
    const reads = rng.int(5, 15);
    for (let index = 0; index < reads; index += 1) call('s3:GetObject', 's3.cp');
  },
};
