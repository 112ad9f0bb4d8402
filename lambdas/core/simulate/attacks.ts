/**
 * Labelled attack episodes injected after the learning period: at least one per detection rule,
 * on CloudTrail and on API Gateway where the technique exists there. Attackers reuse the fleet's
 * live credentials, addresses and user agents where the technique would (a compromised workload
 * calls from its own egress with its own SDK), so most episodes are not given away by one string.
 */
import { lambdaMeanPerHour, lambdaUserAgent, runCiDeployment, emitCall } from './benign-aws.js';
import {
  catalogRequest,
  COGNITO_OK,
  emitRequest,
  inventoryCaller,
  orderId,
  partnerCaller,
  PARTNER_HOURS,
  telemetryRequest,
} from './benign-api.js';
import {
  accessDeniedMessage,
  assumeRolePayload,
  newLongLivedKeyId,
  newRoleSession,
  newUniqueId,
  responseDate,
  roleArn,
  sessionArn,
  type Actor,
  type CallError,
  type CallSpec,
  type Resources,
  type UserKey,
} from './cloudtrail-builder.js';
import {
  DAY_MS,
  diurnal,
  HOUR_MS,
  isWeekend,
  MINUTE_MS,
  sessionAt,
  sortedTimes,
  type GenContext,
  type TimedSession,
} from './context.js';
import { ACCOUNTS, EU_REGION, REGION, roleKey, userKeyOf } from './fleet.js';
import { identityKeyHint } from './identity-key.js';
import { NETWORKS, randomHost } from './networks.js';
import type { Rng } from './prng.js';
import type { LabelSpec } from './sink.js';
import type { SimulatedRuleId } from './types.js';
import {
  ATTACKER_UA,
  ERP_JAVA_SDK,
  FARGATE_BOTO3,
  ghaAwsCli,
  INVENTORY_SYNC_CLIENT,
  LEGACY_MOBILE_CLIENT,
  PARTNER_HTTP_CLIENT,
  PLANT_AGENT,
  lambdaNodeSdk,
} from './user-agents.js';

/** When in its day an episode may start. */
type Window = 'business' | 'partnerHours' | 'offHours' | 'etlRun' | 'erpHours' | 'ciHours' | 'evening';

interface EpisodeDef {
  readonly slug: string;
  readonly window: Window;
  readonly run: (episode: EpisodeContext) => void;
}

/** What an episode's code gets: the context, its own random stream, its start and label helper. */
interface EpisodeContext {
  readonly ctx: GenContext;
  readonly rng: Rng;
  readonly atMs: number;
  readonly attackId: string;
  readonly label: (
    rule: SimulatedRuleId,
    technique: string,
    identityKey: string | undefined,
    signal?: boolean,
  ) => LabelSpec;
}

const SIGNATURE_MISMATCH: CallError = {
  code: 'SignatureDoesNotMatch',
  message:
    'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
};
const INVALID_TOKEN: CallError = {
  code: 'InvalidClientTokenId',
  message: 'The security token included in the request is invalid.',
};

/** The denial an identity-based policy produces, spelled per service as AWS does. */
const denial = (actor: Actor, action: string, resourceArn: string): CallError => {
  const prefix = action.slice(0, action.indexOf(':'));
  const message = accessDeniedMessage(actor, action, resourceArn);
  if (prefix === 'ec2') {
    return {
      code: 'Client.UnauthorizedOperation',
      message: `You are not authorized to perform this operation. ${message.replace(/ on resource: \S+/, '')}`,
    };
  }
  if (prefix === 'iam' || prefix === 's3' || prefix === 'sts') return { code: 'AccessDenied', message };
  return { code: 'AccessDeniedException', message };
};

const pickSession = <T extends TimedSession>(
  rng: Rng,
  sessions: readonly T[],
  atMs: number,
  minRemainingMs = 0,
): T | undefined =>
  sessionAt(
    rng,
    sessions.filter((entry) => entry.toMs - atMs > minRemainingMs),
    atMs,
  ) ?? sessionAt(rng, sessions, atMs);

/**
 * A live session at the episode's start, or else the next one to start (the episode then begins a
 * few minutes into it): workloads have gaps between credential lifetimes.
 */
const liveSession = <T extends TimedSession>(
  episode: EpisodeContext,
  sessions: readonly T[],
  minRemainingMs: number,
): { session: T; atMs: number } | undefined => {
  const current = pickSession(episode.rng, sessions, episode.atMs, minRemainingMs);
  if (current) return { session: current, atMs: episode.atMs };
  let next: T | undefined;
  for (const candidate of sessions) {
    if (candidate.fromMs > episode.atMs && (!next || candidate.fromMs < next.fromMs)) next = candidate;
  }
  return next ? { session: next, atMs: next.fromMs + episode.rng.int(60_000, 300_000) } : undefined;
};

const lambdaEnv = (
  episode: EpisodeContext,
  functionName: string,
): { session: TimedSession; atMs: number } | undefined =>
  liveSession(episode, episode.ctx.state.lambdaEnvs.get(functionName) ?? [], 20 * MINUTE_MS);

const lambdaDef = (ctx: GenContext, functionName: string) => {
  const fn = ctx.fleet.lambdas.find((candidate) => candidate.functionName === functionName);
  if (!fn) throw new Error(`unknown function ${functionName}`);
  return fn;
};

// ---------------------------------------------------------------------------------------------
// credential-replay

