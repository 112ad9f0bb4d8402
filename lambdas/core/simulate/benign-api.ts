/**
 * Benign API Gateway traffic: a partner's OAuth client (Cognito client-credentials tokens rotating
 * hourly) and an API-key storefront on the REST API; factory gateways with client certificates and
 * a cross-account IAM (SigV4) caller on the HTTP API; and the history of a retired API key.
 */
import {
  apiGatewayLine,
  type ApiAuthOutcome,
  type ApiCallerIdentity,
  type ApiDef,
} from './api-gateway-builder.js';
import { newRoleSession, sessionArn } from './cloudtrail-builder.js';
import {
  DAY_MS,
  diurnal,
  HOUR_MS,
  isWeekend,
  sessionAt,
  sortedTimes,
  type GenContext,
  type TimedSession,
} from './context.js';
import { hostInSubnet, NETWORKS, randomSubnet24 } from './networks.js';
import type { Rng } from './prng.js';
import type { LabelSpec } from './sink.js';
import {
  INVENTORY_SYNC_CLIENT,
  LEGACY_MOBILE_CLIENT,
  PARTNER_HTTP_CLIENT,
  PLANT_AGENT,
  STOREFRONT_HTTP_CLIENT,
} from './user-agents.js';

/** A request as generators describe it. */
export interface ApiCall {
  readonly timeMs: number;
  readonly api: ApiDef;
  readonly method: string;
  readonly route: string;
  readonly path: string;
  readonly status: number;
  readonly responseLength: number;
  readonly sourceIp: string;
  readonly userAgent: string;
  readonly caller: ApiCallerIdentity;
  readonly auth?: ApiAuthOutcome;
  readonly error?: { readonly type: string; readonly message: string };
}

/** Emit one access-log line. */
export const emitRequest = (ctx: GenContext, rng: Rng, call: ApiCall, label?: LabelSpec): void => {
  ctx.sink.apiGateway(call.timeMs, apiGatewayLine(rng, call), label);
};

/** Cognito-authorised REST request outcome (authentication, authorization, authorizer all passed). */
export const COGNITO_OK: ApiAuthOutcome = { authnStatus: '200', authzStatus: '200', authorizerStatus: '200' };

/** A partner order id. */
export const orderId = (rng: Rng): string => String(rng.int(4_000_000, 4_999_999));

/** Partner request mix and outcomes on the orders API. */
export const partnerRequest = (
  rng: Rng,
): { method: string; route: string; path: string; status: number; responseLength: number } => {
  if (rng.chance(0.72)) {
    const found = rng.chance(0.975);
    return {
      method: 'GET',
      route: '/orders/{id}',
      path: `/orders/${orderId(rng)}`,
      status: found ? 200 : 404,
      responseLength: found ? rng.int(600, 1_400) : 45,
    };
  }
  const valid = rng.chance(0.985);
  return {
    method: 'POST',
    route: '/orders',
    path: '/orders',
    status: valid ? 201 : 400,
    responseLength: valid ? rng.int(120, 180) : rng.int(80, 120),
  };
};

/** The partner's caller identity variables for a token. */
export const partnerCaller = (ctx: GenContext, jti: string): ApiCallerIdentity => ({
  sub: ctx.fleet.partner.clientId,
  clientId: ctx.fleet.partner.clientId,
  issuer: ctx.fleet.partner.issuer,
  jti,
  scope: ctx.fleet.partner.scope,
});

/** Partner active hours (UTC): calls start at 06:00, the last hour is 20:00–20:59. */
export const PARTNER_HOURS = { start: 6, end: 21 } as const;

const generatePartner = (ctx: GenContext): void => {
  const rng = ctx.rng.fork('partner');
  const api = ctx.fleet.apis.orders;
  let token: { jti: string; fromMs: number; toMs: number } | undefined;
  for (let day = 0; day < ctx.days; day += 1) {
    const dayStart = ctx.startMs + day * DAY_MS;
    const factor = Math.exp(rng.normal(0, 0.08));
    for (let hour = PARTNER_HOURS.start; hour < PARTNER_HOURS.end; hour += 1) {
      const hourStart = dayStart + hour * HOUR_MS;
      const lambda = (isWeekend(hourStart) ? 22 : 65) * diurnal(hourStart, 11, 0.35) * ctx.scale * factor;
      for (const t of sortedTimes(rng, rng.poisson(lambda), hourStart, hourStart + HOUR_MS)) {
        if (!token || t >= token.toMs) {
          const fromMs = t - rng.int(200, 2_000);
          token = { jti: rng.uuid(), fromMs, toMs: fromMs + HOUR_MS };
          ctx.state.partnerTokens.push(token);
        }
        emitRequest(ctx, rng, {
          timeMs: t,
          api,
          ...partnerRequest(rng),
          sourceIp: rng.pick(ctx.fleet.partner.natIps),
          userAgent: PARTNER_HTTP_CLIENT,
          caller: partnerCaller(ctx, token.jti),
          auth: COGNITO_OK,
        });
      }
    }
  }
};

