/**
 * Attack episode `ingest-worker-parameter-sweep` — sensitive-read-breadth: code injected into an
 * EC2 ingest worker lists the account's Parameter Store and decrypts every parameter it may read,
 * other applications' passwords and keys included (T1552, T1555.006), all calls succeeding, from the
 * instance's own address with its own SDK. The worker normally reads its two settings.
 */
import { emitCall } from '../benign/cloudtrail-calls.js';
import type { CallSpec, Resources } from '../cloudtrail-builder.js';
import { MINUTE_MS } from '../context.js';
import { EU_REGION, roleKey } from '../fleet.js';
import { EC2_BOTO3 } from '../user-agents.js';
import { liveSession, type EpisodeDef } from './episode.js';

const APPS = ['orders', 'payments', 'partner-api', 'billing', 'search', 'mailer', 'erp', 'reports', 'etl'];
const NAMES = ['db/password', 'db/username', 'api-key', 'signing-key', 'webhook-secret', 'smtp-password'];

export const ingestWorkerParameterSweep: EpisodeDef = {
  slug: 'ingest-worker-parameter-sweep',
  window: 'business',
  run: (episode) => {
    const { ctx, rng } = episode;
    const live = liveSession(episode, ctx.state.ec2Sessions, 30 * MINUTE_MS);
    if (!live) return;
    const current = live.session;
    const label = episode.label(
      'sensitive-read-breadth',
      'Injected code decrypting every Parameter Store parameter it can read (T1552, T1555.006)',
      roleKey(current.session.role),
    );
    const parameterNames = rng
      .shuffle(APPS.flatMap((app) => NAMES.map((n) => `/${app}/prod/${n}`)))
      .slice(0, rng.int(14, 30));
    const resources: Resources = { ...ctx.fleet.ingestResources, parameterNames };
    let t = live.atMs;
    const call = (action: string, extra: Partial<CallSpec> = {}): void => {
      emitCall(
        ctx,
        rng,
        {
          timeMs: t,
          actor: current.session,
          action,
          region: EU_REGION,
          sourceIp: current.ip,
          userAgent: EC2_BOTO3,
          resources,
          ...extra,
        },
        label,
      );
      t += rng.int(300, 8_000);
    };
    call('ssm:DescribeParameters', { requestParameters: { maxResults: 50 } });
    call('ssm:DescribeParameters', { requestParameters: { maxResults: 50, nextToken: 'HIDDEN' } });
    for (const name of parameterNames)
      call('ssm:GetParameter', { requestParameters: { name, withDecryption: true } });
  },
};
