/**
 * Benign CloudTrail traffic of the EC2 ingest workers: instance-profile sessions refreshed through IMDS.
 */
import { newRoleSession, type CallError } from '../cloudtrail-builder.js';
import {
  DAY_MS,
  diurnal,
  HOUR_MS,
  MINUTE_MS,
  sessionAt,
  sortedTimes,
  type GenContext,
  type TimedSession,
} from '../context.js';
import { EU_REGION } from '../fleet.js';
import { EC2_BOTO3, ec2AwsCli } from '../user-agents.js';
import { emitCall, emitServiceAssumeRole, forEachHour } from './cloudtrail-calls.js';

export const generateEc2Workers = (ctx: GenContext): void => {
  const role = ctx.fleet.roles.ingestWorker;
  const resources = ctx.fleet.ingestResources;
  ctx.fleet.ec2Instances.forEach((instance, index) => {
    const rng = ctx.rng.fork(`ec2/${index}`);
    const noise = ctx.rng.fork(`ec2-noise/${index}`);
    const sessions: (TimedSession & { instanceId: string })[] = [];
    let from = ctx.startMs - rng.int(0, 6 * HOUR_MS);
    while (from < ctx.endMs) {
      const to = from + 6 * HOUR_MS + rng.int(-5 * MINUTE_MS, 5 * MINUTE_MS);
      const session = newRoleSession(rng, role, instance.instanceId, from, { isEc2InstanceProfile: true });
      if (from >= ctx.startMs)
        emitServiceAssumeRole(ctx, rng, 'ec2.amazonaws.com', session, EU_REGION, 21_600);
      sessions.push({
        session,
        ip: instance.elasticIp,
        fromMs: from,
        toMs: to,
        instanceId: instance.instanceId,
      });
      from = to;
    }
    ctx.state.ec2Sessions.push(...sessions);
    const call = (t: number, action: string, userAgent: string, error?: CallError): void => {
      const current = sessionAt(rng, sessions, t);
      if (!current) return;
      emitCall(ctx, rng, {
        timeMs: t,
        actor: current.session,
        action,
        region: EU_REGION,
        sourceIp: instance.elasticIp,
        userAgent,
        resources,
        ...(error ? { error } : {}),
      });
    };
    forEachHour(
      ctx,
      (hourStart, factor) => {
        call(hourStart + rng.int(1_000, 30_000), 's3:PutObject', ec2AwsCli('s3.cp'));
        const lambda = 22 * diurnal(hourStart, 14, 0.3) * ctx.scale * factor;
        for (const t of sortedTimes(rng, rng.poisson(lambda), hourStart, hourStart + HOUR_MS)) {
          call(
            t,
            rng.weighted([
              ['sqs:ReceiveMessage', 32],
              ['sqs:DeleteMessage', 28],
              ['s3:GetObject', 18],
              ['s3:PutObject', 17],
              ['ssm:GetParameter', 5],
            ]),
            EC2_BOTO3,
          );
        }
      },
      noise,
    );
    // One-off legitimate denials: a batch references an object under a prefix the role may not read.
    for (let day = 0; day < ctx.days; day += 1) {
      if (!rng.chance(0.15)) continue;
      const t = ctx.startMs + day * DAY_MS + rng.int(8, 18) * HOUR_MS + rng.int(0, HOUR_MS - 1);
      const current = sessionAt(rng, sessions, t);
      if (!current) continue;
      call(t, 's3:GetObject', EC2_BOTO3, { code: 'AccessDenied', message: 'Access Denied' });
    }
  });
};
