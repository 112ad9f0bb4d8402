/**
 * Attack-tool giveaways out of the benchmark's input. Stratus Red Team stamps every call with a
 * `stratus-red-team_<uuid>` user agent, TruffleHog and Pacu name themselves, Grimoire adds
 * `exec-env/grimoire_…`: a rule that keys on those catches the benchmark, not an attacker, who sends
 * whatever an ordinary SDK or CLI sends. The figure that counts is measured with every user agent
 * the classifier puts in the `offensive-tool` class replaced by an ordinary SDK / CLI agent.
 *
 * The replacement is deterministic (the same original agent always becomes the same ordinary one,
 * chosen by a hash of the original), so runs are repeatable and one attacker's calls keep one agent.
 */
import { createHash } from 'node:crypto';

import { classifyUserAgentUncached } from '../lambdas/core/sources/user-agent.js';

/** What attackers' scripts really send: the AWS CLI v2, boto3, the Go SDK v2 (current, plain builds). */
export const ORDINARY_USER_AGENTS: readonly string[] = [
  'aws-cli/2.15.0 md/awscrt#0.19.17 ua/2.0 os/linux#6.5.0-1014-aws md/arch#x86_64 lang/python#3.11.6 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/distrib#ubuntu.22 md/prompt#off',
  'Boto3/1.34.11 md/Botocore#1.34.11 ua/2.0 os/linux#6.5.0-1014-aws md/arch#x86_64 lang/python#3.11.6 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.34.11',
  'aws-sdk-go-v2/1.24.0 os/linux lang/go#1.21.5 md/GOOS#linux md/GOARCH#amd64',
];

/** Whether the classifier calls this agent an attack tool. */
export const isOffensiveUserAgent = (ua: unknown): ua is string =>
  typeof ua === 'string' && classifyUserAgentUncached(ua).class === 'offensive-tool';

/** The ordinary agent an offensive one is replaced by (deterministic). */
export function ordinaryUserAgentFor(ua: string): string {
  const h = createHash('sha256').update(ua).digest();
  return ORDINARY_USER_AGENTS[(h[0] ?? 0) % ORDINARY_USER_AGENTS.length] as string;
}

/**
 * A copy of a raw log record (CloudTrail record or API Gateway access-log line: both carry the agent
 * in a top-level `userAgent`) with an attack-tool agent replaced; other records are returned as is.
 */
export function withoutToolUserAgent<T extends object>(record: T): { record: T; isReplaced: boolean } {
  const ua = (record as Record<string, unknown>).userAgent;
  if (!isOffensiveUserAgent(ua)) return { record, isReplaced: false };
  return { record: { ...record, userAgent: ordinaryUserAgentFor(ua) }, isReplaced: true };
}
