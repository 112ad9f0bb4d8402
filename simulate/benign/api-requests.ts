/**
 * Shared pieces of the benign API Gateway generators: a request as generators describe it, emitting its
 * access-log line, and the Cognito-authorised outcome.
 */
import {
  apiGatewayLine,
  type ApiAuthOutcome,
  type ApiCallerIdentity,
  type ApiDef,
} from '../api-gateway-builder.js';
import type { GenContext } from '../context.js';
import type { Rng } from '../prng.js';
import type { LabelSpec } from '../sink.js';

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
