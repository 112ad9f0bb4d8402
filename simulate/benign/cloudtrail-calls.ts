/**
 * Shared pieces of the benign CloudTrail generators: emitting a record, Lambda SDK user agents and
 * hourly volumes, AWS services assuming workload roles, and per-day volume noise.
 */
import {
  assumeRolePayload,
  cloudTrailRecord,
  type CallSpec,
  type RoleSession,
} from '../cloudtrail-builder.js';
import { DAY_MS, diurnal, HOUR_MS, isWeekend, type GenContext } from '../context.js';
import type { LambdaFunctionDef } from '../fleet.js';
import type { Rng } from '../prng.js';
import type { LabelSpec } from '../sink.js';
import { LAMBDA_NODE_SDK_V2, lambdaNodeSdk } from '../user-agents.js';

/** Emit one CloudTrail record. */
export const emitCall = (ctx: GenContext, rng: Rng, spec: CallSpec, label?: LabelSpec): void => {
  ctx.sink.cloudTrail(spec.timeMs, cloudTrailRecord(rng, spec), label);
};

/** The SDK v3 client name of an IAM action prefix. */
export const sdkServiceName = (action: string): string => {
  const prefix = action.slice(0, action.indexOf(':'));
  return prefix === 'events' ? 'eventbridge' : prefix;
};

/** User agent of a Lambda function's SDK for the given call. */
export const lambdaUserAgent = (fn: LambdaFunctionDef, action: string): string =>
  fn.sdk === 'v3' ? lambdaNodeSdk(sdkServiceName(action)) : LAMBDA_NODE_SDK_V2;

/** Mean hourly call count of a function at a time, before day noise. */
export const lambdaMeanPerHour = (fn: LambdaFunctionDef, timeMs: number, scale: number): number =>
  fn.basePerHour *
  diurnal(timeMs, fn.peakHourUtc, fn.diurnalAmplitude) *
  (isWeekend(timeMs) ? fn.weekendFactor : 1) *
  scale;

/** An AWS service assuming a workload role on its behalf (Lambda, EC2, ECS tasks). */
export const emitServiceAssumeRole = (
  ctx: GenContext,
  rng: Rng,
  service: string,
  issued: RoleSession,
  region: string,
  durationSeconds: number,
): void => {
  const payload = assumeRolePayload(issued, durationSeconds);
  emitCall(ctx, rng, {
    timeMs: issued.creationMs,
    actor: { kind: 'aws-service', service },
    action: 'sts:AssumeRole',
    region,
    sourceIp: service,
    userAgent: service,
    resources: { accountId: issued.role.accountId },
    requestParameters: payload.requestParameters,
    responseElements: payload.responseElements,
    eventResources: payload.eventResources,
    recipientAccountId: issued.role.accountId,
  });
};

/** Per-day volume noise (log-normal, ~8 %), stable for a generator and day. */
const dayNoise = (rng: Rng): number => Math.exp(rng.normal(0, 0.08));

export const forEachHour = (
  ctx: GenContext,
  visit: (hourStartMs: number, dayFactor: number) => void,
  noiseRng: Rng,
): void => {
  let factor = 1;
  for (let hourStart = ctx.startMs; hourStart < ctx.endMs; hourStart += HOUR_MS) {
    if ((hourStart - ctx.startMs) % DAY_MS === 0) factor = dayNoise(noiseRng);
    visit(hourStart, factor);
  }
};
