/**
 * Benign CloudTrail traffic of the nightly Fargate ETL task.
 */
import { newRoleSession, type CallError } from '../cloudtrail-builder.js';
import { DAY_MS, HOUR_MS, MINUTE_MS, sortedTimes, type GenContext, type TimedSession } from '../context.js';
import { REGION } from '../fleet.js';
import { NETWORKS, randomHost } from '../networks.js';
import { FARGATE_BOTO3 } from '../user-agents.js';
import { emitCall, emitServiceAssumeRole } from './cloudtrail-calls.js';

export const generateNightlyEtl = (ctx: GenContext): void => {
  const rng = ctx.rng.fork('etl');
  const role = ctx.fleet.roles.nightlyEtl;
  const resources = ctx.fleet.etlResources;
  for (let day = 0; day < ctx.days; day += 1) {
    const start = ctx.startMs + day * DAY_MS + 2 * HOUR_MS + rng.int(0, 180_000);
    const session = newRoleSession(rng, role, rng.hex(32), start);
    const ip = randomHost(rng, NETWORKS.awsUse1Fargate);
    const run: TimedSession = { session, ip, fromMs: start, toMs: start + 55 * MINUTE_MS };
    ctx.state.etlRuns.push(run);
    emitServiceAssumeRole(ctx, rng, 'ecs-tasks.amazonaws.com', session, REGION, 21_600);
    const count = Math.max(50, Math.round(rng.normal(1400, 110) * ctx.scale));
    for (const t of sortedTimes(rng, count, start + 45_000, start + 52 * MINUTE_MS)) {
      const action = rng.weighted([
        ['s3:GetObject', 35],
        ['s3:PutObject', 25],
        ['athena:StartQueryExecution', 5],
        ['athena:GetQueryExecution', 15],
        ['athena:GetQueryResults', 5],
        ['glue:GetTable', 4],
        ['glue:GetPartitions', 1],
        ['dynamodb:BatchWriteItem', 10],
      ]);
      let error: CallError | undefined;
      if (action === 'dynamodb:BatchWriteItem' && rng.chance(0.006)) {
        error = {
          code: 'ProvisionedThroughputExceededException',
          message:
            'The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API.',
        };
      } else if (action === 'athena:GetQueryExecution' && rng.chance(0.004)) {
        error = { code: 'ThrottlingException', message: 'Rate exceeded' };
      }
      emitCall(ctx, rng, {
        timeMs: t,
        actor: session,
        action,
        region: REGION,
        sourceIp: ip,
        userAgent: FARGATE_BOTO3,
        resources,
        ...(error ? { error } : {}),
      });
    }
  }
};
