/**
 * Attack episode `erp-old-key-new-country` — new-source: Not-yet-deactivated pre-rotation access
 * key used from a foreign VPS (T1078.004).
 */
import { emitCall } from '../benign/cloudtrail-calls.js';
import { REGION, userKeyOf } from '../fleet.js';
import { NETWORKS, randomHost } from '../networks.js';
import { ERP_JAVA_SDK } from '../user-agents.js';
import type { EpisodeDef } from './episode.js';

export const erpOldKeyNewCountry: EpisodeDef = {
  slug: 'erp-old-key-new-country',
  window: 'erpHours',
  run: (episode) => {
    const { ctx, rng } = episode;
    const key = ctx.fleet.users.erpKey1;
    const label = episode.label(
      'new-source',
      'Not-yet-deactivated pre-rotation access key used from a foreign VPS (T1078.004)',
      userKeyOf(key),
    );
    const ip = randomHost(rng, NETWORKS.ovhFr);
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
          userAgent: ERP_JAVA_SDK,
          resources: ctx.fleet.erpResources,
        },
        label,
      );
      t += rng.int(5_000, 90_000);
    };
    call('s3:ListObjects');
    call('s3:ListObjects');
    const reads = rng.int(10, 30);
    for (let index = 0; index < reads; index += 1) call('s3:GetObject');
  },
};