/** A catalog request of an API-key client. */
export const catalogRequest = (
  rng: Rng,
): { method: string; route: string; path: string; status: number; responseLength: number } =>
  rng.chance(0.55)
    ? {
        method: 'GET',
        route: '/catalog/items',
        path: '/catalog/items',
        status: 200,
        responseLength: rng.int(4_000, 18_000),
      }
    : {
        method: 'GET',
        route: '/catalog/items/{sku}',
        path: `/catalog/items/SKU-${rng.int(10_000, 99_999)}`,
        status: 200,
        responseLength: rng.int(700, 2_400),
      };

const generateStorefront = (ctx: GenContext): void => {
  const rng = ctx.rng.fork('storefront');
  const api = ctx.fleet.apis.orders;
  const caller: ApiCallerIdentity = { apiKeyId: ctx.fleet.storefront.apiKeyId };
  for (let day = 0; day < ctx.days; day += 1) {
    const dayStart = ctx.startMs + day * DAY_MS;
    const factor = Math.exp(rng.normal(0, 0.08));
    // Usage-plan throttling: a short cluster of 429s at the evening peak on some days.
    const throttleHour = rng.chance(0.4) ? rng.int(18, 20) : -1;
    for (let hour = 0; hour < 24; hour += 1) {
      const hourStart = dayStart + hour * HOUR_MS;
      const lambda =
        45 * diurnal(hourStart, 19, 0.5) * (isWeekend(hourStart) ? 1.15 : 1) * ctx.scale * factor;
      const times = sortedTimes(rng, rng.poisson(lambda), hourStart, hourStart + HOUR_MS);
      const throttleAt = hour === throttleHour && times.length > 10 ? rng.int(0, times.length - 5) : -1;
      times.forEach((t, index) => {
        const throttled = throttleAt >= 0 && index >= throttleAt && index < throttleAt + 3;
        const request = catalogRequest(rng);
        emitRequest(ctx, rng, {
          timeMs: t,
          api,
          ...request,
          ...(throttled ? { status: 429, responseLength: 30 } : {}),
          sourceIp: rng.pick(ctx.fleet.storefront.hosts),
          userAgent: STOREFRONT_HTTP_CLIENT,
          caller,
          ...(throttled ? { error: { type: 'THROTTLED', message: 'Too Many Requests' } } : {}),
        });
      });
    }
  }
};

/** History of the retired mobile app's API key (placed before the run's start). */
export const LEGACY_MOBILE_HISTORY_DAYS = { fromDaysBeforeStart: 50, toDaysBeforeStart: 43 } as const;

const generateLegacyMobileHistory = (ctx: GenContext): void => {
  const rng = ctx.rng.fork('legacy-mobile');
  const api = ctx.fleet.apis.orders;
  const caller: ApiCallerIdentity = { apiKeyId: ctx.fleet.legacyMobile.apiKeyId };
  for (
    let back = LEGACY_MOBILE_HISTORY_DAYS.fromDaysBeforeStart;
    back > LEGACY_MOBILE_HISTORY_DAYS.toDaysBeforeStart;
    back -= 1
  ) {
    const dayStart = ctx.startMs - back * DAY_MS;
    for (let hour = 0; hour < 24; hour += 1) {
      const hourStart = dayStart + hour * HOUR_MS;
      for (const t of sortedTimes(
        rng,
        rng.poisson(12 * diurnal(hourStart, 19, 0.6)),
        hourStart,
        hourStart + HOUR_MS,
      )) {
        emitRequest(ctx, rng, {
          timeMs: t,
          api,
          ...catalogRequest(rng),
          sourceIp: ctx.fleet.legacyMobile.host,
          userAgent: LEGACY_MOBILE_CLIENT,
          caller,
        });
      }
    }
  }
};

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

const generateDevices = (ctx: GenContext): void => {
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

/**
 * Caller variables of the partner account's SigV4-signed inventory sync. No `accessKey`: the
 * shipped access-log format does not log it (it is not a documented access-logging variable).
 */
export const inventoryCaller = (env: TimedSession): ApiCallerIdentity => ({
  identityAccountId: env.session.role.accountId,
  callerArn: sessionArn(env.session),
});

const generateInventorySync = (ctx: GenContext): void => {
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

/** All benign API Gateway traffic. */
export const generateBenignApiGateway = (ctx: GenContext): void => {
  generatePartner(ctx);
  generateStorefront(ctx);
  generateLegacyMobileHistory(ctx);
  generateDevices(ctx);
  generateInventorySync(ctx);
};

/** The inventory-sync session in use at a time. */
export const inventoryEnvAt = (ctx: GenContext, rng: Rng, timeMs: number): TimedSession | undefined =>
  sessionAt(rng, ctx.state.inventoryEnvs, timeMs);
