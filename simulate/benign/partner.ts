/**
 * Benign API Gateway traffic of the partner's OAuth client: Cognito client-credentials tokens rotating
 * hourly, within the partner's active hours.
 */
import type { ApiCallerIdentity } from '../api-gateway-builder.js';
import { DAY_MS, diurnal, HOUR_MS, isWeekend, sortedTimes, type GenContext } from '../context.js';
import type { Rng } from '../prng.js';
import { PARTNER_HTTP_CLIENT } from '../user-agents.js';
import { COGNITO_OK, emitRequest } from './api-requests.js';

/** A partner order id. */
export const orderId = (rng: Rng): string => String(rng.int(4_000_000, 4_999_999));

/** Partner request mix and outcomes on the orders API. */
export const partnerRequest = (
  rng: Rng,
): { method: string; route: string; path: string; status: number; responseLength: number } => {
  if (rng.chance(0.72)) {
    const found = rng.chance(0.975);
    return {
      method: 'GET',
      route: '/orders/{id}',
      path: `/orders/${orderId(rng)}`,
      status: found ? 200 : 404,
      responseLength: found ? rng.int(600, 1_400) : 45,
    };
  }
  const valid = rng.chance(0.985);
  return {
    method: 'POST',
    route: '/orders',
    path: '/orders',
    status: valid ? 201 : 400,
    responseLength: valid ? rng.int(120, 180) : rng.int(80, 120),
  };
};

/** The partner's caller identity variables for a token. */
export const partnerCaller = (ctx: GenContext, jti: string): ApiCallerIdentity => ({
  sub: ctx.fleet.partner.clientId,
  clientId: ctx.fleet.partner.clientId,
  issuer: ctx.fleet.partner.issuer,
  jti,
  scope: ctx.fleet.partner.scope,
});

/** Partner active hours (UTC): calls start at 06:00, the last hour is 20:00–20:59. */
export const PARTNER_HOURS = { start: 6, end: 21 } as const;

export const generatePartner = (ctx: GenContext): void => {
  const rng = ctx.rng.fork('partner');
  const api = ctx.fleet.apis.orders;
  let token: { jti: string; fromMs: number; toMs: number } | undefined;
  for (let day = 0; day < ctx.days; day += 1) {
    const dayStart = ctx.startMs + day * DAY_MS;
    const factor = Math.exp(rng.normal(0, 0.08));
    for (let hour = PARTNER_HOURS.start; hour < PARTNER_HOURS.end; hour += 1) {
      const hourStart = dayStart + hour * HOUR_MS;
      const lambda = (isWeekend(hourStart) ? 22 : 65) * diurnal(hourStart, 11, 0.35) * ctx.scale * factor;
      for (const t of sortedTimes(rng, rng.poisson(lambda), hourStart, hourStart + HOUR_MS)) {
        if (!token || t >= token.toMs) {
          const fromMs = t - rng.int(200, 2_000);
          token = { jti: rng.uuid(), fromMs, toMs: fromMs + HOUR_MS };
          ctx.state.partnerTokens.push(token);
        }
        emitRequest(ctx, rng, {
          timeMs: t,
          api,
          ...partnerRequest(rng),
          sourceIp: rng.pick(ctx.fleet.partner.natIps),
          userAgent: PARTNER_HTTP_CLIENT,
          caller: partnerCaller(ctx, token.jti),
          auth: COGNITO_OK,
        });
      }
    }
  }
};
