/**
 * Benign CloudTrail traffic of the report-exporter Lambda function.
 */
import { assumeRolePayload, newRoleSession } from '../cloudtrail-builder.js';
import { HOUR_MS, MINUTE_MS, type GenContext, type TimedSession } from '../context.js';
import { PARTNER_REGION, REGION } from '../fleet.js';
import { hostInSubnet, randomSubnet24 } from '../networks.js';
import { emitCall, emitServiceAssumeRole, lambdaUserAgent } from './cloudtrail-calls.js';

export const generateReportExporter = (ctx: GenContext): void => {
  const fn = ctx.fleet.lambdas.find((candidate) => candidate.functionName === 'report-exporter');
  if (!fn) return;
  const rng = ctx.rng.fork('lambda/report-exporter');
  const envs: TimedSession[] = [];
  ctx.state.lambdaEnvs.set(fn.functionName, envs);
  const writer = ctx.fleet.roles.reportsWriter;
  let env: TimedSession | undefined;
  for (let hourStart = ctx.startMs; hourStart < ctx.endMs; hourStart += HOUR_MS) {
    let t = hourStart + 5 * MINUTE_MS + rng.int(0, 20_000);
    if (!env || env.toMs <= t) {
      const session = newRoleSession(rng, fn.role, fn.functionName, t - rng.int(300, 900));
      env = {
        session,
        ip: hostInSubnet(rng, randomSubnet24(rng, rng.pick(ctx.fleet.lambdaNetworks))),
        fromMs: session.creationMs,
        toMs: t + Math.floor(rng.float(1.2, 3.2) * HOUR_MS),
      };
      envs.push(env);
      emitServiceAssumeRole(ctx, rng, 'lambda.amazonaws.com', session, REGION, 43_200);
    }
    const current = env;
    const queries = Math.max(2, Math.round(rng.int(6, 12) * Math.min(1, ctx.scale * 1.5)));
    for (let index = 0; index < queries; index += 1) {
      emitCall(ctx, rng, {
        timeMs: t,
        actor: current.session,
        action: 'dynamodb:Query',
        region: REGION,
        sourceIp: current.ip,
        userAgent: lambdaUserAgent(fn, 'dynamodb:Query'),
        resources: fn.resources,
      });
      t += rng.int(80, 900);
    }
    const partnerSession = newRoleSession(rng, writer, 'report-exporter', t);
    const payload = assumeRolePayload(partnerSession, 900);
    emitCall(ctx, rng, {
      timeMs: t,
      actor: current.session,
      action: 'sts:AssumeRole',
      region: REGION,
      sourceIp: current.ip,
      userAgent: lambdaUserAgent(fn, 'sts:AssumeRole'),
      resources: fn.resources,
      requestParameters: payload.requestParameters,
      responseElements: payload.responseElements,
      eventResources: payload.eventResources,
      isCrossAccount: true,
    });
    const writes = rng.int(1, 3);
    for (let index = 0; index < writes; index += 1) {
      t += rng.int(150, 1_500);
      emitCall(ctx, rng, {
        timeMs: t,
        actor: partnerSession,
        action: 's3:PutObject',
        region: PARTNER_REGION,
        sourceIp: current.ip,
        userAgent: lambdaUserAgent(fn, 's3:PutObject'),
        resources: ctx.fleet.reportsResources,
      });
    }
  }
};