const imdsCredentialReplay: EpisodeDef = {
  slug: 'imds-credential-replay',
  window: 'business',
  run: (episode) => {
    const { ctx, rng } = episode;
    const live = liveSession(episode, ctx.state.ec2Sessions, 45 * MINUTE_MS);
    if (!live) return;
    const current = live.session;
    const label = episode.label(
      'credential-replay',
      'Stolen EC2 instance-profile credentials used off-host (T1552.005, T1550.001)',
      roleKey(current.session.role),
    );
    const ip = randomHost(rng, NETWORKS.digitalOceanUs);
    const resources = ctx.fleet.ingestResources;
    let t = live.atMs;
    const call = (action: string, command: string, region: string, extra: Partial<CallSpec> = {}): void => {
      emitCall(
        ctx,
        rng,
        {
          timeMs: t,
          actor: current.session,
          action,
          region,
          sourceIp: ip,
          userAgent: ATTACKER_UA.awsCliUbuntu(command),
          resources,
          ...extra,
        },
        label,
      );
      t += rng.int(2_000, 25_000);
    };
    call('sts:GetCallerIdentity', 'sts.get-caller-identity', REGION);
    call('s3:ListBuckets', 's3.ls', REGION);
    call('iam:ListAttachedRolePolicies', 'iam.list-attached-role-policies', REGION, {
      requestParameters: { roleName: current.session.role.name },
      error: denial(current.session, 'iam:ListAttachedRolePolicies', roleArn(current.session.role)),
    });
    for (let index = 0; index < 3; index += 1) call('s3:ListObjects', 's3.ls', EU_REGION);
    const downloads = rng.int(8, 20);
    for (let index = 0; index < downloads; index += 1) call('s3:GetObject', 's3.cp', EU_REGION);
  },
};

/** A partner token alive at the time (with some validity left). */
const partnerTokenAt = (
  ctx: GenContext,
  atMs: number,
  minRemainingMs: number,
): { jti: string; fromMs: number; toMs: number } | undefined =>
  ctx.state.partnerTokens.find((token) => token.fromMs <= atMs && atMs < token.toMs - minRemainingMs) ??
  ctx.state.partnerTokens.find((token) => token.fromMs > atMs);

const partnerTokenReplay: EpisodeDef = {
  slug: 'partner-token-replay',
  window: 'partnerHours',
  run: (episode) => {
    const { ctx, rng } = episode;
    const token = partnerTokenAt(ctx, episode.atMs, 15 * MINUTE_MS);
    if (!token) return;
    const label = episode.label(
      'credential-replay',
      'Stolen OAuth bearer token replayed from another network (T1550.001)',
      partnerKey(ctx),
    );
    const ip = randomHost(rng, NETWORKS.comcastUs);
    let t = Math.max(episode.atMs, token.fromMs + rng.int(60_000, 300_000));
    let id = Number(orderId(rng));
    const requests = rng.int(15, 40);
    for (let index = 0; index < requests && t < token.toMs; index += 1) {
      const found = rng.chance(0.7);
      emitRequest(
        ctx,
        rng,
        {
          timeMs: t,
          api: ctx.fleet.apis.orders,
          method: 'GET',
          route: '/orders/{id}',
          path: `/orders/${id}`,
          status: found ? 200 : 404,
          responseLength: found ? rng.int(600, 1_400) : 45,
          sourceIp: ip,
          userAgent: ATTACKER_UA.pythonRequests,
          caller: partnerCaller(ctx, token.jti),
          auth: COGNITO_OK,
        },
        label,
      );
      id += rng.int(1, 3);
      t += rng.int(5_000, 30_000);
    }
  },
};

// ---------------------------------------------------------------------------------------------
// auth-failure-burst

const accessKeyFailureBurst: EpisodeDef = {
  slug: 'access-key-signature-burst',
  window: 'evening',
  run: (episode) => {
    const { ctx, rng } = episode;
    const key = ctx.fleet.users.erpKey2;
    const label = episode.label(
      'auth-failure-burst',
      'Guessing the secret of a leaked access key id (T1110.001)',
      userKeyOf(key),
    );
    const ip = randomHost(rng, NETWORKS.digitalOceanDe);
    const attempts = rng.int(12, 20);
    const times = sortedTimes(rng, attempts, episode.atMs, episode.atMs + rng.int(90_000, 180_000));
    for (const t of times) {
      const action = rng.weighted<string>([
        ['sts:GetCallerIdentity', 6],
        ['s3:ListBuckets', 3],
        ['iam:GetUser', 1],
      ]);
      emitCall(
        ctx,
        rng,
        {
          timeMs: t,
          actor: { kind: 'iam-user', ...key },
          action,
          region: REGION,
          sourceIp: ip,
          userAgent: ATTACKER_UA.awsCliUbuntu(
            action === 'sts:GetCallerIdentity'
              ? 'sts.get-caller-identity'
              : action === 's3:ListBuckets'
                ? 's3.ls'
                : 'iam.get-user',
          ),
          resources: { accountId: ACCOUNTS.workload },
          requestParameters: null,
          error: SIGNATURE_MISMATCH,
        },
        label,
      );
    }
  },
};

const mtlsClientKey = (ctx: GenContext, serial: string): string =>
  identityKeyHint({
    kind: 'api-client',
    apiId: ctx.fleet.apis.ingest.apiId,
    issuerOrAuthType: 'mtls',
    id: serial,
  });

