/**
 * Attack episode `partner-client-new-network` — new-source: Stolen OAuth client secret used from a
 * new network (T1528, T1078.004).
 */
import { COGNITO_OK, emitRequest } from '../benign/api-requests.js';
import { orderId, partnerCaller } from '../benign/partner.js';
import { NETWORKS, randomHost } from '../networks.js';
import { PARTNER_HTTP_CLIENT } from '../user-agents.js';
import { partnerKey, type EpisodeDef } from './episode.js';

export const partnerNewNetwork: EpisodeDef = {
  slug: 'partner-client-new-network',
  window: 'partnerHours',
  run: (episode) => {
    const { ctx, rng } = episode;
    const label = episode.label(
      'new-source',
      'Stolen OAuth client secret used from a new network (T1528, T1078.004)',
      partnerKey(ctx),
    );
    const ip = randomHost(rng, NETWORKS.ovhFr);
    const jti = rng.uuid();
    let t = episode.atMs;
    const requests = rng.int(20, 40);
    for (let index = 0; index < requests; index += 1) {
      const found = rng.chance(0.9);
      emitRequest(
        ctx,
        rng,
        {
          timeMs: t,
          api: ctx.fleet.apis.orders,
          method: 'GET',
          route: '/orders/{id}',
          path: `/orders/${orderId(rng)}`,
          status: found ? 200 : 404,
          responseLength: found ? rng.int(600, 1_400) : 45,
          sourceIp: ip,
          userAgent: PARTNER_HTTP_CLIENT,
          caller: partnerCaller(ctx, jti),
          auth: COGNITO_OK,
        },
        label,
      );
      t += rng.int(10_000, 90_000);
    }
  },
};
