/**
 * Attack episode `etl-task-run-at-midday` — contract-violation: ETL task definition launched by
 * hand at midday to bulk-read the data lake (T1530, T1078.004).
 */
import { emitCall } from '../benign/cloudtrail-calls.js';
import { assumeRolePayload, newRoleSession } from '../cloudtrail-builder.js';
import { MINUTE_MS, sortedTimes } from '../context.js';
import { ACCOUNTS, REGION, roleKey } from '../fleet.js';
import { identityKeyHint } from '../identity-key.js';
import { NETWORKS, randomHost } from '../networks.js';
import { FARGATE_BOTO3 } from '../user-agents.js';
import type { EpisodeDef } from './episode.js';

export const etlDaytimeRun: EpisodeDef = {
  slug: 'etl-task-run-at-midday',
  window: 'business',
  run: (episode) => {
    const { ctx, rng } = episode;
    const role = ctx.fleet.roles.nightlyEtl;
    const technique =
      'ETL task definition launched by hand at midday to bulk-read the data lake (T1530, T1078.004)';
    const session = newRoleSession(rng, role, rng.hex(32), episode.atMs);
    const payload = assumeRolePayload(session, 21_600);
    emitCall(
      ctx,
      rng,
      {
        timeMs: episode.atMs,
        actor: { kind: 'aws-service', service: 'ecs-tasks.amazonaws.com' },
        action: 'sts:AssumeRole',
        region: REGION,
        sourceIp: 'ecs-tasks.amazonaws.com',
        userAgent: 'ecs-tasks.amazonaws.com',
        resources: { accountId: ACCOUNTS.workload },
        requestParameters: payload.requestParameters,
        responseElements: payload.responseElements,
        eventResources: payload.eventResources,
      },
      episode.label(
        'contract-violation',
        technique,
        identityKeyHint({ kind: 'aws-service', service: 'ecs-tasks.amazonaws.com' }),
        false,
      ),
    );
    const label = episode.label('contract-violation', technique, roleKey(role));
    const ip = randomHost(rng, NETWORKS.awsUse1Fargate);
    const start = episode.atMs + rng.int(30_000, 60_000);
    const times = sortedTimes(rng, rng.int(33, 63), start, start + 10 * MINUTE_MS);
    times.forEach((t, index) => {
      emitCall(
        ctx,
        rng,
        {
          timeMs: t,
          actor: session,
          action: index < 3 ? 's3:ListObjects' : 's3:GetObject',
          region: REGION,
          sourceIp: ip,
          userAgent: FARGATE_BOTO3,
          resources: ctx.fleet.etlResources,
        },
        label,
      );
    });
  },
};
