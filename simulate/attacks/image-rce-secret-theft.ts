/**
 * Attack episode `image-rce-secret-theft` — new-action: RCE in image processing used to read
 * secrets and list buckets (T1555.006, T1619).
 */
import { emitCall, lambdaUserAgent } from '../benign/cloudtrail-calls.js';
import type { CallSpec, Resources } from '../cloudtrail-builder.js';
import { ACCOUNTS, REGION, roleKey } from '../fleet.js';
import { denial, lambdaDef, lambdaEnv, type EpisodeDef } from './episode.js';

export const thumbnailScopeCreep: EpisodeDef = {
  slug: 'image-rce-secret-theft',
  window: 'business',
  run: (episode) => {
    const { ctx, rng } = episode;
    const fn = lambdaDef(ctx, 'thumbnail-generator');
    const live = lambdaEnv(episode, fn.functionName);
    if (!live) return;
    const env = live.session;
    const label = episode.label(
      'new-action',
      'RCE in image processing used to read secrets and list buckets (T1555.006, T1619)',
      roleKey(fn.role),
    );
    const resources: Resources = {
      ...fn.resources,
      secretNames: ['prod/orders/db', 'prod/payments/stripe', 'prod/partner/oauth-client'],
    };
    let t = live.atMs;
    const call = (action: string, extra: Partial<CallSpec> = {}): void => {
      emitCall(
        ctx,
        rng,
        {
          timeMs: t,
          actor: env.session,
          action,
          region: REGION,
          sourceIp: env.ip,
          userAgent: lambdaUserAgent(fn, action),
          resources,
          ...extra,
        },
        label,
      );
      t += rng.int(300, 8_000);
    };
    call('s3:ListBuckets');
    for (const secretId of resources.secretNames ?? [])
      call('secretsmanager:GetSecretValue', { requestParameters: { secretId } });
    call('iam:ListRoles', {
      error: denial(env.session, 'iam:ListRoles', `arn:aws:iam::${ACCOUNTS.workload}:role/`),
    });
  },
};
