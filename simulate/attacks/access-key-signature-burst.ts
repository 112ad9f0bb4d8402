/**
 * Attack episode `access-key-signature-burst` — auth-failure-burst: Guessing the secret of a leaked
 * access key id (T1110.001).
 */
import { emitCall } from '../benign/cloudtrail-calls.js';
import { sortedTimes } from '../context.js';
import { ACCOUNTS, REGION, userKeyOf } from '../fleet.js';
import { NETWORKS, randomHost } from '../networks.js';
import { ATTACKER_UA } from '../user-agents.js';
import { SIGNATURE_MISMATCH, type EpisodeDef } from './episode.js';

export const accessKeyFailureBurst: EpisodeDef = {
  slug: 'access-key-signature-burst',
  window: 'evening',
  run: (episode) => {
    const { ctx, rng } = episode;
    const key = ctx.fleet.users.erpKey2;
    const label = episode.label(
      'auth-failure-burst',
      'Guessing the secret of a leaked access key id (T1110.001)',
      userKeyOf(key),
    );
    const ip = randomHost(rng, NETWORKS.digitalOceanDe);
    const attempts = rng.int(12, 20);
    const times = sortedTimes(rng, attempts, episode.atMs, episode.atMs + rng.int(90_000, 180_000));
    for (const t of times) {
      const action = rng.weighted<string>([
        ['sts:GetCallerIdentity', 6],
        ['s3:ListBuckets', 3],
        ['iam:GetUser', 1],
      ]);
      emitCall(
        ctx,
        rng,
        {
          timeMs: t,
          actor: { kind: 'iam-user', ...key },
          action,
          region: REGION,
          sourceIp: ip,
          userAgent: ATTACKER_UA.awsCliUbuntu(
            action === 'sts:GetCallerIdentity'
              ? 'sts.get-caller-identity'
              : action === 's3:ListBuckets'
                ? 's3.ls'
                : 'iam.get-user',
          ),
          resources: { accountId: ACCOUNTS.workload },
          requestParameters: null,
          error: SIGNATURE_MISMATCH,
        },
        label,
      );
    }
  },
};
