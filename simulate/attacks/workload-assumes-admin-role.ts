/**
 * Attack episode `workload-assumes-admin-role` — lateral-movement: Workload role assuming a
 * data-lake admin role it never used (T1078.004, T1548).
 */
import { emitCall, lambdaUserAgent } from '../benign/cloudtrail-calls.js';
import { assumeRolePayload, newRoleSession } from '../cloudtrail-builder.js';
import { REGION, roleKey } from '../fleet.js';
import { lambdaDef, lambdaEnv, type EpisodeDef } from './episode.js';

export const sameAccountEscalation: EpisodeDef = {
  slug: 'workload-assumes-admin-role',
  window: 'business',
  run: (episode) => {
    const { ctx, rng } = episode;
    const fn = lambdaDef(ctx, 'order-events-processor');
    const live = lambdaEnv(episode, fn.functionName);
    if (!live) return;
    const env = live.session;
    const technique = 'Workload role assuming a data-lake admin role it never used (T1078.004, T1548)';
    const target = ctx.fleet.roles.dataLakeAdmin;
    let t = live.atMs;
    const issued = newRoleSession(rng, target, fn.functionName, t);
    const payload = assumeRolePayload(issued, 3600);
    emitCall(
      ctx,
      rng,
      {
        timeMs: t,
        actor: env.session,
        action: 'sts:AssumeRole',
        region: REGION,
        sourceIp: env.ip,
        userAgent: lambdaUserAgent(fn, 'sts:AssumeRole'),
        resources: fn.resources,
        requestParameters: payload.requestParameters,
        responseElements: payload.responseElements,
        eventResources: payload.eventResources,
      },
      episode.label('lateral-movement', technique, roleKey(fn.role)),
    );
    const followLabel = episode.label('lateral-movement', technique, roleKey(target), false);
    const follow = (action: string): void => {
      t += rng.int(1_000, 20_000);
      emitCall(
        ctx,
        rng,
        {
          timeMs: t,
          actor: issued,
          action,
          region: REGION,
          sourceIp: env.ip,
          userAgent: lambdaUserAgent(fn, action),
          resources: ctx.fleet.etlResources,
        },
        followLabel,
      );
    };
    follow('s3:ListBuckets');
    follow('s3:ListObjects');
    follow('s3:ListObjects');
    const reads = rng.int(5, 10);
    for (let index = 0; index < reads; index += 1) follow('s3:GetObject');
  },
};
