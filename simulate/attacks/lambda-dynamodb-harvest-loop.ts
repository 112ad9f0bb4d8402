/**
 * Attack episode `lambda-dynamodb-harvest-loop` — rate-anomaly: Injected code harvesting the orders
 * table in a loop (T1119, T1530).
 */
import { emitCall, lambdaMeanPerHour, lambdaUserAgent } from '../benign/cloudtrail-calls.js';
import { HOUR_MS, sessionAt, sortedTimes } from '../context.js';
import { REGION, roleKey } from '../fleet.js';
import { lambdaDef, type EpisodeDef } from './episode.js';

export const lambdaEnumerationLoop: EpisodeDef = {
  slug: 'lambda-dynamodb-harvest-loop',
  window: 'business',
  run: (episode) => {
    const { ctx, rng } = episode;
    const fn = lambdaDef(ctx, 'orders-api-handler');
    const envs = ctx.state.lambdaEnvs.get(fn.functionName) ?? [];
    const hourStart = episode.atMs - (episode.atMs % HOUR_MS);
    const label = episode.label(
      'rate-anomaly',
      'Injected code harvesting the orders table in a loop (T1119, T1530)',
      roleKey(fn.role),
    );
    const extra = Math.max(300, Math.round(19 * lambdaMeanPerHour(fn, hourStart, ctx.scale)));
    for (const t of sortedTimes(rng, extra, hourStart, hourStart + HOUR_MS)) {
      const env = sessionAt(rng, envs, t);
      if (!env) continue;
      const action = rng.chance(0.7) ? 'dynamodb:GetItem' : 'dynamodb:Query';
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
          resources: fn.resources,
        },
        label,
      );
    }
  },
};
