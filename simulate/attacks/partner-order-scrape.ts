/**
 * Attack episode `partner-order-scrape` — rate-anomaly: Compromised partner system scraping orders
 * at 20x its rate (T1119).
 */
import { COGNITO_OK, emitRequest } from '../benign/api-requests.js';
import { orderId, partnerCaller } from '../benign/partner.js';
import { diurnal, HOUR_MS, isWeekend, sortedTimes } from '../context.js';
import { PARTNER_HTTP_CLIENT } from '../user-agents.js';
import { partnerKey, type EpisodeDef } from './episode.js';

export const partnerScrape: EpisodeDef = {
  slug: 'partner-order-scrape',
  window: 'partnerHours',
  run: (episode) => {
    const { ctx, rng } = episode;
    const hourStart = episode.atMs - (episode.atMs % HOUR_MS);
    const label = episode.label(
      'rate-anomaly',
      'Compromised partner system scraping orders at 20x its rate (T1119)',
      partnerKey(ctx),
    );
    const mean = (isWeekend(hourStart) ? 22 : 65) * diurnal(hourStart, 11, 0.35) * ctx.scale;
    const extra = Math.max(300, Math.round(19 * mean));
    let id = Number(orderId(rng));
    for (const t of sortedTimes(rng, extra, hourStart, hourStart + HOUR_MS)) {
      const token = ctx.state.partnerTokens.find((candidate) => candidate.fromMs <= t && t < candidate.toMs);
      if (!token) continue;
      id += rng.int(1, 4);
      const found = rng.chance(0.93);
      emitRequest(
        ctx,
        rng,
        {
          timeMs: t,
          api: ctx.fleet.apis.orders,
          method: 'GET',
          route: '/orders/{id}',
          path: `/orders/${id}`,
          status: found ? 200 : 404,
          responseLength: found ? rng.int(600, 1_400) : 45,
          sourceIp: rng.pick(ctx.fleet.partner.natIps),
          userAgent: PARTNER_HTTP_CLIENT,
          caller: partnerCaller(ctx, token.jti),
          auth: COGNITO_OK,
        },
        label,
      );
    }
  },
};
