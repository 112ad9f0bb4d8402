/**
 * What every attack episode is made of: its definition (slug, time window, code), the context its
 * code gets, and helpers several episodes share (AWS error shapes, picking a live session).
 */
import { accessDeniedMessage, roleArn, type Actor, type CallError } from '../cloudtrail-builder.js';
import { MINUTE_MS, sessionAt, type GenContext, type TimedSession } from '../context.js';
import { identityKeyHint } from '../identity-key.js';
import type { Rng } from '../prng.js';
import type { LabelSpec } from '../sink.js';
import type { SimulatedRuleId } from '../types.js';

/** When in its day an episode may start. */
export type Window = 'business' | 'partnerHours' | 'offHours' | 'etlRun' | 'erpHours' | 'ciHours' | 'evening';

/** One episode: a stable slug (part of its attack id), the window it starts in, and its code. */
export interface EpisodeDef {
  readonly slug: string;
  readonly window: Window;
  readonly run: (episode: EpisodeContext) => void;
}

/** What an episode's code gets: the context, its own random stream, its start and label helper. */
export interface EpisodeContext {
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

export const SIGNATURE_MISMATCH: CallError = {
  code: 'SignatureDoesNotMatch',
  message:
    'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
};

/** The denial an identity-based policy produces, spelled per service as AWS does. */
export const denial = (actor: Actor, action: string, resourceArn: string): CallError => {
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
export const liveSession = <T extends TimedSession>(
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

export const lambdaEnv = (
  episode: EpisodeContext,
  functionName: string,
): { session: TimedSession; atMs: number } | undefined =>
  liveSession(episode, episode.ctx.state.lambdaEnvs.get(functionName) ?? [], 20 * MINUTE_MS);

export const lambdaDef = (ctx: GenContext, functionName: string) => {
  const fn = ctx.fleet.lambdas.find((candidate) => candidate.functionName === functionName);
  if (!fn) throw new Error(`unknown function ${functionName}`);
  return fn;
};

/** A partner token alive at the time (with some validity left). */
export const partnerTokenAt = (
  ctx: GenContext,
  atMs: number,
  minRemainingMs: number,
): { jti: string; fromMs: number; toMs: number } | undefined =>
  ctx.state.partnerTokens.find((token) => token.fromMs <= atMs && atMs < token.toMs - minRemainingMs) ??
  ctx.state.partnerTokens.find((token) => token.fromMs > atMs);

export const mtlsClientKey = (ctx: GenContext, serial: string): string =>
  identityKeyHint({
    kind: 'api-client',
    apiId: ctx.fleet.apis.ingest.apiId,
    issuerOrAuthType: 'mtls',
    id: serial,
  });

export const partnerKey = (ctx: GenContext): string =>
  identityKeyHint({
    kind: 'api-client',
    apiId: ctx.fleet.apis.orders.apiId,
    issuerOrAuthType: ctx.fleet.partner.issuer,
    id: ctx.fleet.partner.clientId,
  });

export const ingestKey = (ctx: GenContext): string =>
  identityKeyHint({
    kind: 'api-client',
    apiId: ctx.fleet.apis.ingest.apiId,
    issuerOrAuthType: 'iam',
    id: roleArn(ctx.fleet.roles.inventorySync),
  });
