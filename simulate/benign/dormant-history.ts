/**
 * History of the data-sync user before it went silent (placed before the run's start), so the
 * dormant-identity episode has a past to revive.
 */
import type { Actor } from '../cloudtrail-builder.js';
import { DAY_MS, HOUR_MS, MINUTE_MS, type GenContext } from '../context.js';
import { REGION } from '../fleet.js';
import { LEGACY_AWS_CLI_V1 } from '../user-agents.js';
import { emitCall } from './cloudtrail-calls.js';

/** History of the data-sync user before it went silent (placed before the run's start). */
export const DORMANT_HISTORY_DAYS = { fromDaysBeforeStart: 45, toDaysBeforeStart: 39 } as const;

export const generateDormantHistory = (ctx: GenContext): void => {
  const rng = ctx.rng.fork('dormant-history');
  const key = ctx.fleet.users.dataSync;
  const actor: Actor = { kind: 'iam-user', ...key };
  for (
    let back = DORMANT_HISTORY_DAYS.fromDaysBeforeStart;
    back > DORMANT_HISTORY_DAYS.toDaysBeforeStart;
    back -= 1
  ) {
    let t = ctx.startMs - back * DAY_MS + 3 * HOUR_MS + 10 * MINUTE_MS + rng.int(0, 60_000);
    const call = (action: string): void => {
      emitCall(ctx, rng, {
        timeMs: t,
        actor,
        action,
        region: REGION,
        sourceIp: ctx.fleet.onPrem.dataSyncHost,
        userAgent: LEGACY_AWS_CLI_V1,
        resources: ctx.fleet.dataSyncResources,
      });
      t += rng.int(300, 4_000);
    };
    call('s3:ListObjects');
    const files = rng.int(10, 25);
    for (let index = 0; index < files; index += 1) call('s3:PutObject');
  }
};
