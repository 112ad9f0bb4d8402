/**
 * Benign API Gateway traffic of the API-key storefront on the REST API.
 */
import type { ApiCallerIdentity } from '../api-gateway-builder.js';
import { DAY_MS, diurnal, HOUR_MS, isWeekend, sortedTimes, type GenContext } from '../context.js';
import type { Rng } from '../prng.js';
import { STOREFRONT_HTTP_CLIENT } from '../user-agents.js';
import { emitRequest } from './api-requests.js';

/** A catalog request of an API-key client. */
export const catalogRequest = (
  rng: Rng,
): { method: string; route: string; path: string; status: number; responseLength: number } =>
  rng.chance(0.55)
    ? {
        method: 'GET',
        route: '/catalog/items',
        path: '/catalog/items',
        status: 200,
        responseLength: rng.int(4_000, 18_000),
      }
    : {
        method: 'GET',
        route: '/catalog/items/{sku}',
        path: `/catalog/items/SKU-${rng.int(10_000, 99_999)}`,
        status: 200,
        responseLength: rng.int(700, 2_400),
      };

export const generateStorefront = (ctx: GenContext): void => {
  const rng = ctx.rng.fork('storefront');
  const api = ctx.fleet.apis.orders;
  const caller: ApiCallerIdentity = { apiKeyId: ctx.fleet.storefront.apiKeyId };
  for (let day = 0; day < ctx.days; day += 1) {
    const dayStart = ctx.startMs + day * DAY_MS;
    const factor = Math.exp(rng.normal(0, 0.08));
    // Usage-plan throttling: a short cluster of 429s at the evening peak on some days.
    const throttleHour = rng.chance(0.4) ? rng.int(18, 20) : -1;
    for (let hour = 0; hour < 24; hour += 1) {
      const hourStart = dayStart + hour * HOUR_MS;
      const lambda =
        45 * diurnal(hourStart, 19, 0.5) * (isWeekend(hourStart) ? 1.15 : 1) * ctx.scale * factor;
      const times = sortedTimes(rng, rng.poisson(lambda), hourStart, hourStart + HOUR_MS);
      const throttleAt = hour === throttleHour && times.length > 10 ? rng.int(0, times.length - 5) : -1;
      times.forEach((t, index) => {
        const throttled = throttleAt >= 0 && index >= throttleAt && index < throttleAt + 3;
        const request = catalogRequest(rng);
        emitRequest(ctx, rng, {
          timeMs: t,
          api,
          ...request,
          ...(throttled ? { status: 429, responseLength: 30 } : {}),
          sourceIp: rng.pick(ctx.fleet.storefront.hosts),
          userAgent: STOREFRONT_HTTP_CLIENT,
          caller,
          ...(throttled ? { error: { type: 'THROTTLED', message: 'Too Many Requests' } } : {}),
        });
      });
    }
  }
};
