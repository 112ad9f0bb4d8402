/**
 * Benign API Gateway traffic of the factory gateways on the HTTP API, with client certificates
 * (renewed once during learning).
 */
import { DAY_MS, HOUR_MS, sortedTimes, type GenContext } from '../context.js';
import type { Rng } from '../prng.js';
import { PLANT_AGENT } from '../user-agents.js';
import { emitRequest } from './api-requests.js';

/** Telemetry upload of a factory gateway (mTLS, with a revocation-checking Lambda authorizer). */
export const telemetryRequest = (
  rng: Rng,
): { method: string; route: string; path: string; status: number; responseLength: number } => ({
  method: 'POST',
  route: '/v1/telemetry',
  path: '/v1/telemetry',
  status: 202,
  responseLength: 17 + rng.int(0, 2),
});

export const generateDevices = (ctx: GenContext): void => {
  const api = ctx.fleet.apis.ingest;
  const renewalDay = Math.max(0, Math.floor(ctx.learningDays * 0.4));
  const renewalMs = ctx.startMs + renewalDay * DAY_MS + 13 * HOUR_MS + 17 * 60_000;
  ctx.state.deviceRenewalMs = renewalMs;
  ctx.fleet.devices.forEach((device, index) => {
    const rng = ctx.rng.fork(`device/${device.name}`);
    for (let hourStart = ctx.startMs; hourStart < ctx.endMs; hourStart += HOUR_MS) {
      for (const t of sortedTimes(rng, rng.poisson(20 * ctx.scale), hourStart, hourStart + HOUR_MS)) {
        const serial =
          index === ctx.fleet.renewedDevice.index && t >= renewalMs
            ? ctx.fleet.renewedDevice.certSerial
            : device.certSerial;
        const failed = rng.chance(0.001);
        emitRequest(ctx, rng, {
          timeMs: t,
          api,
          ...telemetryRequest(rng),
          ...(failed ? { status: 500, responseLength: 35 } : {}),
          sourceIp: device.sourceIp,
          userAgent: PLANT_AGENT,
          caller: { certSerial: serial, certSubject: device.certSubject },
          ...(failed ? { error: { type: 'INTEGRATION_FAILURE', message: 'Internal Server Error' } } : {}),
        });
      }
    }
  });
};
