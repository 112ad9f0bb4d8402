/**
 * History of the retired mobile app's API key (placed before the run's start).
 */
import type { ApiCallerIdentity } from '../api-gateway-builder.js';
import { DAY_MS, diurnal, HOUR_MS, sortedTimes, type GenContext } from '../context.js';
import { LEGACY_MOBILE_CLIENT } from '../user-agents.js';
import { emitRequest } from './api-requests.js';
import { catalogRequest } from './storefront.js';

/** History of the retired mobile app's API key (placed before the run's start). */
export const LEGACY_MOBILE_HISTORY_DAYS = { fromDaysBeforeStart: 50, toDaysBeforeStart: 43 } as const;

export const generateLegacyMobileHistory = (ctx: GenContext): void => {
  const rng = ctx.rng.fork('legacy-mobile');
  const api = ctx.fleet.apis.orders;
  const caller: ApiCallerIdentity = { apiKeyId: ctx.fleet.legacyMobile.apiKeyId };
  for (
    let back = LEGACY_MOBILE_HISTORY_DAYS.fromDaysBeforeStart;
    back > LEGACY_MOBILE_HISTORY_DAYS.toDaysBeforeStart;
    back -= 1
  ) {
    const dayStart = ctx.startMs - back * DAY_MS;
    for (let hour = 0; hour < 24; hour += 1) {
      const hourStart = dayStart + hour * HOUR_MS;
      for (const t of sortedTimes(
        rng,
        rng.poisson(12 * diurnal(hourStart, 19, 0.6)),
        hourStart,
        hourStart + HOUR_MS,
      )) {
        emitRequest(ctx, rng, {
          timeMs: t,
          api,
          ...catalogRequest(rng),
          sourceIp: ctx.fleet.legacyMobile.host,
          userAgent: LEGACY_MOBILE_CLIENT,
          caller,
        });
      }
    }
  }
};