const revokedCertificateBurst: EpisodeDef = {
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

// ---------------------------------------------------------------------------------------------
// credential-stuffing + success-after-failures

const accessKeyStuffing: EpisodeDef = {
  slug: 'leaked-key-stuffing',
  window: 'offHours',
  run: (episode) => {
    const { ctx, rng } = episode;
    const ip = randomHost(rng, NETWORKS.torExitNl);
    const technique = 'Credential stuffing with a list of leaked access keys (T1110.004)';
    const targets: Actor[] = [
      ...rng
        .shuffle(ctx.fleet.users.idle)
        .slice(0, 5)
        .map((key): Actor => ({ kind: 'iam-user', ...key })),
      { kind: 'unknown-key', accountId: ACCOUNTS.workload, accessKeyId: newLongLivedKeyId(rng) },
      { kind: 'unknown-key', accountId: ACCOUNTS.workload, accessKeyId: newLongLivedKeyId(rng) },
    ];
    let t = episode.atMs;
    for (const actor of rng.shuffle(targets)) {
      const attempts = rng.int(1, 3);
      // A key AWS cannot resolve has no identity to attribute it to.
      const identityKey = actor.kind === 'iam-user' ? userKeyOf(actor) : undefined;
      for (let index = 0; index < attempts; index += 1) {
        emitCall(
          ctx,
          rng,
          {
            timeMs: t,
            actor,
            action: 'sts:GetCallerIdentity',
            region: REGION,
            sourceIp: ip,
            userAgent: ATTACKER_UA.kaliBoto3,
            resources: { accountId: ACCOUNTS.workload },
            requestParameters: null,
            error: actor.kind === 'unknown-key' ? INVALID_TOKEN : SIGNATURE_MISMATCH,
          },
          episode.label('credential-stuffing', technique, identityKey),
        );
        t += rng.int(800, 9_000);
      }
    }
    // One key in the list is valid: the source that just failed against many identities gets in.
    t += rng.int(20_000, 90_000);
    const valid: Actor = { kind: 'iam-user', ...ctx.fleet.users.terraformBootstrap };
    const successLabel = episode.label(
      'success-after-failures',
      'Valid leaked access key found by stuffing (T1078.004)',
      userKeyOf(ctx.fleet.users.terraformBootstrap),
    );
    const resources: Resources = {
      accountId: ACCOUNTS.workload,
      userNames: [ctx.fleet.users.terraformBootstrap.userName],
    };
    for (const action of [
      'sts:GetCallerIdentity',
      'iam:GetUser',
      'iam:ListAttachedUserPolicies',
      's3:ListBuckets',
      'iam:ListUsers',
      'iam:ListRoles',
    ]) {
      emitCall(
        ctx,
        rng,
        {
          timeMs: t,
          actor: valid,
          action,
          region: REGION,
          sourceIp: ip,
          userAgent: ATTACKER_UA.kaliBoto3,
          resources,
        },
        successLabel,
      );
      t += rng.int(1_000, 12_000);
    }
  },
};

const certificateStuffing: EpisodeDef = {
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

// ---------------------------------------------------------------------------------------------
// new-source

const erpOldKeyNewCountry: EpisodeDef = {
  slug: 'erp-old-key-new-country',
  window: 'erpHours',
  run: (episode) => {
    const { ctx, rng } = episode;
    const key = ctx.fleet.users.erpKey1;
    const label = episode.label(
      'new-source',
      'Not-yet-deactivated pre-rotation access key used from a foreign VPS (T1078.004)',
      userKeyOf(key),
    );
    const ip = randomHost(rng, NETWORKS.ovhFr);
    let t = episode.atMs;
    const call = (action: string): void => {
      emitCall(
        ctx,
        rng,
        {
          timeMs: t,
          actor: { kind: 'iam-user', ...key },
          action,
          region: REGION,
          sourceIp: ip,
          userAgent: ERP_JAVA_SDK,
          resources: ctx.fleet.erpResources,
        },
        label,
      );
      t += rng.int(5_000, 90_000);
    };
    call('s3:ListObjects');
    call('s3:ListObjects');
    const reads = rng.int(10, 30);
    for (let index = 0; index < reads; index += 1) call('s3:GetObject');
  },
};

const partnerKey = (ctx: GenContext): string =>
  identityKeyHint({
    kind: 'api-client',
    apiId: ctx.fleet.apis.orders.apiId,
    issuerOrAuthType: ctx.fleet.partner.issuer,
    id: ctx.fleet.partner.clientId,
  });

const partnerNewNetwork: EpisodeDef = {
  slug: 'partner-client-new-network',
  window: 'partnerHours',
  run: (episode) => {
    const { ctx, rng } = episode;
    const label = episode.label(
      'new-source',
      'Stolen OAuth client secret used from a new network (T1528, T1078.004)',
      partnerKey(ctx),
    );
    const ip = randomHost(rng, NETWORKS.ovhFr);
    const jti = rng.uuid();
    let t = episode.atMs;
    const requests = rng.int(20, 40);
    for (let index = 0; index < requests; index += 1) {
      const found = rng.chance(0.9);
      emitRequest(
        ctx,
        rng,
        {
          timeMs: t,
          api: ctx.fleet.apis.orders,
          method: 'GET',
          route: '/orders/{id}',
          path: `/orders/${orderId(rng)}`,
          status: found ? 200 : 404,
          responseLength: found ? rng.int(600, 1_400) : 45,
          sourceIp: ip,
          userAgent: PARTNER_HTTP_CLIENT,
          caller: partnerCaller(ctx, jti),
          auth: COGNITO_OK,
        },
        label,
      );
      t += rng.int(10_000, 90_000);
    }
  },
};

// ---------------------------------------------------------------------------------------------
// new-user-agent

const ec2CurlSigv4: EpisodeDef = {
  slug: 'instance-credentials-curl',
  window: 'business',
  run: (episode) => {
    const { ctx, rng } = episode;
    const instance = ctx.fleet.ec2Instances[1];
    if (!instance) return;
    const live = liveSession(
      episode,
      ctx.state.ec2Sessions.filter((entry) => entry.instanceId === instance.instanceId),
      20 * MINUTE_MS,
    );
    if (!live) return;
    const current = live.session;
    const label = episode.label(
      'new-user-agent',
      'Interactive use of instance credentials with curl --aws-sigv4 on a compromised host (T1059, T1552.005)',
      roleKey(current.session.role),
    );
    let t = live.atMs;
    const call = (action: string): void => {
      emitCall(
        ctx,
        rng,
        {
          timeMs: t,
          actor: current.session,
          action,
          region: EU_REGION,
          sourceIp: instance.elasticIp,
          userAgent: ATTACKER_UA.curl,
          resources: ctx.fleet.ingestResources,
        },
        label,
      );
      t += rng.int(8_000, 60_000);
    };
    call('s3:ListObjects');
    call('s3:ListObjects');
    const reads = rng.int(3, 8);
    for (let index = 0; index < reads; index += 1) call('s3:GetObject');
  },
};

const partnerPostman: EpisodeDef = {
  slug: 'partner-token-in-postman',
  window: 'partnerHours',
  run: (episode) => {
    const { ctx, rng } = episode;
    const token = partnerTokenAt(ctx, episode.atMs, 20 * MINUTE_MS);
    if (!token) return;
    const label = episode.label(
      'new-user-agent',
      'Production client token used by a human in an API tool (T1078, NHI10)',
      partnerKey(ctx),
    );
    let t = Math.max(episode.atMs, token.fromMs + 60_000);
    const ip = rng.pick(ctx.fleet.partner.natIps);
    const requests = rng.int(3, 8);
    for (let index = 0; index < requests && t < token.toMs; index += 1) {
      const request =
        index === requests - 1 && rng.chance(0.5)
          ? { method: 'POST', route: '/orders', path: '/orders', status: 400, responseLength: 97 }
          : {
              method: 'GET',
              route: '/orders/{id}',
              path: `/orders/${orderId(rng)}`,
              status: 200,
              responseLength: rng.int(600, 1_400),
            };
      emitRequest(
        ctx,
        rng,
        {
          timeMs: t,
          api: ctx.fleet.apis.orders,
          ...request,
          sourceIp: ip,
          userAgent: ATTACKER_UA.postman,
          caller: partnerCaller(ctx, token.jti),
          auth: COGNITO_OK,
        },
        label,
      );
      t += rng.int(20_000, 150_000);
    }
  },
};

// ---------------------------------------------------------------------------------------------
// rate-anomaly

const lambdaEnumerationLoop: EpisodeDef = {
  slug: 'lambda-dynamodb-harvest-loop',
  window: 'business',
  run: (episode) => {
    const { ctx, rng } = episode;
    const fn = lambdaDef(ctx, 'orders-api-handler');
    const envs = ctx.state.lambdaEnvs.get(fn.functionName) ?? [];
    const hourStart = episode.atMs - (episode.atMs % HOUR_MS);
    const label = episode.label(
      'rate-anomaly',
      'Injected code harvesting the orders table in a loop (T1119, T1530)',
      roleKey(fn.role),
    );
    const extra = Math.max(300, Math.round(19 * lambdaMeanPerHour(fn, hourStart, ctx.scale)));
    for (const t of sortedTimes(rng, extra, hourStart, hourStart + HOUR_MS)) {
      const env = sessionAt(rng, envs, t);
      if (!env) continue;
      const action = rng.chance(0.7) ? 'dynamodb:GetItem' : 'dynamodb:Query';
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
          resources: fn.resources,
        },
        label,
      );
    }
  },
};

