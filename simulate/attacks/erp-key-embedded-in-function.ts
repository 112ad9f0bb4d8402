/**
 * Attack episode `erp-key-embedded-in-function` — long-lived-credential: Long-lived user key
 * hard-coded into a Lambda function (T1552.001, NHI7).
 */
import { emitCall } from '../benign/cloudtrail-calls.js';
import { REGION, userKeyOf } from '../fleet.js';
import { NETWORKS, randomHost } from '../networks.js';
import { lambdaNodeSdk } from '../user-agents.js';
import type { EpisodeDef } from './episode.js';

export const legacyKeyInLambda: EpisodeDef = {
  slug: 'erp-key-embedded-in-function',
  window: 'business',
  run: (episode) => {
    const { ctx, rng } = episode;
    const key = ctx.fleet.users.erpKey2;
    const label = episode.label(
      'long-lived-credential',
      'Long-lived user key hard-coded into a Lambda function (T1552.001, NHI7)',
      userKeyOf(key),
    );
    const ip = randomHost(rng, NETWORKS.awsUse1LambdaB);
    let t = episode.atMs;
    const call = (action: string): void => {
      emitCall(
        ctx,
        rng,
        {
          timeMs: t,
          actor: { kind: 'iam-user', ...key },
          action,
          region: REGION,
          sourceIp: ip,
          userAgent: lambdaNodeSdk('s3'),
          resources: ctx.fleet.erpResources,
        },
        label,
      );
      t += rng.int(1_000, 120_000);
    };
    call('s3:ListObjects');
    const reads = rng.int(5, 12);
    for (let index = 0; index < reads; index += 1) call('s3:GetObject');
  },
};
