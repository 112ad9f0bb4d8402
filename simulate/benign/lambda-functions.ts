/**
 * Benign CloudTrail traffic of the Lambda functions (all but report-exporter): hourly call volumes
 * following each function's diurnal and weekend profile, made with the credentials of execution
 * environments that come and go, with realistic noise (throttling, one-off denials, benign errors).
 */
import { newRoleSession } from '../cloudtrail-builder.js';
import { HOUR_MS, sessionAt, sortedTimes, type GenContext, type TimedSession } from '../context.js';
import { REGION, type LambdaFunctionDef } from '../fleet.js';
import { hostInSubnet, randomSubnet24 } from '../networks.js';
import {
  emitCall,
  emitServiceAssumeRole,
  forEachHour,
  lambdaMeanPerHour,
  lambdaUserAgent,
} from './cloudtrail-calls.js';

export const generateLambdaFunction = (ctx: GenContext, fn: LambdaFunctionDef): void => {
  const rng = ctx.rng.fork(`lambda/${fn.functionName}`);
  const noise = ctx.rng.fork(`lambda-noise/${fn.functionName}`);
  const envs: TimedSession[] = [];
  let active: TimedSession[] = [];
  ctx.state.lambdaEnvs.set(fn.functionName, envs);
  const spawn = (atMs: number): TimedSession => {
    const session = newRoleSession(rng, fn.role, fn.functionName, atMs);
    const env: TimedSession = {
      session,
      ip: hostInSubnet(rng, randomSubnet24(rng, rng.pick(ctx.fleet.lambdaNetworks))),
      fromMs: atMs,
      toMs: atMs + Math.floor(rng.float(1.5, 5) * HOUR_MS),
    };
    emitServiceAssumeRole(ctx, rng, 'lambda.amazonaws.com', session, REGION, 43_200);
    let t = atMs + rng.int(150, 600);
    for (const action of fn.initActions) {
      emitCall(ctx, rng, {
        timeMs: t,
        actor: session,
        action,
        region: REGION,
        sourceIp: env.ip,
        userAgent: lambdaUserAgent(fn, action),
        resources: fn.resources,
      });
      t += rng.int(20, 250);
    }
    envs.push(env);
    active.push(env);
    return env;
  };
  forEachHour(
    ctx,
    (hourStart, factor) => {
      const lambda = lambdaMeanPerHour(fn, hourStart, ctx.scale) * factor;
      active = active.filter((env) => env.toMs > hourStart);
      const target = Math.min(6, Math.max(1, Math.ceil(lambda / 45)));
      while (active.length < target) spawn(hourStart + rng.int(0, 90_000));
      for (const t of sortedTimes(rng, rng.poisson(lambda), hourStart, hourStart + HOUR_MS)) {
        const env = sessionAt(rng, active, t) ?? spawn(t - rng.int(400, 2_000));
        const action = rng.weighted(fn.actions);
        const throttled =
          fn.throttle !== undefined && fn.throttle.action === action && rng.chance(fn.throttle.probability);
        emitCall(ctx, rng, {
          timeMs: t,
          actor: env.session,
          action,
          region: REGION,
          sourceIp: env.ip,
          userAgent: lambdaUserAgent(fn, action),
          resources: fn.resources,
          ...(throttled && fn.throttle
            ? { error: { code: fn.throttle.code, message: fn.throttle.message } }
            : {}),
        });
      }
    },
    noise,
  );
};
