/**
 * Attack episode `api-route-permission-probe` — access-denied-burst: Probing API routes beyond the
 * caller's IAM permissions (T1526).
 */
import { emitRequest } from '../benign/api-requests.js';
import { inventoryCaller } from '../benign/inventory-sync.js';
import { sessionArn } from '../cloudtrail-builder.js';
import { MINUTE_MS } from '../context.js';
import { ACCOUNTS } from '../fleet.js';
import { INVENTORY_SYNC_CLIENT } from '../user-agents.js';
import { ingestKey, liveSession, type EpisodeDef } from './episode.js';

const PROBED_ROUTES: readonly (readonly [string, string, string])[] = [
  ['POST', '/v1/telemetry', '/v1/telemetry'],
  ['GET', '/v1/devices', '/v1/devices'],
  ['GET', '/v1/devices/{id}', '/v1/devices/factory-gw-01'],
  ['DELETE', '/v1/devices/{id}', '/v1/devices/factory-gw-02'],
  ['GET', '/v1/firmware', '/v1/firmware'],
  ['POST', '/v1/firmware', '/v1/firmware'],
  ['GET', '/admin/config', '/admin/config'],
  ['PUT', '/admin/config', '/admin/config'],
  ['GET', '/admin/audit-log', '/admin/audit-log'],
  ['POST', '/admin/keys/rotate', '/admin/keys/rotate'],
];

export const inventoryRouteProbe: EpisodeDef = {
  slug: 'api-route-permission-probe',
  window: 'evening',
  run: (episode) => {
    const { ctx, rng } = episode;
    const live = liveSession(episode, ctx.state.inventoryEnvs, 10 * MINUTE_MS);
    if (!live) return;
    const env = live.session;
    const api = ctx.fleet.apis.ingest;
    const label = episode.label(
      'access-denied-burst',
      "Probing API routes beyond the caller's IAM permissions (T1526)",
      ingestKey(ctx),
    );
    let t = live.atMs;
    const requests = rng.int(12, 20);
    const routes = rng.shuffle(PROBED_ROUTES);
    for (let index = 0; index < requests; index += 1) {
      const [method, route, path] = routes[index % routes.length] ?? [
        'GET',
        '/admin/config',
        '/admin/config',
      ];
      emitRequest(
        ctx,
        rng,
        {
          timeMs: t,
          api,
          method,
          route,
          path,
          status: 403,
          responseLength: 23,
          sourceIp: env.ip,
          userAgent: INVENTORY_SYNC_CLIENT,
          caller: inventoryCaller(env),
          error: {
            type: 'ACCESS_DENIED',
            message: `User: ${sessionArn(env.session)} is not authorized to perform: execute-api:Invoke on resource: arn:aws:execute-api:${api.region}:${ACCOUNTS.workload}:${api.apiId}/${api.stage}/${method}${path}`,
          },
        },
        label,
      );
      t += rng.int(400, 6_000);
    }
  },
};
