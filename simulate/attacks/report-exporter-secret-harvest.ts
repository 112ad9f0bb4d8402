/**
 * Attack episode `report-exporter-secret-harvest` — sensitive-read-breadth: a compromised
 * dependency in the report exporter walks the account's secrets and reads every one it can, all
 * calls succeeding (T1555.006). The function normally reads one secret at start-up.
 */
import { emitCall, lambdaUserAgent } from '../benign/cloudtrail-calls.js';
import type { CallSpec, Resources } from '../cloudtrail-builder.js';
import { REGION, roleKey } from '../fleet.js';
import { lambdaDef, lambdaEnv, type EpisodeDef } from './episode.js';

const SERVICES = ['orders', 'payments', 'partner', 'billing', 'search', 'mailer', 'ledger', 'reports'];
const KINDS = ['db', 'api-key', 'oauth-client', 'signing-key'];

export const reportExporterSecretHarvest: EpisodeDef = {
  slug: 'report-exporter-secret-harvest',
  window: 'business',
  run: (episode) => {
    const { ctx, rng } = episode;
    const fn = lambdaDef(ctx, 'report-exporter');
    const live = lambdaEnv(episode, fn.functionName);
    if (!live) return;
    const env = live.session;
    const label = episode.label(
      'sensitive-read-breadth',
      'Compromised dependency reading dozens of secrets in minutes (T1555.006)',
      roleKey(fn.role),
    );
    const secretNames = SERVICES.flatMap((s) => KINDS.map((k) => `prod/${s}/${k}`)).slice(0, rng.int(18, 32));
    const resources: Resources = { ...fn.resources, secretNames };
    let t = live.atMs;
    const call = (action: string, extra: Partial<CallSpec> = {}): void => {
      emitCall(
        ctx,
        rng,
        {
          timeMs: t,
          actor: env.session,
          action,
          region: REGION,
          sourceIp: env.ip,
          userAgent: lambdaUserAgent(fn, action),
          resources,
          ...extra,
        },
        label,
      );
      t += rng.int(500, 6_000);
    };
    call('secretsmanager:ListSecrets');
    for (const secretId of secretNames)
      call('secretsmanager:GetSecretValue', { requestParameters: { secretId } });
  },
};
