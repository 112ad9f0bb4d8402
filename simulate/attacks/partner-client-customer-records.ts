/**
 * Attack episode `partner-client-customer-records` — contract-violation: Partner token reading
 * customer records outside its integration (T1213, T1530).
 */
import { COGNITO_OK, emitRequest } from '../benign/api-requests.js';
import { partnerCaller } from '../benign/partner.js';
import { MINUTE_MS } from '../context.js';
import { PARTNER_HTTP_CLIENT } from '../user-agents.js';
import { partnerKey, partnerTokenAt, type EpisodeDef } from './episode.js';

export const partnerOutOfContractRoute: EpisodeDef = {
  slug: 'partner-client-customer-records',
  window: 'partnerHours',
  run: (episode) => {
    const { ctx, rng } = episode;
    const token = partnerTokenAt(ctx, episode.atMs, 15 * MINUTE_MS);
    if (!token) return;
    const label = episode.label(
      'contract-violation',
      'Partner token reading customer records outside its integration (T1213, T1530)',
      partnerKey(ctx),
    );
    let t = Math.max(episode.atMs, token.fromMs + 30_000);
    const requests = rng.int(4, 10);
    for (let index = 0; index < requests && t < token.toMs; index += 1) {
      emitRequest(
        ctx,
        rng,
        {
          timeMs: t,
          api: ctx.fleet.apis.orders,
          method: 'GET',
          route: '/customers/{id}',
          path: `/customers/C${rng.int(100_000, 999_999)}`,
          status: 200,
          responseLength: rng.int(900, 2_200),
          sourceIp: rng.pick(ctx.fleet.partner.natIps),
          userAgent: PARTNER_HTTP_CLIENT,
          caller: partnerCaller(ctx, token.jti),
          auth: COGNITO_OK,
        },
        label,
      );
      t += rng.int(5_000, 60_000);
    }
  },
};