const partnerScrape: EpisodeDef = {
  slug: 'partner-order-scrape',
  window: 'partnerHours',
  run: (episode) => {
    const { ctx, rng } = episode;
    const hourStart = episode.atMs - (episode.atMs % HOUR_MS);
    const label = episode.label(
      'rate-anomaly',
      'Compromised partner system scraping orders at 20x its rate (T1119)',
      partnerKey(ctx),
    );
    const mean = (isWeekend(hourStart) ? 22 : 65) * diurnal(hourStart, 11, 0.35) * ctx.scale;
    const extra = Math.max(300, Math.round(19 * mean));
    let id = Number(orderId(rng));
    for (const t of sortedTimes(rng, extra, hourStart, hourStart + HOUR_MS)) {
      const token = ctx.state.partnerTokens.find((candidate) => candidate.fromMs <= t && t < candidate.toMs);
      if (!token) continue;
      id += rng.int(1, 4);
      const found = rng.chance(0.93);
      emitRequest(
        ctx,
        rng,
        {
          timeMs: t,
          api: ctx.fleet.apis.orders,
          method: 'GET',
          route: '/orders/{id}',
          path: `/orders/${id}`,
          status: found ? 200 : 404,
          responseLength: found ? rng.int(600, 1_400) : 45,
          sourceIp: rng.pick(ctx.fleet.partner.natIps),
          userAgent: PARTNER_HTTP_CLIENT,
          caller: partnerCaller(ctx, token.jti),
          auth: COGNITO_OK,
        },
        label,
      );
    }
  },
};

// ---------------------------------------------------------------------------------------------
// new-action

