/**
 * Attack episode `inventory-mass-delete` — new-action: Partner-account role deleting inventory
 * items it never deleted before (T1485).
 */
import { emitRequest } from '../benign/api-requests.js';
import { inventoryCaller } from '../benign/inventory-sync.js';
import { MINUTE_MS } from '../context.js';
import { INVENTORY_SYNC_CLIENT } from '../user-agents.js';
import { ingestKey, liveSession, type EpisodeDef } from './episode.js';

export const inventoryDeletes: EpisodeDef = {
  slug: 'inventory-mass-delete',
  window: 'business',
  run: (episode) => {
    const { ctx, rng } = episode;
    const live = liveSession(episode, ctx.state.inventoryEnvs, 10 * MINUTE_MS);
    if (!live) return;
    const env = live.session;
    const label = episode.label(
      'new-action',
      'Partner-account role deleting inventory items it never deleted before (T1485)',
      ingestKey(ctx),
    );
    let t = live.atMs;
    const deletes = rng.int(4, 10);
    for (let index = 0; index < deletes; index += 1) {
      emitRequest(
        ctx,
        rng,
        {
          timeMs: t,
          api: ctx.fleet.apis.ingest,
          method: 'DELETE',
          route: '/items/{id}',
          path: `/items/${rng.int(100_000, 999_999)}`,
          status: 204,
          responseLength: 0,
          sourceIp: env.ip,
          userAgent: INVENTORY_SYNC_CLIENT,
          caller: inventoryCaller(env),
        },
        label,
      );
      t += rng.int(300, 4_000);
    }
  },
};
