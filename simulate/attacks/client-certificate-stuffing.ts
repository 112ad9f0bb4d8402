/**
 * Attack episode `client-certificate-stuffing` — credential-stuffing: Trying a batch of stolen
 * client certificates (T1110.004, T1588.004). success-after-failures: Valid device certificate from
 * the stolen batch accepted (T1078).
 */
import { emitRequest } from '../benign/api-requests.js';
import { telemetryRequest } from '../benign/factory-devices.js';
import { NETWORKS, randomHost } from '../networks.js';
import { ATTACKER_UA } from '../user-agents.js';
import { mtlsClientKey, type EpisodeDef } from './episode.js';

export const certificateStuffing: EpisodeDef = {
  slug: 'client-certificate-stuffing',
  window: 'offHours',
  run: (episode) => {
    const { ctx, rng } = episode;
    const api = ctx.fleet.apis.ingest;
    const ip = randomHost(rng, NETWORKS.digitalOceanUs);
    let t = episode.atMs;
    const stolen = Array.from({ length: rng.int(6, 8) }, (_, index) => ({
      serial: Array.from({ length: 16 }, () => rng.hex(2)).join(':'),
      subject: `CN=factory-gw-${String(11 + index)}.staging.plants.example.com,OU=OT,O=Example Manufacturing GmbH,C=DE`,
    }));
    for (const cert of stolen) {
      const attempts = rng.int(1, 2);
      for (let index = 0; index < attempts; index += 1) {
        emitRequest(
          ctx,
          rng,
          {
            timeMs: t,
            api,
            ...telemetryRequest(rng),
            status: 401,
            responseLength: 26,
            sourceIp: ip,
            userAgent: ATTACKER_UA.curl,
            caller: { certSerial: cert.serial, certSubject: cert.subject },
            auth: { authorizerError: 'Unauthorized' },
            error: { type: 'UNAUTHORIZED', message: 'Unauthorized' },
          },
          episode.label(
            'credential-stuffing',
            'Trying a batch of stolen client certificates (T1110.004, T1588.004)',
            mtlsClientKey(ctx, cert.serial),
          ),
        );
        t += rng.int(1_500, 15_000);
      }
    }
    const device = ctx.fleet.devices[4];
    if (!device) return;
    t += rng.int(10_000, 60_000);
    const successLabel = episode.label(
      'success-after-failures',
      'Valid device certificate from the stolen batch accepted (T1078)',
      mtlsClientKey(ctx, device.certSerial),
    );
    const uploads = rng.int(5, 12);
    for (let index = 0; index < uploads; index += 1) {
      emitRequest(
        ctx,
        rng,
        {
          timeMs: t,
          api,
          ...telemetryRequest(rng),
          sourceIp: ip,
          userAgent: ATTACKER_UA.curl,
          caller: { certSerial: device.certSerial, certSubject: device.certSubject },
        },
        successLabel,
      );
      t += rng.int(3_000, 20_000);
    }
  },
};
