/**
 * Attack episode `revoked-certificate-burst` — auth-failure-burst: Stolen, revoked client
 * certificate retried against the API (T1110, T1588.004).
 */
import { emitRequest } from '../benign/api-requests.js';
import { telemetryRequest } from '../benign/factory-devices.js';
import { sortedTimes } from '../context.js';
import { NETWORKS, randomHost } from '../networks.js';
import { PLANT_AGENT } from '../user-agents.js';
import { mtlsClientKey, type EpisodeDef } from './episode.js';

export const revokedCertificateBurst: EpisodeDef = {
  slug: 'revoked-certificate-burst',
  window: 'evening',
  run: (episode) => {
    const { ctx, rng } = episode;
    const device = ctx.fleet.devices[ctx.fleet.renewedDevice.index];
    if (!device) return;
    const label = episode.label(
      'auth-failure-burst',
      'Stolen, revoked client certificate retried against the API (T1110, T1588.004)',
      mtlsClientKey(ctx, device.certSerial),
    );
    const ip = randomHost(rng, NETWORKS.digitalOceanDe);
    const times = sortedTimes(rng, rng.int(12, 25), episode.atMs, episode.atMs + rng.int(120_000, 240_000));
    for (const t of times) {
      emitRequest(
        ctx,
        rng,
        {
          timeMs: t,
          api: ctx.fleet.apis.ingest,
          ...telemetryRequest(rng),
          status: 401,
          responseLength: 26,
          sourceIp: ip,
          userAgent: PLANT_AGENT,
          caller: { certSerial: device.certSerial, certSubject: device.certSubject },
          auth: { authorizerError: 'Unauthorized' },
          error: { type: 'UNAUTHORIZED', message: 'Unauthorized' },
        },
        label,
      );
    }
  },
};
