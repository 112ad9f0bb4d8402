/**
 * The finding: a rule's verdict on an identity, explained by the baseline facts it broke, with a
 * deterministic id so a retry or a repeat updates one finding instead of creating many.
 */
import { createHash } from 'node:crypto';
import type { CredentialChain, CredentialKind, EventSource, IdentityKind } from './identity-event.js';
import type { Reference, Severity } from './classification.js';

/** One finding. Plain JSON: it is stored, published to SNS and converted to ASFF. */
export interface Finding {
  /** `nhi-watch/<ruleId>/<hash of identity + discriminator + window>`. */
  readonly id: string;
  readonly ruleId: string;
  readonly title: string;
  readonly severity: Severity;
  readonly summary: string;
  readonly evidence: readonly string[];
  readonly identityKey: string;
  readonly identityKind: IdentityKind;
  readonly principal?: string;
  readonly identityName?: string;
  readonly sessionName?: string;
  readonly accountId?: string;
  readonly credentialId?: string;
  readonly credentialKind: CredentialKind;
  readonly sourceIp?: string;
  readonly asn?: number;
  readonly asOrg?: string;
  readonly country?: string;
  readonly userAgent?: string;
  readonly action: string;
  readonly resource?: string;
  readonly region?: string;
  readonly source: EventSource;
  readonly discriminator: string;
  /** Start of the dedup window (epoch ms). */
  readonly windowStartMs: number;
  readonly firstSeenMs: number;
  readonly lastSeenMs: number;
  /** Matching events folded into this finding. */
  readonly count: number;
  /** Up to 10 event / request ids. */
  readonly eventIds: readonly string[];
  readonly asffTypes: readonly string[];
  readonly references: readonly Reference[];
  readonly runbook: string;
  /** Whose credential the call used: issuer → role → session (chains.ts), when its issuance was seen. */
  readonly chain?: CredentialChain;
}

/** Deterministic finding id from rule, identity, discriminator and window start. */
export function findingId(
  ruleId: string,
  identityKey: string,
  discriminator: string,
  windowStartMs: number,
): string {
  const h = createHash('sha256')
    .update(`${identityKey}\u0000${discriminator}\u0000${windowStartMs}`)
    .digest('hex');
  return `nhi-watch/${ruleId}/${h.slice(0, 32)}`;
}

/** Merge a repeat of the same finding (same id): counts add up, the time span widens, evidence of the first is kept. */
export function mergeFinding(a: Finding, b: Finding): Finding {
  const eventIds = [...a.eventIds];
  for (const id of b.eventIds) if (eventIds.length < 10 && !eventIds.includes(id)) eventIds.push(id);
  return {
    ...a,
    count: a.count + b.count,
    firstSeenMs: Math.min(a.firstSeenMs, b.firstSeenMs),
    lastSeenMs: Math.max(a.lastSeenMs, b.lastSeenMs),
    eventIds,
  };
}

const SEVERITY_ORDER: readonly Severity[] = ['INFORMATIONAL', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL'];
/** Numeric rank of a severity (0 informational … 4 critical), for sorting and filters. */
export const severityRank = (s: Severity): number => SEVERITY_ORDER.indexOf(s);
