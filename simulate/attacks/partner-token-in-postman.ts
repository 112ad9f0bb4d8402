/**
 * Attack episode `partner-token-in-postman` — new-user-agent: Production client token used by a
 * human in an API tool (T1078, NHI10).
 */
import { COGNITO_OK, emitRequest } from '../benign/api-requests.js';
import { orderId, partnerCaller } from '../benign/partner.js';
import { MINUTE_MS } from '../context.js';
import { ATTACKER_UA } from '../user-agents.js';
import { partnerKey, partnerTokenAt, type EpisodeDef } from './episode.js';

export const partnerPostman: EpisodeDef = {
  slug: 'partner-token-in-postman',
  window: 'partnerHours',
  run: (episode) => {
    const { ctx, rng } = episode;
    const token = partnerTokenAt(ctx, episode.atMs, 20 * MINUTE_MS);
    if (!token) return;
    const label = episode.label(
      'new-user-agent',
      'Production client token used by a human in an API tool (T1078, NHI10)',
      partnerKey(ctx),
    );
    let t = Math.max(episode.atMs, token.fromMs + 60_000);
    const ip = rng.pick(ctx.fleet.partner.natIps);
    const requests = rng.int(3, 8);
    for (let index = 0; index < requests && t < token.toMs; index += 1) {
      const request =
        index === requests - 1 && rng.chance(0.5)
          ? { method: 'POST', route: '/orders', path: '/orders', status: 400, responseLength: 97 }
          : {
              method: 'GET',
              route: '/orders/{id}',
              path: `/orders/${orderId(rng)}`,
              status: 200,
              responseLength: rng.int(600, 1_400),
            };
      emitRequest(
        ctx,
        rng,
        {
          timeMs: t,
          api: ctx.fleet.apis.orders,
          ...request,
          sourceIp: ip,
          userAgent: ATTACKER_UA.postman,
          caller: partnerCaller(ctx, token.jti),
          auth: COGNITO_OK,
        },
        label,
      );
      t += rng.int(20_000, 150_000);
    }
  },
};
