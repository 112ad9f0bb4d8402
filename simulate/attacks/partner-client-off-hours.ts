/**
 * Attack episode `partner-client-off-hours` — contract-violation: Partner client active outside its
 * contracted hours (T1078).
 */
import { COGNITO_OK, emitRequest } from '../benign/api-requests.js';
import { orderId, partnerCaller } from '../benign/partner.js';
import { MINUTE_MS, sortedTimes } from '../context.js';
import { PARTNER_HTTP_CLIENT } from '../user-agents.js';
import { partnerKey, type EpisodeDef } from './episode.js';

export const partnerOffHours: EpisodeDef = {
  slug: 'partner-client-off-hours',
  window: 'offHours',
  run: (episode) => {
    const { ctx, rng } = episode;
    const label = episode.label(
      'contract-violation',
      'Partner client active outside its contracted hours (T1078)',
      partnerKey(ctx),
    );
    const jti = rng.uuid();
    for (const t of sortedTimes(rng, rng.int(10, 30), episode.atMs, episode.atMs + 20 * MINUTE_MS)) {
      emitRequest(
        ctx,
        rng,
        {
          timeMs: t,
          api: ctx.fleet.apis.orders,
          method: 'GET',
          route: '/orders/{id}',
          path: `/orders/${orderId(rng)}`,
          status: 200,
          responseLength: rng.int(600, 1_400),
          sourceIp: rng.pick(ctx.fleet.partner.natIps),
          userAgent: PARTNER_HTTP_CLIENT,
          caller: partnerCaller(ctx, jti),
          auth: COGNITO_OK,
        },
        label,
      );
    }
  },
};