const thumbnailScopeCreep: EpisodeDef = {
  slug: 'image-rce-secret-theft',
  window: 'business',
  run: (episode) => {
    const { ctx, rng } = episode;
    const fn = lambdaDef(ctx, 'thumbnail-generator');
    const live = lambdaEnv(episode, fn.functionName);
    if (!live) return;
    const env = live.session;
    const label = episode.label(
      'new-action',
      'RCE in image processing used to read secrets and list buckets (T1555.006, T1619)',
      roleKey(fn.role),
    );
    const resources: Resources = {
      ...fn.resources,
      secretNames: ['prod/orders/db', 'prod/payments/stripe', 'prod/partner/oauth-client'],
    };
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
      t += rng.int(300, 8_000);
    };
    call('s3:ListBuckets');
    for (const secretId of resources.secretNames ?? [])
      call('secretsmanager:GetSecretValue', { requestParameters: { secretId } });
    call('iam:ListRoles', {
      error: denial(env.session, 'iam:ListRoles', `arn:aws:iam::${ACCOUNTS.workload}:role/`),
    });
  },
};

const ingestKey = (ctx: GenContext): string =>
  identityKeyHint({
    kind: 'api-client',
    apiId: ctx.fleet.apis.ingest.apiId,
    issuerOrAuthType: 'iam',
    id: roleArn(ctx.fleet.roles.inventorySync),
  });

