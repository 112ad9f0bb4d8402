/**
 * The one benign new action after learning: order-events-processor starts forwarding to its DLQ
 * after a deploy (its contract allows it; rules must not page on it as an attack).
 */
import { DAY_MS, HOUR_MS, sessionAt, sortedTimes, type GenContext } from '../context.js';
import { REGION } from '../fleet.js';
import { emitCall, lambdaMeanPerHour, lambdaUserAgent } from './cloudtrail-calls.js';

/** The benign new action: order-events-processor starts forwarding to its DLQ after a deploy. */
export const BENIGN_FEATURE_ROLLOUT = {
  functionName: 'order-events-processor',
  action: 'sqs:SendMessage',
  dayAfterLearning: 2,
  hourUtc: 10,
} as const;

export const generateFeatureRollout = (ctx: GenContext): void => {
  const day = ctx.learningDays + BENIGN_FEATURE_ROLLOUT.dayAfterLearning;
  if (day >= ctx.days) return;
  const fn = ctx.fleet.lambdas.find(
    (candidate) => candidate.functionName === BENIGN_FEATURE_ROLLOUT.functionName,
  );
  const envs = ctx.state.lambdaEnvs.get(BENIGN_FEATURE_ROLLOUT.functionName);
  if (!fn || !envs) return;
  const rng = ctx.rng.fork('feature-rollout');
  const fromMs = ctx.startMs + day * DAY_MS + (BENIGN_FEATURE_ROLLOUT.hourUtc + 1) * HOUR_MS;
  for (let hourStart = fromMs; hourStart < ctx.endMs; hourStart += HOUR_MS) {
    for (const t of sortedTimes(
      rng,
      rng.poisson(lambdaMeanPerHour(fn, hourStart, ctx.scale) * 0.03),
      hourStart,
      hourStart + HOUR_MS,
    )) {
      const env = sessionAt(rng, envs, t);
      if (!env) continue;
      const action = BENIGN_FEATURE_ROLLOUT.action;
      emitCall(ctx, rng, {
        timeMs: t,
        actor: env.session,
        action,
        region: REGION,
        sourceIp: env.ip,
        userAgent: lambdaUserAgent(fn, action),
        resources: fn.resources,
      });
    }
  }
};
