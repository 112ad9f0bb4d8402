/**
 * Attack episode `retired-api-key-revived` — dormant-identity: API key of a retired app extracted
 * from an old build and reused (T1078, T1552.001).
 */
import { emitRequest } from '../benign/api-requests.js';
import { catalogRequest } from '../benign/storefront.js';
import { MINUTE_MS, sortedTimes } from '../context.js';
import { identityKeyHint } from '../identity-key.js';
import { NETWORKS, randomHost } from '../networks.js';
import { LEGACY_MOBILE_CLIENT } from '../user-agents.js';
import type { EpisodeDef } from './episode.js';

export const dormantApiKey: EpisodeDef = {
  slug: 'retired-api-key-revived',
  window: 'evening',
  run: (episode) => {
    const { ctx, rng } = episode;
    const apiKeyId = ctx.fleet.legacyMobile.apiKeyId;
    const label = episode.label(
      'dormant-identity',
      'API key of a retired app extracted from an old build and reused (T1078, T1552.001)',
      identityKeyHint({
        kind: 'api-client',
        apiId: ctx.fleet.apis.orders.apiId,
        issuerOrAuthType: 'api-key',
        id: apiKeyId,
      }),
    );
    const ip = randomHost(rng, NETWORKS.digitalOceanUs);
    for (const t of sortedTimes(rng, rng.int(20, 60), episode.atMs, episode.atMs + 30 * MINUTE_MS)) {
      emitRequest(
        ctx,
        rng,
        {
          timeMs: t,
          api: ctx.fleet.apis.orders,
          ...catalogRequest(rng),
          sourceIp: ip,
          userAgent: LEGACY_MOBILE_CLIENT,
          caller: { apiKeyId },
        },
        label,
      );
    }
  },
};