const inventoryDeletes: EpisodeDef = {
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

// ---------------------------------------------------------------------------------------------
// access-denied-burst

const ENUMERATION_ACTIONS = [
  'iam:ListUsers',
  'iam:ListRoles',
  'iam:ListPolicies',
  'iam:ListGroups',
  'iam:GetAccountSummary',
  'iam:GetAccountAuthorizationDetails',
  'iam:ListAccessKeys',
  'iam:ListMFADevices',
  'iam:ListInstanceProfiles',
  'iam:GetAccountPasswordPolicy',
  'ec2:DescribeInstances',
  'ec2:DescribeVpcs',
  'ec2:DescribeSecurityGroups',
  'ec2:DescribeSubnets',
  'ec2:DescribeSnapshots',
  'ec2:DescribeVolumes',
  'ec2:DescribeKeyPairs',
  'lambda:ListFunctions20150331',
  'lambda:ListLayers20181031',
  'lambda:GetAccountSettings20160819',
  'secretsmanager:ListSecrets',
  'ssm:DescribeParameters',
  'ssm:DescribeInstanceInformation',
  'kms:ListKeys',
  'kms:ListAliases',
  'rds:DescribeDBInstances',
  'rds:DescribeDBClusters',
  'rds:DescribeDBSnapshots',
  'dynamodb:ListTables',
  'dynamodb:DescribeLimits',
  'sns:ListTopics',
  'sns:ListSubscriptions',
  'sqs:ListQueues',
  'cloudtrail:DescribeTrails',
  'cloudtrail:LookupEvents',
  'organizations:DescribeOrganization',
  'organizations:ListAccounts',
  'logs:DescribeLogGroups',
  'ecr:DescribeRepositories',
  'ecs:ListClusters',
  'eks:ListClusters',
  'route53:ListHostedZones',
  'guardduty:ListDetectors',
  'cloudformation:ListStacks',
  'elasticloadbalancing:DescribeLoadBalancers',
] as const;

const etlEnumerateIam: EpisodeDef = {
  slug: 'etl-container-permission-enumeration',
  window: 'etlRun',
  run: (episode) => {
    const { ctx, rng } = episode;
    const run = ctx.state.etlRuns.find(
      (candidate) => candidate.fromMs <= episode.atMs && episode.atMs < candidate.toMs,
    );
    if (!run) return;
    const label = episode.label(
      'access-denied-burst',
      'Permission enumeration from a compromised ETL container (T1580, T1087.004)',
      roleKey(run.session.role),
    );
    const resources: Resources = { accountId: ACCOUNTS.workload };
    const actions = rng.shuffle(ENUMERATION_ACTIONS).slice(0, rng.int(30, ENUMERATION_ACTIONS.length));
    let t = episode.atMs;
    emitCall(
      ctx,
      rng,
      {
        timeMs: t,
        actor: run.session,
        action: 'sts:GetCallerIdentity',
        region: REGION,
        sourceIp: run.ip,
        userAgent: FARGATE_BOTO3,
        resources,
      },
      label,
    );
    for (const action of actions) {
      t += rng.int(150, 2_500);
      const resourceArn = action.startsWith('iam:') ? `arn:aws:iam::${ACCOUNTS.workload}:*` : '*';
      emitCall(
        ctx,
        rng,
        {
          timeMs: t,
          actor: run.session,
          action,
          region: REGION,
          sourceIp: run.ip,
          userAgent: FARGATE_BOTO3,
          resources,
          requestParameters: null,
          error: denial(run.session, action.replace(/\d{8}$/, ''), resourceArn),
        },
        label,
      );
    }
  },
};

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

const inventoryRouteProbe: EpisodeDef = {
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

// ---------------------------------------------------------------------------------------------
// lateral-movement

const crossAccountPivot: EpisodeDef = {
  slug: 'cross-account-role-chain',
  window: 'business',
  run: (episode) => {
    const { ctx, rng } = episode;
    const fn = lambdaDef(ctx, 'report-exporter');
    const live = lambdaEnv(episode, fn.functionName);
    if (!live) return;
    const env = live.session;
    const technique =
      'Cross-account role assumption and role chaining from a compromised function (T1078.004, T1550.001)';
    const { sharedBackup, sharedBackupAdmin } = ctx.fleet.roles;
    let t = live.atMs;
    const first = newRoleSession(rng, sharedBackup, `report-exporter-${rng.hex(6)}`, t);
    const firstPayload = assumeRolePayload(first, 3600);
    emitCall(
      ctx,
      rng,
      {
        timeMs: t,
        actor: env.session,
        action: 'sts:AssumeRole',
        region: REGION,
        sourceIp: env.ip,
        userAgent: lambdaUserAgent(fn, 'sts:AssumeRole'),
        resources: fn.resources,
        requestParameters: firstPayload.requestParameters,
        responseElements: firstPayload.responseElements,
        eventResources: firstPayload.eventResources,
        isCrossAccount: true,
      },
      episode.label('lateral-movement', technique, roleKey(fn.role)),
    );
    t += rng.int(2_000, 20_000);
    const sharedResources: Resources = {
      accountId: ACCOUNTS.shared,
      buckets: [`backup-vault-${ACCOUNTS.shared}`],
      keyPrefix: 'snapshots/',
    };
    const ua = lambdaNodeSdk('sts');
    emitCall(
      ctx,
      rng,
      {
        timeMs: t,
        actor: first,
        action: 'sts:GetCallerIdentity',
        region: REGION,
        sourceIp: env.ip,
        userAgent: ua,
        resources: sharedResources,
      },
      episode.label('lateral-movement', technique, roleKey(sharedBackup), false),
    );
    t += rng.int(2_000, 20_000);
    const chained = newRoleSession(rng, sharedBackupAdmin, `backup-${rng.hex(6)}`, t);
    const chainedPayload = assumeRolePayload(chained, 3600);
    emitCall(
      ctx,
      rng,
      {
        timeMs: t,
        actor: first,
        action: 'sts:AssumeRole',
        region: REGION,
        sourceIp: env.ip,
        userAgent: ua,
        resources: sharedResources,
        requestParameters: chainedPayload.requestParameters,
        responseElements: chainedPayload.responseElements,
        eventResources: chainedPayload.eventResources,
      },
      episode.label('lateral-movement', technique, roleKey(sharedBackup)),
    );
    const followLabel = episode.label('lateral-movement', technique, roleKey(sharedBackupAdmin), false);
    const follow = (action: string, extra: Partial<CallSpec> = {}): void => {
      t += rng.int(1_000, 15_000);
      emitCall(
        ctx,
        rng,
        {
          timeMs: t,
          actor: chained,
          action,
          region: REGION,
          sourceIp: env.ip,
          userAgent: lambdaNodeSdk(action.slice(0, action.indexOf(':'))),
          resources: sharedResources,
          ...extra,
        },
        followLabel,
      );
    };
    follow('iam:ListRoles');
    follow('s3:ListBuckets');
    for (let index = 0; index < 3; index += 1) follow('s3:ListObjects');
    const reads = rng.int(5, 12);
    for (let index = 0; index < reads; index += 1) follow('s3:GetObject');
  },
};

const sameAccountEscalation: EpisodeDef = {
  slug: 'workload-assumes-admin-role',
  window: 'business',
  run: (episode) => {
    const { ctx, rng } = episode;
    const fn = lambdaDef(ctx, 'order-events-processor');
    const live = lambdaEnv(episode, fn.functionName);
    if (!live) return;
    const env = live.session;
    const technique = 'Workload role assuming a data-lake admin role it never used (T1078.004, T1548)';
    const target = ctx.fleet.roles.dataLakeAdmin;
    let t = live.atMs;
    const issued = newRoleSession(rng, target, fn.functionName, t);
    const payload = assumeRolePayload(issued, 3600);
    emitCall(
      ctx,
      rng,
      {
        timeMs: t,
        actor: env.session,
        action: 'sts:AssumeRole',
        region: REGION,
        sourceIp: env.ip,
        userAgent: lambdaUserAgent(fn, 'sts:AssumeRole'),
        resources: fn.resources,
        requestParameters: payload.requestParameters,
        responseElements: payload.responseElements,
        eventResources: payload.eventResources,
      },
      episode.label('lateral-movement', technique, roleKey(fn.role)),
    );
    const followLabel = episode.label('lateral-movement', technique, roleKey(target), false);
    const follow = (action: string): void => {
      t += rng.int(1_000, 20_000);
      emitCall(
        ctx,
        rng,
        {
          timeMs: t,
          actor: issued,
          action,
          region: REGION,
          sourceIp: env.ip,
          userAgent: lambdaUserAgent(fn, action),
          resources: ctx.fleet.etlResources,
        },
        followLabel,
      );
    };
    follow('s3:ListBuckets');
    follow('s3:ListObjects');
    follow('s3:ListObjects');
    const reads = rng.int(5, 10);
    for (let index = 0; index < reads; index += 1) follow('s3:GetObject');
  },
};

// ---------------------------------------------------------------------------------------------
// dormant-identity

const dormantKeyRevived: EpisodeDef = {
  slug: 'dormant-user-key-revived',
  window: 'evening',
  run: (episode) => {
    const { ctx, rng } = episode;
    const key = ctx.fleet.users.dataSync;
    const label = episode.label(
      'dormant-identity',
      'Access key of a long-unused service user found and used (T1078.004, NHI1)',
      userKeyOf(key),
    );
    const ip = randomHost(rng, NETWORKS.comcastUs);
    let t = episode.atMs;
    const call = (action: string, command: string): void => {
      emitCall(
        ctx,
        rng,
        {
          timeMs: t,
          actor: { kind: 'iam-user', ...key },
          action,
          region: REGION,
          sourceIp: ip,
          userAgent: ATTACKER_UA.awsCliMac(command),
          resources: ctx.fleet.dataSyncResources,
        },
        label,
      );
      t += rng.int(3_000, 60_000);
    };
    call('sts:GetCallerIdentity', 'sts.get-caller-identity');
    call('s3:ListBuckets', 's3.ls');
    call('s3:ListObjects', 's3.ls');
    call('s3:ListObjects', 's3.ls');
    const reads = rng.int(5, 15);
    for (let index = 0; index < reads; index += 1) call('s3:GetObject', 's3.cp');
  },
};

const dormantApiKey: EpisodeDef = {
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

// ---------------------------------------------------------------------------------------------
// long-lived-credential

const ciBackdoorUser: EpisodeDef = {
  slug: 'ci-backdoor-user-access-key',
  window: 'ciHours',
  run: (episode) => {
    const { ctx, rng } = episode;
    const deployer = ctx.fleet.roles.ghaDeployer;
    const creation =
      'Poisoned deployment workflow creating a backdoor IAM user and access key (T1098.001, T1136.003)';
    const setup = episode.label('new-action', creation, roleKey(deployer), false);
    const runnerIp = randomHost(rng, rng.pick(ctx.fleet.runnerNetworks));
    const { session, endMs } = runCiDeployment(ctx, rng, episode.atMs, 'orders-service', runnerIp, setup);
    const backdoor: UserKey = {
      accountId: ACCOUNTS.workload,
      userName: 'svc-backup-sync',
      userId: newUniqueId(rng, 'AIDA'),
      accessKeyId: newLongLivedKeyId(rng),
    };
    const resources: Resources = { accountId: ACCOUNTS.workload, userNames: [backdoor.userName] };
    let t = endMs + rng.int(2_000, 10_000);
    const signal = episode.label('new-action', creation, roleKey(deployer));
    const iam = (action: string, command: string, extra: Partial<CallSpec> = {}): void => {
      emitCall(
        ctx,
        rng,
        {
          timeMs: t,
          actor: session,
          action,
          region: REGION,
          sourceIp: runnerIp,
          userAgent: ghaAwsCli(command),
          resources,
          ...extra,
        },
        signal,
      );
      t += rng.int(500, 3_000);
    };
    iam('iam:CreateUser', 'iam.create-user', {
      responseElements: {
        user: {
          path: '/',
          userName: backdoor.userName,
          userId: backdoor.userId,
          arn: `arn:aws:iam::${ACCOUNTS.workload}:user/${backdoor.userName}`,
          createDate: responseDate(t),
        },
      },
    });
    iam('iam:AttachUserPolicy', 'iam.attach-user-policy', {
      requestParameters: {
        userName: backdoor.userName,
        policyArn: 'arn:aws:iam::aws:policy/AdministratorAccess',
      },
    });
    iam('iam:CreateAccessKey', 'iam.create-access-key', {
      responseElements: {
        accessKey: {
          userName: backdoor.userName,
          accessKeyId: backdoor.accessKeyId,
          status: 'Active',
          createDate: responseDate(t),
        },
      },
    });
    // The new long-lived key then runs from a workload host in AWS.
    t += rng.int(HOUR_MS, 3 * HOUR_MS);
    const useLabel = episode.label(
      'long-lived-credential',
      'Newly created long-lived access key used by a workload in AWS (T1078.004, NHI7)',
      userKeyOf(backdoor),
    );
    const ip = randomHost(rng, NETWORKS.awsUse1LambdaA);
    const use = (action: string, extra: Partial<CallSpec> = {}): void => {
      emitCall(
        ctx,
        rng,
        {
          timeMs: t,
          actor: { kind: 'iam-user', ...backdoor },
          action,
          region: REGION,
          sourceIp: ip,
          userAgent: ATTACKER_UA.ec2Boto3Other,
          resources: ctx.fleet.ciResources,
          ...extra,
        },
        useLabel,
      );
      t += rng.int(2_000, 40_000);
    };
    use('sts:GetCallerIdentity');
    use('s3:ListBuckets');
    use('secretsmanager:ListSecrets');
    use('s3:ListObjects');
    const reads = rng.int(5, 15);
    for (let index = 0; index < reads; index += 1) use('s3:GetObject');
  },
};

const legacyKeyInLambda: EpisodeDef = {
  slug: 'erp-key-embedded-in-function',
  window: 'business',
  run: (episode) => {
    const { ctx, rng } = episode;
    const key = ctx.fleet.users.erpKey2;
    const label = episode.label(
      'long-lived-credential',
      'Long-lived user key hard-coded into a Lambda function (T1552.001, NHI7)',
      userKeyOf(key),
    );
    const ip = randomHost(rng, NETWORKS.awsUse1LambdaB);
    let t = episode.atMs;
    const call = (action: string): void => {
      emitCall(
        ctx,
        rng,
        {
          timeMs: t,
          actor: { kind: 'iam-user', ...key },
          action,
          region: REGION,
          sourceIp: ip,
          userAgent: lambdaNodeSdk('s3'),
          resources: ctx.fleet.erpResources,
        },
        label,
      );
      t += rng.int(1_000, 120_000);
    };
    call('s3:ListObjects');
    const reads = rng.int(5, 12);
    for (let index = 0; index < reads; index += 1) call('s3:GetObject');
  },
};

// ---------------------------------------------------------------------------------------------
// contract-violation

const partnerOffHours: EpisodeDef = {
  slug: 'partner-client-off-hours',
  window: 'offHours',
  run: (episode) => {
    const { ctx, rng } = episode;
    const label = episode.label(
      'contract-violation',
      'Partner client active outside its contracted hours (T1078)',
      partnerKey(ctx),
    );
    const jti = rng.uuid();
    for (const t of sortedTimes(rng, rng.int(10, 30), episode.atMs, episode.atMs + 20 * MINUTE_MS)) {
      emitRequest(
        ctx,
        rng,
        {
          timeMs: t,
          api: ctx.fleet.apis.orders,
          method: 'GET',
          route: '/orders/{id}',
          path: `/orders/${orderId(rng)}`,
          status: 200,
          responseLength: rng.int(600, 1_400),
          sourceIp: rng.pick(ctx.fleet.partner.natIps),
          userAgent: PARTNER_HTTP_CLIENT,
          caller: partnerCaller(ctx, jti),
          auth: COGNITO_OK,
        },
        label,
      );
    }
  },
};

const partnerOutOfContractRoute: EpisodeDef = {
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

const etlDaytimeRun: EpisodeDef = {
  slug: 'etl-task-run-at-midday',
  window: 'business',
  run: (episode) => {
    const { ctx, rng } = episode;
    const role = ctx.fleet.roles.nightlyEtl;
    const technique =
      'ETL task definition launched by hand at midday to bulk-read the data lake (T1530, T1078.004)';
    const session = newRoleSession(rng, role, rng.hex(32), episode.atMs);
    const payload = assumeRolePayload(session, 21_600);
    emitCall(
      ctx,
      rng,
      {
        timeMs: episode.atMs,
        actor: { kind: 'aws-service', service: 'ecs-tasks.amazonaws.com' },
        action: 'sts:AssumeRole',
        region: REGION,
        sourceIp: 'ecs-tasks.amazonaws.com',
        userAgent: 'ecs-tasks.amazonaws.com',
        resources: { accountId: ACCOUNTS.workload },
        requestParameters: payload.requestParameters,
        responseElements: payload.responseElements,
        eventResources: payload.eventResources,
      },
      episode.label(
        'contract-violation',
        technique,
        identityKeyHint({ kind: 'aws-service', service: 'ecs-tasks.amazonaws.com' }),
        false,
      ),
    );
    const label = episode.label('contract-violation', technique, roleKey(role));
    const ip = randomHost(rng, NETWORKS.awsUse1Fargate);
    const start = episode.atMs + rng.int(30_000, 60_000);
    const times = sortedTimes(rng, rng.int(33, 63), start, start + 10 * MINUTE_MS);
    times.forEach((t, index) => {
      emitCall(
        ctx,
        rng,
        {
          timeMs: t,
          actor: session,
          action: index < 3 ? 's3:ListObjects' : 's3:GetObject',
          region: REGION,
          sourceIp: ip,
          userAgent: FARGATE_BOTO3,
          resources: ctx.fleet.etlResources,
        },
        label,
      );
    });
  },
};

/** Every episode, in a fixed order (scheduling shuffles them per seed). */
export const EPISODES: readonly EpisodeDef[] = [
  imdsCredentialReplay,
  partnerTokenReplay,
  accessKeyFailureBurst,
  revokedCertificateBurst,
  accessKeyStuffing,
  certificateStuffing,
  erpOldKeyNewCountry,
  partnerNewNetwork,
  ec2CurlSigv4,
  partnerPostman,
  lambdaEnumerationLoop,
  partnerScrape,
  thumbnailScopeCreep,
  inventoryDeletes,
  etlEnumerateIam,
  inventoryRouteProbe,
  crossAccountPivot,
  sameAccountEscalation,
  dormantKeyRevived,
  dormantApiKey,
  ciBackdoorUser,
  legacyKeyInLambda,
  partnerOffHours,
  partnerOutOfContractRoute,
  etlDaytimeRun,
];

const windowStart = (ctx: GenContext, rng: Rng, window: Window, dayStart: number): number => {
  const within = (fromHour: number, toHour: number): number =>
    dayStart + Math.floor(rng.float(fromHour, toHour) * HOUR_MS);
  switch (window) {
    case 'business':
      return within(9, 16.5);
    case 'partnerHours':
      return within(PARTNER_HOURS.start + 2, PARTNER_HOURS.end - 2);
    case 'offHours':
      return within(0.5, 4.5);
    case 'erpHours':
      return within(7, 18);
    case 'ciHours':
      return within(8, 16);
    case 'evening':
      return within(19, 22.5);
    case 'etlRun': {
      const run = ctx.state.etlRuns.find(
        (candidate) => candidate.fromMs >= dayStart && candidate.fromMs < dayStart + DAY_MS,
      );
      return run ? run.fromMs + rng.int(8, 30) * MINUTE_MS : within(2.2, 2.6);
    }
  }
};

/** Places every episode on a day after the learning period and runs it. */
export const injectAttacks = (ctx: GenContext): void => {
  const rng = ctx.rng.fork('attacks');
  const attackDays = ctx.days - ctx.learningDays;
  const order = rng.shuffle(EPISODES.map((_, index) => index));
  const dayOffsets = rng.shuffle(Array.from({ length: attackDays }, (_, index) => index));
  order.forEach((episodeIndex, position) => {
    const episode = EPISODES[episodeIndex];
    if (!episode) return;
    const day = ctx.learningDays + (dayOffsets[position % attackDays] ?? 0);
    const dayStart = ctx.startMs + day * DAY_MS;
    const episodeRng = ctx.rng.fork(`attack/${episode.slug}`);
    const atMs = windowStart(ctx, episodeRng, episode.window, dayStart);
    const attackId = `atk-${String(episodeIndex + 1).padStart(2, '0')}-${episode.slug}`;
    episode.run({
      ctx,
      rng: episodeRng,
      atMs,
      attackId,
      label: (rule, technique, identityKey, signal = true) => ({
        rule,
        technique,
        attackId,
        ...(identityKey === undefined ? {} : { identityKey }),
        signal,
      }),
    });
  });
};
