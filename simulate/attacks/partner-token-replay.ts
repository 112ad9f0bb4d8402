/**
 * Attack episode `partner-token-replay` — credential-replay: Stolen OAuth bearer token replayed
 * from another network (T1550.001).
 */
import { COGNITO_OK, emitRequest } from '../benign/api-requests.js';
import { orderId, partnerCaller } from '../benign/partner.js';
import { MINUTE_MS } from '../context.js';
import { NETWORKS, randomHost } from '../networks.js';
import { ATTACKER_UA } from '../user-agents.js';
import { partnerKey, partnerTokenAt, type EpisodeDef } from './episode.js';

export const partnerTokenReplay: EpisodeDef = {
  slug: 'partner-token-replay',
  window: 'partnerHours',
  run: (episode) => {
    const { ctx, rng } = episode;
    const token = partnerTokenAt(ctx, episode.atMs, 15 * MINUTE_MS);
    if (!token) return;
    const label = episode.label(
      'credential-replay',
      'Stolen OAuth bearer token replayed from another network (T1550.001)',
      partnerKey(ctx),
    );
    const ip = randomHost(rng, NETWORKS.comcastUs);
    let t = Math.max(episode.atMs, token.fromMs + rng.int(60_000, 300_000));
    let id = Number(orderId(rng));
    const requests = rng.int(15, 40);
    for (let index = 0; index < requests && t < token.toMs; index += 1) {
      const found = rng.chance(0.7);
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
          sourceIp: ip,
          userAgent: ATTACKER_UA.pythonRequests,
          caller: partnerCaller(ctx, token.jti),
          auth: COGNITO_OK,
        },
        label,
      );
      id += rng.int(1, 3);
      t += rng.int(5_000, 30_000);
    }
  },
};
