/**
 * Benign API Gateway traffic of the cross-account IAM (SigV4) inventory-sync caller on the HTTP API.
 */
import type { ApiCallerIdentity } from '../api-gateway-builder.js';
import { newRoleSession, sessionArn } from '../cloudtrail-builder.js';
import { HOUR_MS, sessionAt, type GenContext, type TimedSession } from '../context.js';
import { hostInSubnet, NETWORKS, randomSubnet24 } from '../networks.js';
import type { Rng } from '../prng.js';
import { INVENTORY_SYNC_CLIENT } from '../user-agents.js';
import { emitRequest } from './api-requests.js';

/**
 * Caller variables of the partner account's SigV4-signed inventory sync. No `accessKey`: the
 * shipped access-log format does not log it (it is not a documented access-logging variable).
 */
export const inventoryCaller = (env: TimedSession): ApiCallerIdentity => ({
  identityAccountId: env.session.role.accountId,
  callerArn: sessionArn(env.session),
});

export const generateInventorySync = (ctx: GenContext): void => {
  const rng = ctx.rng.fork('inventory-sync');
  const api = ctx.fleet.apis.ingest;
  const role = ctx.fleet.roles.inventorySync;
  const envs = ctx.state.inventoryEnvs;
  let env: TimedSession | undefined;
  for (let t0 = ctx.startMs + rng.int(0, 600_000); t0 < ctx.endMs; t0 += 600_000) {
    if (!env || env.toMs <= t0) {
      const session = newRoleSession(rng, role, 'inventory-sync', t0 - rng.int(200, 900));
      env = {
        session,
        ip: hostInSubnet(rng, randomSubnet24(rng, NETWORKS.awsEuw1Lambda)),
        fromMs: session.creationMs,
        toMs: t0 + Math.floor(rng.float(1.5, 5) * HOUR_MS),
      };
      envs.push(env);
    }
    const current = env;
    let t = t0 + rng.int(0, 1_500);
    const request = (
      method: string,
      route: string,
      path: string,
      status: number,
      responseLength: number,
    ): void => {
      emitRequest(ctx, rng, {
        timeMs: t,
        api,
        method,
        route,
        path,
        status,
        responseLength,
        sourceIp: current.ip,
        userAgent: INVENTORY_SYNC_CLIENT,
        caller: inventoryCaller(current),
      });
      t += rng.int(40, 400);
    };
    request('GET', '/items', '/items', 200, rng.int(2_000, 9_000));
    const reads = 1 + rng.poisson(2.5 * ctx.scale);
    for (let index = 0; index < reads; index += 1) {
      const found = rng.chance(0.99);
      request(
        'GET',
        '/items/{id}',
        `/items/${rng.int(100_000, 999_999)}`,
        found ? 200 : 404,
        found ? rng.int(300, 900) : 40,
      );
    }
    const writes = rng.poisson(1.2 * ctx.scale);
    for (let index = 0; index < writes; index += 1)
      request('PUT', '/items/{id}', `/items/${rng.int(100_000, 999_999)}`, 200, rng.int(80, 200));
  }
};

/** The inventory-sync session in use at a time. */
export const inventoryEnvAt = (ctx: GenContext, rng: Rng, timeMs: number): TimedSession | undefined =>
  sessionAt(rng, ctx.state.inventoryEnvs, timeMs);
